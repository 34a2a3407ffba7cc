-- view: daily_entity_mentions
-- Question: how often was each entity (person, organisation, place) mentioned per day, and in
-- how many articles (originals only)?
CREATE OR REPLACE VIEW main.daily_entity_mentions AS
WITH source AS (
    SELECT m.article_id, m.entity_id, a.published_at, a.first_seen_at
    FROM main.mentions m JOIN main.articles a USING (article_id)
    WHERE a.duplicate_of IS NULL AND m.entity_id IS NOT NULL
),
renamed AS (
    SELECT
        CAST(timezone('Asia/Jakarta', s.published_at) AS DATE) AS day,
        s.entity_id,
        e.name,
        e.type,
        count(*) AS mentions,
        count(DISTINCT s.article_id) AS articles
    FROM source s LEFT JOIN main.entities e USING (entity_id)
    GROUP BY ALL
)
SELECT * FROM renamed ORDER BY day, mentions DESC;
