-- Per-account limits in place of the plan's (SPEC §5 "enterprise: per-account numbers"). A NULL column means
-- "the plan's number"; an account without a row follows its plan exactly.
CREATE TABLE account_limits (
    account_id               TEXT PRIMARY KEY REFERENCES accounts (id),
    requests_per_minute      BIGINT,
    read_requests_per_minute BIGINT,
    concurrent_jobs          INTEGER,
    updated_at               BIGINT NOT NULL
);
