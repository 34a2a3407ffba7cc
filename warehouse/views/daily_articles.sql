-- view: daily_articles
-- Question: how many articles did each outlet publish per day (originals, copies left out)?
-- The day is the Asia/Jakarta calendar day of publication; undated articles are counted on a NULL
-- day (never the day they were fetched).
CREATE OR REPLACE VIEW main.daily_articles AS
WITH source AS (
    SELECT * FROM main.articles WHERE duplicate_of IS NULL
),
renamed AS (
    SELECT
        CAST(timezone('Asia/Jakarta', published_at) AS DATE) AS day,
        coalesce(outlet, '(unknown)') AS outlet,
        count(*) AS articles,
        count(*) FILTER (WHERE published_at IS NULL) AS undated,
        sum(word_count) AS words
    FROM source
    GROUP BY ALL
)
SELECT * FROM renamed ORDER BY day, outlet;
