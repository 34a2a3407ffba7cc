-- view: stories
-- One row per story: articles about one event, from one or more outlets, copies included.
CREATE OR REPLACE VIEW main.stories AS
WITH source AS (
    SELECT a.*, s.title AS story_title
    FROM store.articles a JOIN store.stories s USING (story_id)
),
renamed AS (
    SELECT
        story_id,
        -- The first original report's title (earliest published, else first seen) among those
        -- that have one; a story started by an untitled text (a .txt without a headline) or
        -- joined later by an earlier report is named after its first titled original, never an id.
        coalesce(
            arg_min(title, coalesce(published_at, first_seen_at))
                FILTER (WHERE duplicate_of IS NULL AND title IS NOT NULL AND trim(title) <> ''),
            any_value(story_title)) AS title,
        min(published_at) AS first_published_at,
        max(published_at) AS last_published_at,
        count(*) AS article_count,
        count(DISTINCT outlet) AS outlet_count,
        arg_min(outlet, coalesce(published_at, first_seen_at)) AS first_outlet,
        count(*) FILTER (WHERE duplicate_of IS NULL) AS original_count,
        min(first_seen_at) AS first_seen_at,
        arg_min(article_id, coalesce(published_at, first_seen_at)) AS first_article_id
    FROM source
    GROUP BY story_id
)
SELECT * FROM renamed;
