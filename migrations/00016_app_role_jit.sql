-- The portal's statements are short, index-driven lookups; PostgreSQL's just-in-time compiler only
-- adds 100-200 ms to the few that scan enough rows to trigger it (measured by make bench on the
-- inbox count at a million editions). It is switched off for the application role.

-- +goose Up
ALTER ROLE tearline_app SET jit = off;

-- +goose Down
ALTER ROLE tearline_app RESET jit;
