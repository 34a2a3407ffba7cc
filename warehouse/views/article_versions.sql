-- view: article_versions
-- Every stored version of every article; `changed_chars` is how many characters changed from the
-- previous version (difflib, stored at load; older rows: the length difference).
CREATE OR REPLACE VIEW main.article_versions AS
WITH source AS (
    SELECT v.*, c.changed_chars AS stored_changed_chars
    FROM store.article_versions v LEFT JOIN store.version_changes c USING (article_id, version)
),
renamed AS (
    SELECT
        article_id,
        version,
        content_hash,
        fetched_at,
        coalesce(stored_changed_chars,
                 abs(length(text) - coalesce(lag(length(text)) OVER (PARTITION BY article_id ORDER BY version), 0)))
            AS changed_chars,
        title,
        text,
        run_id
    FROM source
)
SELECT * FROM renamed;
