-- view: entities
-- One row per knowledge-base entity named in at least one article (attributes as of the most
-- recent enrichment), with how many articles name it.
CREATE OR REPLACE VIEW main.entities AS
WITH source AS (
    SELECT e.*, l.enriched_at
    FROM store.article_entities e
    LEFT JOIN store.enrichment_log l ON l.article_id = e.article_id AND l.enricher = 'entities'
),
renamed AS (
    SELECT
        entity_id,
        arg_max(name, enriched_at) AS name,
        arg_max(type, enriched_at) AS type,
        arg_max(wikidata_id, enriched_at) AS wikidata_id,
        arg_max(wikidata_note, enriched_at) AS wikidata_note,
        arg_max(country, enriched_at) AS country,
        count(DISTINCT article_id) AS articles
    FROM source
    GROUP BY entity_id
)
SELECT * FROM renamed;
