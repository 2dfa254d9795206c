-- Cluster mode: a node owns its unfinished v2 jobs and workflow runs under a lease it renews; when the lease
-- lapses (the node died), any other node takes the work over. Additive with a default, so the previous release
-- keeps running beside this one during a rolling upgrade (it ignores the column).
ALTER TABLE jobs ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0;
ALTER TABLE workflow_runs ADD COLUMN lease_until BIGINT NOT NULL DEFAULT 0;
CREATE INDEX jobs_lease ON jobs (status, lease_until);
CREATE INDEX workflow_runs_lease ON workflow_runs (status, lease_until);
