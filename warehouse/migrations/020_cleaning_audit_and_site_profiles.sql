-- Issue 4: what text cleaning removed from each article (with the rule that removed it), the
-- extracted text cleaning started from (so cleaning can be re-run without fetching), and the
-- per-site counts from which each site's boilerplate is learned.
CREATE TABLE store.removed_spans (
    article_id   VARCHAR NOT NULL,
    rule         VARCHAR NOT NULL,   -- the cleaning rule's name (tasks/normalise.py)
    text         VARCHAR NOT NULL,   -- what it removed
    position     INTEGER NOT NULL,   -- character offset in the extracted text
    content_hash VARCHAR,            -- the cleaned text's hash when this was recorded
    run_id       VARCHAR NOT NULL
);

CREATE TABLE store.extracted_texts (
    article_id VARCHAR PRIMARY KEY,
    text       VARCHAR NOT NULL,     -- the extractor's output after Unicode/space normalisation
    raw_title  VARCHAR,              -- the title before site names were cut off
    run_id     VARCHAR NOT NULL
);

CREATE TABLE store.site_pages (
    site       VARCHAR NOT NULL,     -- registrable domain (regional.kompas.com -> kompas.com)
    article_id VARCHAR NOT NULL,
    seen_at    TIMESTAMPTZ NOT NULL,
    run_id     VARCHAR NOT NULL,
    PRIMARY KEY (site, article_id)
);

CREATE TABLE store.site_lines (
    site          VARCHAR NOT NULL,
    kind          VARCHAR NOT NULL,  -- 'line' (a paragraph of extracted text) | 'title_affix'
    line_key      VARCHAR NOT NULL,  -- tasks.boilerplate.line_key (case, digits, spacing ignored)
    sample        VARCHAR NOT NULL,  -- one occurrence, as seen
    pages         INTEGER NOT NULL,  -- distinct pages of the site it appeared on
    first_seen_at TIMESTAMPTZ NOT NULL,
    last_seen_at  TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (site, kind, line_key)
);
