-- Schema version 2: one row per (article, entity), kept beside the mention-level `entities`
-- table by the loader, so entity rankings and co-occurrence need no de-duplication of
-- millions of mentions at query time.
CREATE TABLE article_entities (
    article_id      VARCHAR NOT NULL,
    entity_id       VARCHAR NOT NULL,
    label           VARCHAR,
    text            VARCHAR,          -- the surface form of its first mention in the article
    mentions        INTEGER
);

INSERT INTO article_entities
SELECT article_id, entity_id, arg_min(label, start_char), arg_min(text, start_char), count(*)
FROM entities WHERE entity_id IS NOT NULL
GROUP BY article_id, entity_id;
