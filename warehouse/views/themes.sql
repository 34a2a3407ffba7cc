-- view: themes
-- The taxonomy themes (tasks/kb/themes.toml or the user's file) each article is about.
CREATE OR REPLACE VIEW main.themes AS
WITH source AS (
    SELECT * FROM store.themes
),
renamed AS (
    SELECT
        article_id,
        theme,
        score,
        hits,
        cues
    FROM source
)
SELECT * FROM renamed;
