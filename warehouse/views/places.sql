-- view: places
-- The knowledge-base places each article names, with their country and coordinates.
CREATE OR REPLACE VIEW main.places AS
WITH source AS (
    SELECT * FROM store.article_entities WHERE type = 'place'
),
renamed AS (
    SELECT
        article_id,
        entity_id,
        name,
        country,
        lat,
        lon,
        wikidata_id,
        mention_count
    FROM source
)
SELECT * FROM renamed;
