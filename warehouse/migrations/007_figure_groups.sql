-- Schema version 7: the provenance of reported figures.  Figures of relevant, dated articles
-- that report the same quantity (same subject, same unit, equal value after conversion and
-- rounding; the rules are in warehouse/provenance.py) form a group; one row per report, the
-- group's first report at position 0.  A snapshot rebuilt by `Warehouse.refresh_figure_groups`
-- at the end of every process run, read by the view `figure_provenance`.  A database migrated
-- from an earlier version gets its groups at its next process run.
CREATE TABLE figure_groups (
    group_id        VARCHAR NOT NULL,
    article_id      VARCHAR NOT NULL,
    start_char      INTEGER NOT NULL,
    position        INTEGER NOT NULL,
    compared_unit   VARCHAR,
    compared_value  DOUBLE,
    first_compared_value DOUBLE
);
