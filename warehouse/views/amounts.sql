-- view: amounts
-- One row per quantity mentioned: value, counted noun or unit, qualifier.
CREATE OR REPLACE VIEW main.amounts AS
WITH source AS (
    SELECT * FROM store.amounts
),
renamed AS (
    SELECT
        article_id,
        value,
        unit,
        qualifier,
        text,
        char_start,
        char_end
    FROM source
)
SELECT * FROM renamed;
