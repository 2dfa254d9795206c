-- Core tables: accounts, API keys, the credit ledger and holds, usage records, settings.
-- Money is BIGINT nano-dollars (1 USD = 1 000 000 000); times are BIGINT epoch milliseconds.

CREATE TABLE settings (
    name  TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

CREATE TABLE accounts (
    id             TEXT PRIMARY KEY,
    name           TEXT NOT NULL,
    plan           TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'active',
    paid_balance   BIGINT NOT NULL DEFAULT 0 CHECK (paid_balance >= 0),
    free_balance   BIGINT NOT NULL DEFAULT 0 CHECK (free_balance >= 0),
    -- sum of open holds; what can still be held is paid + free - held
    held           BIGINT NOT NULL DEFAULT 0 CHECK (held >= 0),
    created_at     BIGINT NOT NULL
);

CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    key_hash    TEXT NOT NULL UNIQUE,
    -- first characters of the key, shown in listings so a person can tell keys apart
    prefix      TEXT NOT NULL,
    name        TEXT,
    created_at  BIGINT NOT NULL,
    last_used_at BIGINT,
    revoked_at  BIGINT
);
CREATE INDEX api_keys_account ON api_keys (account_id);

CREATE TABLE credit_holds (
    id          TEXT PRIMARY KEY,
    account_id  TEXT NOT NULL REFERENCES accounts (id),
    request_id  TEXT NOT NULL,
    amount      BIGINT NOT NULL CHECK (amount >= 0),
    state       TEXT NOT NULL,           -- OPEN, POSTED, VOIDED
    created_at  BIGINT NOT NULL,
    expires_at  BIGINT NOT NULL,
    settled_at  BIGINT
);
CREATE INDEX credit_holds_open ON credit_holds (state, expires_at);

-- Append-only: rows are inserted, never updated or deleted.
CREATE TABLE ledger_entries (
    id                  ${id_pk},
    account_id          TEXT NOT NULL REFERENCES accounts (id),
    kind                TEXT NOT NULL,   -- grant, charge, correction
    request_id          TEXT,
    reference           TEXT,
    amount              BIGINT NOT NULL, -- signed: grants positive, charges negative
    credit_kind         TEXT NOT NULL,   -- paid, free, mixed (a charge may take from both)
    free_amount         BIGINT NOT NULL,
    paid_amount         BIGINT NOT NULL,
    free_balance_after  BIGINT NOT NULL,
    paid_balance_after  BIGINT NOT NULL,
    description         TEXT,
    created_at          BIGINT NOT NULL
);
CREATE INDEX ledger_entries_account ON ledger_entries (account_id, id);
CREATE UNIQUE INDEX ledger_entries_reference ON ledger_entries (account_id, reference) WHERE reference IS NOT NULL;
-- A request is charged at most once, whatever retries or crashes happen around the post.
CREATE UNIQUE INDEX ledger_entries_charge_once ON ledger_entries (request_id) WHERE kind = 'charge';

CREATE TABLE usage_records (
    request_id      TEXT PRIMARY KEY,
    account_id      TEXT NOT NULL,
    key_id          TEXT,
    model           TEXT NOT NULL,
    endpoint        TEXT,
    workflow_run_id TEXT,
    submitted_at    BIGINT NOT NULL,
    started_at      BIGINT,
    finished_at     BIGINT NOT NULL,
    queue_ms        BIGINT NOT NULL,
    processing_ms   BIGINT NOT NULL,
    status_code     INTEGER NOT NULL,
    cost            BIGINT NOT NULL,
    parameters      TEXT
);
CREATE INDEX usage_records_account_time ON usage_records (account_id, finished_at);
