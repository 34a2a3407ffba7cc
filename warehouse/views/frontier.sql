-- view: frontier
-- One row per URL the fetcher has tried: its state, validators, failures and when it is next due.
CREATE OR REPLACE VIEW main.frontier AS
WITH source AS (
    SELECT * FROM store.frontier
),
renamed AS (
    SELECT
        url,
        source,
        kind,
        status,
        status_code,
        failures,
        next_due_at,
        last_fetched_at,
        first_seen_at,
        etag,
        last_modified,
        content_hash,
        last_error,
        final_url,
        run_id
    FROM source
)
SELECT * FROM renamed;
