-- Issue 13. The summary a page declares in its metadata (og:description, <meta name=description>).
-- Extraction leaves a standfirst that repeats it out of the body (as fundus and the page's own
-- markup file it: a summary, not the article), so it is kept here instead of being lost.
-- Existing rows stay NULL until their next change.
ALTER TABLE store.articles ADD COLUMN description VARCHAR;
