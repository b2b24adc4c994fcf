-- Distribution lists: named sets of agencies, managed by center administrators and chosen at release.

-- +goose Up
CREATE TABLE distribution_list (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL UNIQUE CHECK (length(btrim(name)) BETWEEN 2 AND 100),
    description text NOT NULL DEFAULT '',
    created_by  bigint NOT NULL REFERENCES app_user (id),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE distribution_list_member (
    list_id   bigint NOT NULL REFERENCES distribution_list (id) ON DELETE CASCADE,
    agency_id bigint NOT NULL REFERENCES agency (id),
    PRIMARY KEY (list_id, agency_id)
);
GRANT SELECT, INSERT, UPDATE ON distribution_list TO tearline_app;
GRANT SELECT, INSERT, DELETE ON distribution_list_member TO tearline_app;

-- +goose Down
DROP TABLE distribution_list_member, distribution_list;
