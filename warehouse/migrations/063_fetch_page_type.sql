-- The page-type decision kept on the fetch record (tasks/page_type.py): only `article` pages
-- become articles; listings, galleries, videos and other pages are recorded with the reason.
ALTER TABLE store.fetches ADD COLUMN page_type VARCHAR;
ALTER TABLE store.fetches ADD COLUMN page_type_reason VARCHAR;
