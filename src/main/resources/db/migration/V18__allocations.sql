-- A node's allocation: an open credit hold that a gateway takes for an account and spends in memory on the
-- holds of single calls (billing/AccountAuthority). allocated_to names the node; NULL for the hold of one
-- request or workflow run. It expires like any hold, so the hold sweeper releases a crashed node's allocation.
ALTER TABLE credit_holds ADD COLUMN allocated_to TEXT;
