-- The first schema: runs, fetches, articles and their versions, per-item stage errors, and the
-- bookkeeping of which enricher (name, version) ran over which article content.
CREATE SCHEMA IF NOT EXISTS store;

CREATE TABLE store.runs (
    run_id      VARCHAR PRIMARY KEY,
    flow        VARCHAR NOT NULL,
    started_at  TIMESTAMPTZ NOT NULL,
    finished_at TIMESTAMPTZ,
    state       VARCHAR NOT NULL,          -- running | completed | completed_with_warnings | failed | crashed
    discovered  BIGINT NOT NULL DEFAULT 0,
    fetched     BIGINT NOT NULL DEFAULT 0,
    failed      BIGINT NOT NULL DEFAULT 0,
    new         BIGINT NOT NULL DEFAULT 0,
    duplicate   BIGINT NOT NULL DEFAULT 0,
    updated     BIGINT NOT NULL DEFAULT 0,
    unchanged   BIGINT NOT NULL DEFAULT 0,
    skipped     BIGINT NOT NULL DEFAULT 0,
    params      JSON,
    host        VARCHAR,
    pid         INTEGER,
    message     VARCHAR
);

CREATE TABLE store.fetches (
    url          VARCHAR NOT NULL,
    source       VARCHAR NOT NULL,
    status_code  INTEGER,
    error        VARCHAR,
    bytes        BIGINT,
    content_type VARCHAR,
    final_url    VARCHAR,
    fetched_at   TIMESTAMPTZ NOT NULL,
    run_id       VARCHAR NOT NULL
);

CREATE TABLE store.articles (
    article_id    VARCHAR PRIMARY KEY,
    url           VARCHAR NOT NULL,
    canonical_url VARCHAR NOT NULL UNIQUE,
    source        VARCHAR NOT NULL,
    outlet        VARCHAR,
    sitename      VARCHAR,
    title         VARCHAR,
    author        VARCHAR,
    published_at  TIMESTAMPTZ,
    language      VARCHAR,
    text          VARCHAR NOT NULL,
    word_count    INTEGER NOT NULL,
    content_hash  VARCHAR NOT NULL,
    duplicate_of  VARCHAR,
    story_id      VARCHAR,
    version       INTEGER NOT NULL DEFAULT 1,
    fetched_at    TIMESTAMPTZ NOT NULL,
    first_seen_at TIMESTAMPTZ NOT NULL,
    last_seen_at  TIMESTAMPTZ NOT NULL,
    run_id        VARCHAR NOT NULL
);

CREATE TABLE store.article_versions (
    article_id   VARCHAR NOT NULL,
    version      INTEGER NOT NULL,
    content_hash VARCHAR NOT NULL,
    title        VARCHAR,
    text         VARCHAR NOT NULL,
    fetched_at   TIMESTAMPTZ NOT NULL,
    run_id       VARCHAR NOT NULL,
    PRIMARY KEY (article_id, version)
);

CREATE TABLE store.stage_errors (
    url    VARCHAR NOT NULL,
    source VARCHAR NOT NULL,
    stage  VARCHAR NOT NULL,
    error  VARCHAR NOT NULL,
    failed_at TIMESTAMPTZ NOT NULL,
    run_id VARCHAR NOT NULL
);

CREATE TABLE store.enrichment_log (
    article_id       VARCHAR NOT NULL,
    enricher         VARCHAR NOT NULL,
    enricher_version VARCHAR NOT NULL,
    content_hash     VARCHAR NOT NULL,
    error            VARCHAR,
    enriched_at      TIMESTAMPTZ NOT NULL,
    run_id           VARCHAR NOT NULL,
    PRIMARY KEY (article_id, enricher)
);
