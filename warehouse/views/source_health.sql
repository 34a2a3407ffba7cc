-- view: source_health
-- Question: which sources need attention? Per source: its last run and last success, consecutive
-- failing (unreadable, or every page failed) and silent (listed nothing) runs, and how many new
-- items its last run day brought against its own median of the 30 days before.
CREATE OR REPLACE VIEW main.source_health AS
WITH source AS (
    SELECT * FROM store.run_sources
),
runs_ranked AS (
    SELECT *, row_number() OVER (PARTITION BY source ORDER BY finished_at DESC, run_id DESC) AS recency
    FROM source
),
streaks AS (
    SELECT
        source,
        -- runs since the last one that was not failing (resp. not silent), latest first
        coalesce(min(recency) FILTER (WHERE status <> 'failing'), max(recency) + 1) - 1 AS consecutive_failed_runs,
        coalesce(min(recency) FILTER (WHERE status <> 'silent'), max(recency) + 1) - 1 AS consecutive_silent_runs,
        max(finished_at) AS last_run_at,
        max(finished_at) FILTER (WHERE status IN ('ok', 'unchanged')) AS last_success_at,
        count(*) FILTER (WHERE status = 'failing' AND finished_at >= now() - INTERVAL 30 DAY) AS failed_runs_30d,
        count(*) FILTER (WHERE finished_at >= now() - INTERVAL 30 DAY) AS runs_30d
    FROM runs_ranked
    GROUP BY source
),
latest AS (
    SELECT source, status AS last_status, reason AS last_reason FROM runs_ranked WHERE recency = 1
),
run_days AS (
    SELECT DISTINCT source, CAST(timezone('Asia/Jakarta', finished_at) AS DATE) AS day FROM source
),
daily AS (
    SELECT r.source, r.day, count(i.url) AS items
    FROM run_days r
    LEFT JOIN store.discovered_items i
      ON i.source = r.source AND CAST(timezone('Asia/Jakarta', i.first_seen_at) AS DATE) = r.day
    GROUP BY r.source, r.day
),
last_day AS (
    SELECT source, max(day) AS day FROM daily GROUP BY source
),
output AS (
    SELECT
        d.source,
        max(d.items) FILTER (WHERE d.day = l.day) AS items_last_day,
        median(d.items) FILTER (WHERE d.day < l.day AND d.day >= l.day - INTERVAL 30 DAY) AS median_items_30d
    FROM daily d JOIN last_day l USING (source)
    GROUP BY d.source
),
renamed AS (
    SELECT
        s.source,
        CASE
            WHEN t.last_status = 'failing' AND s.last_success_at IS NOT NULL THEN 'started_failing'
            WHEN t.last_status = 'failing' THEN 'failing'
            WHEN t.last_status = 'silent' THEN 'silent'
            WHEN o.median_items_30d >= 4 AND o.items_last_day < o.median_items_30d / 4 THEN 'low_output'
            ELSE 'ok'
        END AS status,
        t.last_status,
        t.last_reason,
        s.last_run_at,
        s.last_success_at,
        s.consecutive_failed_runs,
        s.consecutive_silent_runs,
        s.failed_runs_30d,
        s.runs_30d,
        o.items_last_day,
        o.median_items_30d,
        round(o.items_last_day / nullif(o.median_items_30d, 0), 2) AS items_vs_median
    FROM streaks s JOIN latest t USING (source) LEFT JOIN output o USING (source)
)
SELECT *, status <> 'ok' AS needs_attention FROM renamed ORDER BY needs_attention DESC, source;
