-- view: tone
-- Lexicon-based tone of each article's text (GDELT-style percentages of words).
CREATE OR REPLACE VIEW main.tone AS
WITH source AS (
    SELECT * FROM store.tone
),
renamed AS (
    SELECT
        article_id,
        tone,
        positive,
        negative,
        polarity,
        words
    FROM source
)
SELECT * FROM renamed;
