-- Issue 11. The search index's change log: the loader appends the id of every article it
-- inserted or changed (new, updated, duplicate) in the same transaction as the article, and the
-- index update (warehouse/search.py) reads only these ids, then empties the table. Without it the
-- update compared a signature of every original with the index: work that grew with the
-- warehouse, not with the run.
CREATE TABLE IF NOT EXISTS store.search_changes (
    article_id VARCHAR NOT NULL,  -- an article inserted or changed since the last index update
    run_id     VARCHAR NOT NULL   -- the run that wrote it
);
