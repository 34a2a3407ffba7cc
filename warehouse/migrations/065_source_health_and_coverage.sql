-- Issue 16. Per run and source: what the source did and the health status the run gave it
-- (ok / silent / failing / unchanged), read by the source_health view.
CREATE TABLE IF NOT EXISTS store.run_sources (
    run_id        VARCHAR NOT NULL,
    source        VARCHAR NOT NULL,
    status        VARCHAR NOT NULL,
    listed        BIGINT NOT NULL,
    discovered    BIGINT NOT NULL,
    fetched       BIGINT NOT NULL,
    failed        BIGINT NOT NULL,
    new           BIGINT NOT NULL,
    reason        VARCHAR,
    finished_at   TIMESTAMPTZ NOT NULL
);
-- Every item a source listed (fetched or not), once per source and URL: the total output of an
-- outlet, and whether the item matched the subject (include/exclude), for daily_coverage_share.
CREATE TABLE IF NOT EXISTS store.discovered_items (
    source        VARCHAR NOT NULL,
    outlet        VARCHAR NOT NULL,
    url           VARCHAR NOT NULL,
    day           DATE NOT NULL,
    published_at  TIMESTAMPTZ,
    title         VARCHAR,
    matched       BOOLEAN NOT NULL,
    matched_on    VARCHAR NOT NULL,
    first_seen_at TIMESTAMPTZ NOT NULL,
    run_id        VARCHAR NOT NULL
);
