-- Indexes found missing by the benchmark harness (docs/benchmarks.md), at a million editions.
--
-- edition_supersedes_idx: the edition page looks for the edition that supersedes the one shown
-- (FindSuccessor: WHERE e.supersedes = $1). Without an index that is a sequential scan of every
-- edition, each row passing the recipient policy's functions: 0.25 s at 50,000 editions, seconds
-- at a million. Few editions supersede another, so the index is partial and small.
--
-- receipt_user_idx: the inbox marks unread editions with EXISTS (receipt of this user for the
-- edition). The primary key (edition_id, user_id) cannot serve a lookup by user, so the planner
-- scans the whole key for the user's receipts on every inbox page.

-- +goose Up
CREATE INDEX edition_supersedes_idx ON edition (supersedes) WHERE supersedes IS NOT NULL;
CREATE INDEX receipt_user_idx ON receipt (user_id, edition_id);

-- +goose Down
DROP INDEX receipt_user_idx;
DROP INDEX edition_supersedes_idx;
