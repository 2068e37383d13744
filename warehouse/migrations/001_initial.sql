-- creditlens warehouse, schema version 1.
-- Keys: pages by canonical URL, articles by article_id (a stable hash of the canonical URL
-- or of the id a corpus brought); annotation tables are replaced per article.

CREATE TABLE sources (
    source_id       VARCHAR PRIMARY KEY,
    name            VARCHAR NOT NULL,
    homepage        VARCHAR,
    country         VARCHAR,
    language        VARCHAR,
    kind            VARCHAR,
    feeds           VARCHAR[],
    sitemaps        VARCHAR[],
    start_urls      VARCHAR[],
    allowed_domains VARCHAR[]
);

CREATE TABLE crawl_runs (
    run_id          VARCHAR PRIMARY KEY,
    command         VARCHAR,
    started_at      TIMESTAMPTZ,
    ended_at        TIMESTAMPTZ,
    status          VARCHAR,          -- running | finished | failed | interrupted
    pages_fetched   INTEGER,
    pages_stored    INTEGER,
    errors          INTEGER,
    errors_by_kind  JSON
);

CREATE TABLE pages (
    url             VARCHAR PRIMARY KEY,
    status          INTEGER,
    fetched_at      TIMESTAMPTZ,
    source          VARCHAR,
    requested_url   VARCHAR,
    content_type    VARCHAR,
    encoding        VARCHAR,
    html            BLOB,             -- zlib-compressed UTF-8 text of the page
    sha256          VARCHAR,
    etag            VARCHAR,
    last_modified   VARCHAR,
    run_id          VARCHAR,
    error           VARCHAR,
    error_kind      VARCHAR,
    origin          VARCHAR,
    page_kind       VARCHAR,          -- article | listing | paywall | error_page | too_short | ... (set by extraction)
    extract_error   VARCHAR,
    extracted_at    TIMESTAMPTZ
);

CREATE TABLE articles (
    article_id      VARCHAR PRIMARY KEY,
    url             VARCHAR NOT NULL,
    source          VARCHAR,
    title           VARCHAR,
    author          VARCHAR,
    published_at    TIMESTAMPTZ,
    language        VARCHAR,
    text            VARCHAR,
    word_count      INTEGER,
    is_relevant     BOOLEAN,
    relevance       DOUBLE,
    duplicate_of    VARCHAR,
    content_hash    VARCHAR,
    description     VARCHAR,
    sitename        VARCHAR,
    categories      VARCHAR[],
    tags            VARCHAR[],
    image           VARCHAR,
    extracted_at    TIMESTAMPTZ,
    annotated_at    TIMESTAMPTZ
);


CREATE TABLE entities (
    article_id      VARCHAR NOT NULL,
    start_char      INTEGER,
    end_char        INTEGER,
    text            VARCHAR,
    label           VARCHAR,
    entity_id       VARCHAR
);

CREATE TABLE entity_catalog (
    entity_id       VARCHAR PRIMARY KEY,
    name            VARCHAR,
    type            VARCHAR,
    label           VARCHAR,
    aliases         VARCHAR[],
    admin_level     VARCHAR,
    parent          VARCHAR,
    in_gazetteer    BOOLEAN
);

CREATE TABLE themes (
    article_id      VARCHAR NOT NULL,
    theme           VARCHAR,
    score           DOUBLE,
    taxonomy_version VARCHAR
);

CREATE TABLE theme_catalog (
    theme           VARCHAR,
    taxonomy_version VARCHAR,
    name            VARCHAR,
    description     VARCHAR,
    PRIMARY KEY (theme, taxonomy_version)
);

CREATE TABLE process_runs (
    run_id          VARCHAR PRIMARY KEY,
    started_at      TIMESTAMPTZ,
    ended_at        TIMESTAMPTZ,
    pages_extracted INTEGER,
    articles_stored INTEGER,
    articles_annotated INTEGER,
    non_articles    INTEGER,
    failures        INTEGER,
    model           VARCHAR,
    gazetteer_version VARCHAR,
    taxonomy_version VARCHAR
);

CREATE TABLE topic_models (
    model_id        VARCHAR PRIMARY KEY,
    method          VARCHAR,
    k               INTEGER,
    fitted_at       TIMESTAMPTZ,
    n_docs          INTEGER,
    npmi            DOUBLE,
    diversity       DOUBLE,
    params          JSON,
    k_scores        JSON,             -- with --auto: {k: {npmi, diversity, score}}
    vocabulary      VARCHAR[],
    model_blob      BLOB,             -- the fitted model, so new articles are assigned without refitting
    is_current      BOOLEAN
);

CREATE TABLE topics (
    model_id        VARCHAR NOT NULL,
    topic_id        INTEGER NOT NULL,
    label           VARCHAR,
    terms           VARCHAR[],
    weights         DOUBLE[],
    size            INTEGER,
    share           DOUBLE,
    npmi            DOUBLE,
    PRIMARY KEY (model_id, topic_id)
);

CREATE TABLE article_topics (
    model_id        VARCHAR NOT NULL,
    article_id      VARCHAR NOT NULL,
    topic_id        INTEGER,
    weight          DOUBLE
);

CREATE TABLE quotes (
    article_id      VARCHAR NOT NULL,
    speaker         VARCHAR,
    entity_id       VARCHAR,
    quote           VARCHAR,
    organisation    VARCHAR,
    organisation_id VARCHAR,
    role            VARCHAR,
    kind            VARCHAR,
    start_char      INTEGER
);

CREATE TABLE figures (
    article_id      VARCHAR NOT NULL,
    value           DOUBLE,
    unit            VARCHAR,
    subject         VARCHAR,
    sentence        VARCHAR,
    start_char      INTEGER
);
