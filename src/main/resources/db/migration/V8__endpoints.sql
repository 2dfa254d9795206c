-- Dedicated endpoints (SPEC §9): an account's own pool of workers for one catalog model. A deleted endpoint
-- keeps its row (deleted_at set) so its billing totals stay readable; its name is free again for a new one.
CREATE TABLE endpoints (
    id                 TEXT PRIMARY KEY,
    account_id         TEXT NOT NULL REFERENCES accounts (id),
    name               TEXT NOT NULL,
    model_name         TEXT NOT NULL,
    workers_min        INTEGER NOT NULL,
    workers_max        INTEGER NOT NULL,
    idle_timeout       INTEGER NOT NULL,      -- seconds a worker may stay idle before it stops (above workers_min)
    execution_timeout  INTEGER NOT NULL,      -- seconds one call may run
    scaler_type        TEXT NOT NULL,
    scaler_value       INTEGER NOT NULL,
    gpu_id             TEXT NOT NULL,         -- hardware class; its hourly rate is in the endpoints.hardware config
    suspended          INTEGER NOT NULL DEFAULT 0,   -- 1: the account could not pay the next billing tick
    status             TEXT NOT NULL,         -- last status the gateway saw (for readers without the live pool: the CLI)
    status_detail      TEXT,
    billed_millis      BIGINT NOT NULL DEFAULT 0,    -- worker-milliseconds charged so far
    billed_amount      BIGINT NOT NULL DEFAULT 0,    -- nano-dollars charged so far
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    deleted_at         BIGINT
);
CREATE UNIQUE INDEX endpoints_name ON endpoints (account_id, name) WHERE deleted_at IS NULL;
CREATE INDEX endpoints_live ON endpoints (deleted_at);
