-- view: daily_theme_articles
-- Question: which themes were covered how much, day by day (originals only)?
CREATE OR REPLACE VIEW main.daily_theme_articles AS
WITH source AS (
    SELECT a.article_id, a.published_at, a.first_seen_at, t.theme, t.score
    FROM main.themes t JOIN main.articles a USING (article_id)
    WHERE a.duplicate_of IS NULL
),
renamed AS (
    SELECT
        CAST(timezone('Asia/Jakarta', published_at) AS DATE) AS day,
        theme,
        count(DISTINCT article_id) AS articles,
        avg(score) AS avg_score
    FROM source
    GROUP BY ALL
)
SELECT * FROM renamed ORDER BY day, theme;
