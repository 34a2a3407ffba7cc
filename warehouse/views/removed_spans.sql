-- view: removed_spans
-- What text cleaning removed from each article, with the rule that removed it and where.
CREATE OR REPLACE VIEW main.removed_spans AS
WITH source AS (
    SELECT * FROM store.removed_spans
),
renamed AS (
    SELECT
        article_id,
        rule,
        text,
        position,
        length(text) AS length,
        content_hash,
        run_id
    FROM source
)
SELECT * FROM renamed;
