-- view: quotes
-- One row per direct quote, with its speaker (resolved and, when known, linked to an entity).
CREATE OR REPLACE VIEW main.quotes AS
WITH source AS (
    SELECT * FROM store.quotes
),
renamed AS (
    SELECT
        article_id,
        quote,
        speaker_text,
        speaker_entity_id,
        char_start,
        char_end,
        speaker_surface,
        verb
    FROM source
)
SELECT * FROM renamed;
