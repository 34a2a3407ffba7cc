-- view: articles
-- One row per article (its latest version). Copies of another article carry `duplicate_of`.
CREATE OR REPLACE VIEW main.articles AS
WITH source AS (
    SELECT * FROM store.articles
),
renamed AS (
    SELECT
        article_id,
        url,
        canonical_url,
        source,
        outlet,
        title,
        author,
        published_at,
        published_at_source,
        language,
        text,
        word_count,
        content_hash,
        duplicate_of,
        story_id,
        first_seen_at,
        last_seen_at,
        run_id,
        version,
        sitename,
        summary,
        description,
        duplicate_similarity
    FROM source
)
SELECT * FROM renamed;
