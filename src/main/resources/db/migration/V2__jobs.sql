-- Asynchronous (v2) jobs: the durable record of a request from submit to its result, kept for a while after
-- it finished (SPEC §3.2). Synchronous v1 jobs live in memory only; their holds are released by the
-- hold sweeper if the process dies under them.
CREATE TABLE jobs (
    id               TEXT PRIMARY KEY,
    account_id       TEXT NOT NULL,
    key_id           TEXT,
    model            TEXT NOT NULL,
    node_id          TEXT NOT NULL,
    status           TEXT NOT NULL,      -- QUEUED, PROCESSING, COMPLETED, FAILED, CANCELED
    params           TEXT NOT NULL,      -- validated parameters (seed resolved), needed to run after a restart
    seed             BIGINT,
    hold_id          TEXT NOT NULL,
    hold_amount      BIGINT NOT NULL,
    idempotency_key  TEXT,
    body_hash        TEXT,
    webhook_url      TEXT,
    base             TEXT,               -- origin of Hearth's own URLs for this request (media inputs under it)
    output           TEXT,               -- JSON text of the output (media outputs: their URLs)
    error            TEXT,
    error_status     INTEGER,
    cost             BIGINT,
    remaining        BIGINT,
    submitted_at     BIGINT NOT NULL,
    started_at       BIGINT,
    finished_at      BIGINT,
    queue_ms         BIGINT,
    processing_ms    BIGINT,
    expires_at       BIGINT
);
CREATE UNIQUE INDEX jobs_idempotency ON jobs (account_id, idempotency_key) WHERE idempotency_key IS NOT NULL;
CREATE INDEX jobs_status_node ON jobs (status, node_id);
CREATE INDEX jobs_expires ON jobs (expires_at);
