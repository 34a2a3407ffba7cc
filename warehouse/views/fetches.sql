-- view: fetches
-- One row per fetch attempt outcome (HTTP request, local file read or WARC record read).
CREATE OR REPLACE VIEW main.fetches AS
WITH source AS (
    SELECT * FROM store.fetches
),
renamed AS (
    SELECT
        url,
        source,
        status_code,
        error,
        bytes,
        fetched_at,
        run_id,
        content_type,
        final_url,
        warc_record_id,
        page_type,
        page_type_reason
    FROM source
)
SELECT * FROM renamed;
