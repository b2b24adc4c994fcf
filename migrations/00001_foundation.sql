-- Foundation: agencies, users, role memberships, sessions and the audit table.
-- The application role tearline_app owns nothing and cannot bypass row-level security;
-- the role running migrations owns every object.

-- +goose Up
-- +goose StatementBegin
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'tearline_app') THEN
        CREATE ROLE tearline_app LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOINHERIT;
    END IF;
END
$$;
-- +goose StatementEnd

CREATE TABLE agency (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code        text NOT NULL UNIQUE CHECK (code ~ '^[A-Z][A-Z0-9-]{1,15}$'),
    name        text NOT NULL CHECK (length(name) BETWEEN 2 AND 200),
    kind        text NOT NULL CHECK (kind IN ('center', 'member', 'partner')),
    country     text CHECK (country ~ '^[A-Z]{3}$'),
    federal     boolean NOT NULL DEFAULT false,
    state_local boolean NOT NULL DEFAULT false,
    foreign_gov boolean NOT NULL DEFAULT false,
    intl_org    boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE app_user (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    agency_id      bigint NOT NULL REFERENCES agency (id),
    issuer         text NOT NULL CHECK (issuer <> ''),
    subject        text NOT NULL CHECK (subject <> ''),
    display_name   text NOT NULL CHECK (length(display_name) BETWEEN 2 AND 200),
    email          text NOT NULL DEFAULT '',
    active         boolean NOT NULL DEFAULT true,
    deactivated_at timestamptz,
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    UNIQUE (issuer, subject),
    UNIQUE (id, agency_id)
);
CREATE INDEX app_user_agency_idx ON app_user (agency_id, display_name);

-- A membership grants a role within an agency (the casbin domain). The composite key keeps
-- the membership's agency equal to the user's agency.
CREATE TABLE membership (
    user_id   bigint NOT NULL,
    agency_id bigint NOT NULL,
    role      text NOT NULL CHECK (role IN ('analyst', 'reviewer', 'center_admin', 'auditor',
                                            'steering', 'liaison', 'agency_admin')),
    PRIMARY KEY (user_id, agency_id, role),
    FOREIGN KEY (user_id, agency_id) REFERENCES app_user (id, agency_id)
        ON UPDATE CASCADE ON DELETE CASCADE
);

-- scs pgxstore table.
CREATE TABLE sessions (
    token  text PRIMARY KEY,
    data   bytea NOT NULL,
    expiry timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);

CREATE TABLE audit_event (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at              timestamptz NOT NULL DEFAULT clock_timestamp(),
    actor_user_id   bigint,
    actor_agency_id bigint,
    action          text NOT NULL,
    object_type     text NOT NULL DEFAULT '',
    object_id       text NOT NULL DEFAULT '',
    outcome         text NOT NULL CHECK (outcome IN ('success', 'failure', 'denied')),
    request_id      text NOT NULL DEFAULT '',
    client_addr     text NOT NULL DEFAULT '',
    user_agent      text NOT NULL DEFAULT '',
    details         jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX audit_event_at_idx ON audit_event (at);
CREATE INDEX audit_event_actor_idx ON audit_event (actor_user_id, at DESC);

GRANT USAGE ON SCHEMA public TO tearline_app;
GRANT SELECT, INSERT, UPDATE ON agency, app_user TO tearline_app;
GRANT SELECT, INSERT, DELETE ON membership TO tearline_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON sessions TO tearline_app;
GRANT SELECT, INSERT ON audit_event TO tearline_app;

-- +goose Down
DROP TABLE audit_event;
DROP TABLE sessions;
DROP TABLE membership;
DROP TABLE app_user;
DROP TABLE agency;
