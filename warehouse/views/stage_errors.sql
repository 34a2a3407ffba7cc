-- view: stage_errors
-- Items that were fetched but failed in a later stage (extract, enrich, ...), with the reason;
-- and items a run did not attempt (stage 'not_attempted': its time budget ran out).
CREATE OR REPLACE VIEW main.stage_errors AS
WITH source AS (
    SELECT * FROM store.stage_errors
),
renamed AS (
    SELECT url, source, stage, error, failed_at, run_id FROM source
)
SELECT * FROM renamed;
