-- view: quality_checks
-- Question: did the last load leave anything off in the warehouse (articles without text,
-- dates in the future, dangling duplicate_of/story_id, mentions outside their article)?
-- One row per check per run; `check` is a reserved word in SQL: quote it ("check").
CREATE OR REPLACE VIEW main.quality_checks AS
WITH source AS (
    SELECT * FROM store.quality_checks
),
renamed AS (
    SELECT
        run_id,
        check_name AS "check",
        passed,
        failing_rows,
        detail,
        checked_at
    FROM source
)
SELECT * FROM renamed;
