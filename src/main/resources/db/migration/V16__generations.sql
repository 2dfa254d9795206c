-- Generations (the account's model calls as Segmind's SDK lists them): each usage record also keeps the seed the
-- model ran with, the error of a failed call, and the URL of a stored output (v2 media outputs), so that the
-- generations list answers from usage records alone.
ALTER TABLE usage_records ADD COLUMN seed BIGINT;
ALTER TABLE usage_records ADD COLUMN error TEXT;
ALTER TABLE usage_records ADD COLUMN output_url TEXT;
-- the list is newest first per account, optionally for one model
CREATE INDEX usage_records_account_submitted ON usage_records (account_id, submitted_at);
CREATE INDEX usage_records_account_model_submitted ON usage_records (account_id, model, submitted_at);
