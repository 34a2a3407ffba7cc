-- view: mentions
-- Every name found in an article's text; entity_id is null for names not in the knowledge base.
-- The places of the article's dateline (cut from the text) have found_in = 'dateline' and no offsets.
CREATE OR REPLACE VIEW main.mentions AS
WITH source AS (
    SELECT * FROM store.mentions
),
renamed AS (
    SELECT
        article_id,
        entity_id,
        surface,
        char_start,
        char_end,
        type,
        canonical,
        found_in
    FROM source
)
SELECT * FROM renamed;
