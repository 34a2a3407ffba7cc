-- Issue 14. The places of an article's dateline ("Mataram, NTB (ANTARA News) - "), which the
-- normaliser cuts from the text, are mentions too; they have no offsets in articles.text.
-- found_in says where a mention was found: 'text' (char_start/char_end into articles.text, every
-- row written before this migration) or 'dateline' (char_start and char_end NULL).
-- article_entities.in_dateline: the article's dateline names the entity (the place it was filed
-- from); NULL (not looked at) for rows written before this migration, until `kabar enrich`
-- re-runs the entities enricher (its rules version changed with this).
-- No DEFAULT FALSE: DuckLake refuses to add a column whose default is not a bare constant, and
-- DuckDB's parser writes FALSE as a cast ('f'::BOOLEAN) (duckdb/ducklake#1290); 'text' is one.
ALTER TABLE store.mentions ADD COLUMN IF NOT EXISTS found_in VARCHAR DEFAULT 'text';
ALTER TABLE store.mentions ALTER COLUMN char_start DROP NOT NULL;
ALTER TABLE store.mentions ALTER COLUMN char_end DROP NOT NULL;
ALTER TABLE store.article_entities ADD COLUMN IF NOT EXISTS in_dateline BOOLEAN;
