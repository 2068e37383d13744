-- Schema version 3: co-occurrence counts of entity pairs over relevant articles, a snapshot
-- rebuilt by `Warehouse.refresh_entity_pairs` at the end of every process run (as the search
-- index is), because counting pairs at query time joins millions of article-entity rows with
-- themselves (1.5 s at 1,000,000 articles) while reading this table takes milliseconds.
-- A database migrated from version 2 gets its counts at its next process run.
CREATE TABLE entity_pair_counts (
    entity_a        VARCHAR NOT NULL,
    entity_b        VARCHAR NOT NULL,
    articles        INTEGER NOT NULL
);
