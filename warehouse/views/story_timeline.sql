-- view: story_timeline
-- Question: who reported each story first, and who followed when? One row per story and outlet:
-- the outlet's first report, its rank among the outlets, and the hours after the story's first.
CREATE OR REPLACE VIEW main.story_timeline AS
WITH source AS (
    SELECT a.story_id, coalesce(a.outlet, '(unknown)') AS outlet, a.article_id, a.title, a.url,
           a.published_at AS reported_at  -- NULL when undated: never the fetch day
    FROM main.articles a
    WHERE a.story_id IS NOT NULL
),
per_outlet AS (
    SELECT story_id, outlet,
           arg_min(article_id, reported_at) AS article_id,
           arg_min(title, reported_at) AS title,
           arg_min(url, reported_at) AS url,
           min(reported_at) AS reported_at,
           count(*) AS articles
    FROM source GROUP BY ALL
),
renamed AS (
    SELECT
        p.story_id,
        s.title AS story_title,
        p.outlet,
        p.article_id,
        p.title,
        p.url,
        p.reported_at,
        p.articles,
        rank() OVER (PARTITION BY p.story_id ORDER BY p.reported_at NULLS LAST) AS outlet_rank,
        rank() OVER (PARTITION BY p.story_id ORDER BY p.reported_at NULLS LAST) = 1 AS is_first,
        round(epoch(p.reported_at - min(p.reported_at) OVER (PARTITION BY p.story_id)) / 3600.0, 2)
            AS hours_after_first
    FROM per_outlet p LEFT JOIN main.stories s USING (story_id)
)
SELECT * FROM renamed ORDER BY story_id, outlet_rank, outlet;
