-- Data-quality checks recorded per run (warehouse/quality.py); public as the quality_checks view.
CREATE TABLE IF NOT EXISTS store.quality_checks (
    run_id       VARCHAR NOT NULL,
    check_name   VARCHAR NOT NULL,
    passed       BOOLEAN NOT NULL,
    failing_rows BIGINT NOT NULL,
    detail       VARCHAR,
    checked_at   TIMESTAMPTZ NOT NULL
);
