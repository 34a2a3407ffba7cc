-- view: site_boilerplate
-- Lines (and title affixes) recurring across a site's pages; `is_boilerplate` is what cleaning removes.
-- The thresholds match tasks.boilerplate.MIN_PAGES (3) and MIN_SHARE (0.05).
CREATE OR REPLACE VIEW main.site_boilerplate AS
WITH source AS (
    SELECT l.*, p.site_pages
    FROM store.site_lines l
    JOIN (SELECT site, count(*) AS site_pages FROM store.site_pages GROUP BY site) p USING (site)
    WHERE l.pages >= 2
),
renamed AS (
    SELECT
        site,
        kind,
        sample AS text,
        pages,
        site_pages,
        round(pages / site_pages, 3) AS share,
        pages >= greatest(3, 0.05 * site_pages) AS is_boilerplate,
        first_seen_at,
        last_seen_at,
        line_key
    FROM source
)
SELECT * FROM renamed;
