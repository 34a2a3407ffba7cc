-- view: runs
-- One row per flow run, with its state and counts.
CREATE OR REPLACE VIEW main.runs AS
WITH source AS (
    SELECT * FROM store.runs
),
renamed AS (
    SELECT
        run_id,
        flow,
        started_at,
        finished_at,
        state,
        discovered,
        fetched,
        failed,
        new,
        duplicate,
        updated,
        unchanged,
        skipped,
        message
    FROM source
)
SELECT * FROM renamed;
