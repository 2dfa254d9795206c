-- Daily usage aggregates, so that usage reads and dashboards never scan raw usage records (SPEC §7).
-- One row per account, UTC day and model; the usage writer updates it in the same transaction as the raw
-- inserts, so the two always agree. day is the UTC epoch day (finished_at / 86 400 000): integer division is
-- the same on SQLite and PostgreSQL, so no date function depends on the dialect.
CREATE TABLE usage_daily (
    account_id  TEXT NOT NULL,
    day         BIGINT NOT NULL,
    model       TEXT NOT NULL,
    -- calls that answered 200 (billed); failed calls are counted apart and cost nothing
    inferences  BIGINT NOT NULL DEFAULT 0,
    failed      BIGINT NOT NULL DEFAULT 0,
    amount      BIGINT NOT NULL DEFAULT 0,   -- nano-dollars charged
    PRIMARY KEY (account_id, day, model)
);
-- the operator's view across all accounts reads by day
CREATE INDEX usage_daily_day ON usage_daily (day);

-- Records written before this migration become aggregates too.
INSERT INTO usage_daily (account_id, day, model, inferences, failed, amount)
SELECT account_id, finished_at / 86400000, model,
       SUM(CASE WHEN status_code = 200 THEN 1 ELSE 0 END),
       SUM(CASE WHEN status_code = 200 THEN 0 ELSE 1 END),
       SUM(cost)
FROM usage_records
GROUP BY account_id, finished_at / 86400000, model;

-- The retention sweep deletes by age.
CREATE INDEX usage_records_finished ON usage_records (finished_at);
