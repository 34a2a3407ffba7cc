-- view: article_versions
-- Every stored version of every article; `changed_chars` is the length difference to the previous one.
CREATE OR REPLACE VIEW main.article_versions AS
WITH source AS (
    SELECT * FROM store.article_versions
),
renamed AS (
    SELECT
        article_id,
        version,
        content_hash,
        fetched_at,
        abs(length(text) - coalesce(lag(length(text)) OVER (PARTITION BY article_id ORDER BY version), 0))
            AS changed_chars,
        title,
        text,
        run_id
    FROM source
)
SELECT * FROM renamed;
