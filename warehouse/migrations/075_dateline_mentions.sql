-- Issue 14. The places of an article's dateline ("Mataram, NTB (ANTARA News) - "), which the
-- normaliser cuts from the text, are mentions too; they have no offsets in articles.text.
-- found_in says where a mention was found: 'text' (char_start/char_end into articles.text, every
-- row written before this migration) or 'dateline' (char_start and char_end NULL).
-- article_entities.in_dateline: the article's dateline names the entity (the place it was filed
-- from); FALSE for rows written before this migration (re-enriching fills it).
ALTER TABLE store.mentions ADD COLUMN IF NOT EXISTS found_in VARCHAR DEFAULT 'text';
ALTER TABLE store.mentions ALTER COLUMN char_start DROP NOT NULL;
ALTER TABLE store.mentions ALTER COLUMN char_end DROP NOT NULL;
ALTER TABLE store.article_entities ADD COLUMN IF NOT EXISTS in_dateline BOOLEAN DEFAULT FALSE;
