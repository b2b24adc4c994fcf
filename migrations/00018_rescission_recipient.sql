-- A recipient may see the rescission of an edition its agency holds (it sees the recall notice, with
-- the reason, anyway). Until now the rescission row was visible only with its edition, which
-- recipients lose on rescission; so the inbox could not exclude rescinded editions without reading
-- each edition through its policy (two security-definer calls per row: 18 ms to count 250 inbox
-- rows at a million editions, measured by make bench). With this policy the inbox counts from the
-- ledger alone and probes the rescission index.

-- +goose Up
CREATE POLICY edition_rescission_recipient ON edition_rescission FOR SELECT USING (tearline_received(edition_id));

-- +goose Down
DROP POLICY edition_rescission_recipient ON edition_rescission;
