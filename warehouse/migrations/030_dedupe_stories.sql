-- Near-duplicate index, stories and version change sizes.
-- The signature index is append-mostly and read by first-seen time: rows arrive in time order,
-- so DuckDB's per-row-group min/max on seen_at lets a windowed lookup skip old row groups.
ALTER TABLE store.articles ADD COLUMN duplicate_similarity DOUBLE;

-- How much each stored version changed from the previous one (a side table, so the loader's
-- positional INSERT into article_versions stays as it is).
CREATE TABLE store.version_changes (
    article_id    VARCHAR NOT NULL,
    version       INTEGER NOT NULL,
    changed_chars INTEGER NOT NULL,   -- characters inserted + deleted (difflib opcodes)
    PRIMARY KEY (article_id, version)
);

-- One MinHash signature per article (its latest version): uint32[128] little-endian.
CREATE TABLE store.article_signatures (
    article_id  VARCHAR NOT NULL,
    original_id VARCHAR NOT NULL,      -- the article itself, or the original it copies
    seen_at     TIMESTAMPTZ NOT NULL,  -- first seen; the window of the lookup
    signature   BLOB NOT NULL,
    run_id      VARCHAR NOT NULL
);

-- LSH band keys of each signature: two articles sharing (band, bucket) are candidates.
CREATE TABLE store.article_bands (
    band       SMALLINT NOT NULL,
    bucket     BIGINT NOT NULL,
    article_id VARCHAR NOT NULL,
    seen_at    TIMESTAMPTZ NOT NULL
);

-- Stories: one row per story with its running salient-term centroid (in story_terms).
CREATE TABLE store.stories (
    story_id         VARCHAR PRIMARY KEY,
    title            VARCHAR,
    first_article_id VARCHAR NOT NULL,
    first_date       TIMESTAMPTZ,          -- earliest / latest article date (published, else dateline)
    last_date        TIMESTAMPTZ,
    members          INTEGER NOT NULL,      -- originals folded into the centroid
    norm             DOUBLE NOT NULL,       -- Euclidean norm of the centroid (all its terms)
    created_at       TIMESTAMPTZ NOT NULL,
    updated_at       TIMESTAMPTZ NOT NULL,
    run_id           VARCHAR NOT NULL
);

CREATE TABLE store.story_terms (
    story_id VARCHAR NOT NULL,
    term     VARCHAR NOT NULL,
    weight   DOUBLE NOT NULL
);

-- Document frequencies of salient terms over originals (term '' holds the document count).
CREATE TABLE store.term_df (
    term VARCHAR PRIMARY KEY,
    df   BIGINT NOT NULL
);
