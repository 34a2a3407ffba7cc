-- view: entity_cooccurrence
-- Question: which entities appear together, and how often? One row per unordered pair
-- (entity_id_a < entity_id_b) per scope: 'article' counts originals mentioning both, 'story'
-- counts stories (articles.story_id) whose articles mention both.
CREATE OR REPLACE VIEW main.entity_cooccurrence AS
WITH source AS (
    SELECT DISTINCT m.article_id, a.story_id, m.entity_id
    FROM main.mentions m JOIN main.articles a USING (article_id)
    WHERE a.duplicate_of IS NULL AND m.entity_id IS NOT NULL
),
groups AS (
    -- an entity's scopes: each original it is mentioned in, and each story of those
    SELECT 'article' AS scope, article_id AS group_id, entity_id FROM source
    UNION ALL
    SELECT DISTINCT 'story' AS scope, story_id AS group_id, entity_id FROM source WHERE story_id IS NOT NULL
),
pairs AS (
    SELECT x.scope, x.entity_id AS entity_id_a, y.entity_id AS entity_id_b,
           count(DISTINCT x.group_id) AS together
    FROM groups x JOIN groups y
      ON x.scope = y.scope AND x.group_id = y.group_id AND x.entity_id < y.entity_id
    GROUP BY ALL
),
renamed AS (
    SELECT p.scope, p.entity_id_a, ea.name AS name_a, p.entity_id_b, eb.name AS name_b, p.together
    FROM pairs p
    LEFT JOIN main.entities ea ON ea.entity_id = p.entity_id_a
    LEFT JOIN main.entities eb ON eb.entity_id = p.entity_id_b
)
SELECT * FROM renamed ORDER BY together DESC, scope, entity_id_a, entity_id_b;
