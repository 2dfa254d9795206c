-- Stored files (SPEC §8): uploads ("asset") and model outputs ("output"). The id is the capability token in
-- the file's URL (160 random bits); the bytes live in the blob store under the same key.
CREATE TABLE assets (
    id            TEXT PRIMARY KEY,
    account_id    TEXT NOT NULL REFERENCES accounts (id),
    kind          TEXT NOT NULL,            -- asset, output
    content_type  TEXT NOT NULL,            -- sniffed from the bytes, never taken from the client
    size          BIGINT NOT NULL CHECK (size >= 0),
    sha256        TEXT NOT NULL,
    created_at    BIGINT NOT NULL,
    expires_at    BIGINT                    -- outputs only: deleted by the sweeper after this
);
CREATE INDEX assets_account ON assets (account_id, kind, created_at);
CREATE INDEX assets_expiry ON assets (expires_at) WHERE expires_at IS NOT NULL;
