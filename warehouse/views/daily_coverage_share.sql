-- view: daily_coverage_share
-- Question: what share of an outlet's output each day was about the subject (the sources'
-- include/exclude patterns)? "Normalised attention": a rising count of subject articles means
-- little if the outlet simply published more. Every item a source listed counts, fetched or not.
-- The day is the Asia/Jakarta calendar day of publication (of first sighting when undated).
CREATE OR REPLACE VIEW main.daily_coverage_share AS
WITH source AS (
    SELECT * FROM store.discovered_items
),
renamed AS (
    SELECT
        day,
        outlet,
        count(*) AS items,
        count(*) FILTER (WHERE matched) AS matched,
        count(*) FILTER (WHERE matched_on = 'none') AS undecided,
        count(*) FILTER (WHERE matched_on = 'text') AS judged_on_text,
        round(count(*) FILTER (WHERE matched) / count(*), 4) AS share
    FROM source
    GROUP BY ALL
)
SELECT * FROM renamed ORDER BY day, outlet;
