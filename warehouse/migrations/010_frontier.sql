-- The crawl frontier: one row per URL the fetcher has tried (articles and the feeds/sitemaps
-- that list them), with what the next run needs: validators for a conditional GET, the failure
-- count and when the URL is next due. And the WARC record id of each fetch's captured response.
CREATE TABLE store.frontier (
    url             VARCHAR PRIMARY KEY,
    source          VARCHAR NOT NULL,
    kind            VARCHAR NOT NULL,      -- page | discovery (a feed, sitemap or listing page)
    first_seen_at   TIMESTAMPTZ NOT NULL,
    last_fetched_at TIMESTAMPTZ NOT NULL,
    status          VARCHAR NOT NULL,      -- fetched | unchanged | failed | gave_up
    status_code     INTEGER,
    etag            VARCHAR,
    last_modified   VARCHAR,
    content_hash    VARCHAR,               -- sha256 (32 hex) of the last body fetched
    failures        INTEGER NOT NULL DEFAULT 0,
    next_due_at     TIMESTAMPTZ,           -- NULL once given up
    last_error      VARCHAR,
    final_url       VARCHAR,
    run_id          VARCHAR NOT NULL
);

ALTER TABLE store.fetches ADD COLUMN warc_record_id VARCHAR;
