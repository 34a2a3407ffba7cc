-- Where each article's published_at came from: 'metadata' (the page's or feed's own), 'text' (a
-- date line on the page), 'estimate' (a full date its text states: dateline, lead); NULL when
-- undated (published_at is NULL too, never the ingest day).
ALTER TABLE store.articles ADD COLUMN published_at_source VARCHAR;
