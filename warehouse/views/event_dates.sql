-- view: event_dates
-- One row per date mentioned in an article, resolved against its publication date.
CREATE OR REPLACE VIEW main.event_dates AS
WITH source AS (
    SELECT * FROM store.event_dates
),
renamed AS (
    SELECT
        article_id,
        text,
        char_start,
        resolved_date,
        granularity,
        relative,
        char_end
    FROM source
)
SELECT * FROM renamed;
