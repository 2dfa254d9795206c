-- PixelFlow workflows (SPEC §10): workflows and their immutable versions, runs with the state of each node,
-- and the webhook registry that subscribes an account's URLs to workflow events.
-- Booleans are INTEGER 0/1 so the same statements work on SQLite and PostgreSQL.

CREATE TABLE workflows (
    id                 TEXT PRIMARY KEY,
    account_id         TEXT NOT NULL REFERENCES accounts (id),
    name               TEXT NOT NULL,
    is_public          INTEGER NOT NULL DEFAULT 0,
    is_template        INTEGER NOT NULL DEFAULT 0,
    -- the version callable as an API (null until one is published)
    published_version  INTEGER,
    latest_version     INTEGER NOT NULL,
    created_at         BIGINT NOT NULL,
    updated_at         BIGINT NOT NULL,
    deleted_at         BIGINT
);
CREATE INDEX workflows_account ON workflows (account_id);

-- A saved graph never changes: a new save is a new version.
CREATE TABLE workflow_versions (
    workflow_id  TEXT NOT NULL REFERENCES workflows (id),
    version      INTEGER NOT NULL,
    graph        TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (workflow_id, version)
);

CREATE TABLE workflow_runs (
    id           TEXT PRIMARY KEY,
    workflow_id  TEXT NOT NULL,
    version      INTEGER NOT NULL,
    account_id   TEXT NOT NULL,
    key_id       TEXT,
    -- the gateway that runs it: only that one resumes it after a restart
    node_name    TEXT NOT NULL,
    status       TEXT NOT NULL,      -- QUEUED, PROCESSING, COMPLETED, FAILED
    inputs       TEXT NOT NULL,      -- the caller's JSON object, defaults applied
    outputs      TEXT,               -- the SPEC §10 output array, as JSON text
    error        TEXT,
    base         TEXT,
    created_at   BIGINT NOT NULL,
    started_at   BIGINT,
    finished_at  BIGINT
);
CREATE INDEX workflow_runs_unfinished ON workflow_runs (node_name, status);

-- One row per node of a run, written as the node starts and ends; a resumed run keeps the finished ones.
CREATE TABLE workflow_run_nodes (
    run_id       TEXT NOT NULL,
    node_id      TEXT NOT NULL,
    status       TEXT NOT NULL,      -- pending, running, completed, failed, skipped
    attempt      INTEGER NOT NULL DEFAULT 0,
    request_id   TEXT,
    outputs      TEXT,               -- the node's port values (media as stored output ids)
    preview      TEXT,
    error        TEXT,
    cost         BIGINT NOT NULL DEFAULT 0,
    finished_at  BIGINT,
    PRIMARY KEY (run_id, node_id)
);

CREATE TABLE webhook_registry (
    id           TEXT PRIMARY KEY,
    account_id   TEXT NOT NULL REFERENCES accounts (id),
    url          TEXT NOT NULL,
    event_types  TEXT NOT NULL,      -- JSON array, e.g. ["PIXELFLOW"]
    active       INTEGER NOT NULL DEFAULT 1,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX webhook_registry_account ON webhook_registry (account_id);

-- Which registered webhook each delivery was for, so its dispatch log can list every attempt.
CREATE TABLE webhook_registry_deliveries (
    delivery_id  TEXT PRIMARY KEY,
    webhook_id   TEXT NOT NULL,
    event        TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);
CREATE INDEX webhook_registry_deliveries_hook ON webhook_registry_deliveries (webhook_id, created_at);
