-- Schema version 6: stories reported in more than one language.  An English and a Chinese
-- article are one cross-lingual story when they name the same catalogue entity, report the
-- same figure (value and unit after normalisation) and appeared within a few days of each
-- other.  Finding them joins every article's figures and entities across languages, so, like
-- entity_pair_counts, this is a snapshot rebuilt by `Warehouse.refresh_crosslingual_stories`
-- at the end of every process run; a database migrated from version 5 gets it at its next run.
CREATE TABLE crosslingual_links (
    story_id         VARCHAR NOT NULL,  -- the earliest article of the cross-lingual story
    article_a        VARCHAR NOT NULL,  -- the smaller article_id of the linked pair
    article_b        VARCHAR NOT NULL,
    days_apart       DOUBLE,
    shared_entities  VARCHAR[],
    shared_figures   VARCHAR[]
);
