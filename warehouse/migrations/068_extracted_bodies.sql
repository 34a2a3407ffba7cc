-- Issue 11. Per fetched URL: the hash of the body its stored article was extracted from, and the
-- extractor version that did it. A later fetch of the same bytes, with the same extractor, is
-- counted `unchanged` without being extracted, normalised, enriched or loaded again.
CREATE TABLE IF NOT EXISTS store.extracted_bodies (
    url          VARCHAR PRIMARY KEY,  -- the fetched item's URL (file:// for local files)
    body_hash    VARCHAR NOT NULL,     -- sha256 (32 hex) of the body, and of pages 2.. of a multi-page article
    extractor    VARCHAR NOT NULL,     -- tasks/unchanged.py extractor_version() when it was extracted
    article_id   VARCHAR NOT NULL,     -- the article that body gave
    extracted_at TIMESTAMPTZ NOT NULL,
    run_id       VARCHAR NOT NULL
);
