-- Notifications and subscriptions. A notification names an event about an object (an edition or a
-- product) for one user; what it shows is read live when the list is rendered, so a recalled
-- edition's notification shows its number only, like the recall notice. The background jobs that
-- create and e-mail them run on River (its tables are migrated by `tearline migrate` after these).

-- +goose Up
CREATE TABLE subscription (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id    bigint NOT NULL REFERENCES app_user (id),
    kind       text NOT NULL CHECK (kind IN ('topic', 'region', 'type', 'search')),
    value      text NOT NULL CHECK (length(btrim(value)) BETWEEN 1 AND 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (user_id, kind, value)
);

CREATE TABLE notification (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    user_id     bigint NOT NULL REFERENCES app_user (id),
    agency_id   bigint NOT NULL REFERENCES agency (id),
    event       text NOT NULL CHECK (event IN ('edition.released', 'edition.matched', 'edition.recalled', 'edition.superseded',
                                               'review.assigned', 'review.returned', 'steering.assigned')),
    object_type text NOT NULL CHECK (object_type IN ('edition', 'product')),
    object_id   bigint NOT NULL,
    -- label is what the user may always see of the object: an edition's number, a product's title
    -- for its own agency's staff. Titles of editions are read live, never stored.
    label       text NOT NULL,
    detail      text NOT NULL DEFAULT '',
    event_key   text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT clock_timestamp(),
    read_at     timestamptz,
    emailed_at  timestamptz,
    UNIQUE (user_id, event_key),
    FOREIGN KEY (user_id, agency_id) REFERENCES app_user (id, agency_id)
);
CREATE INDEX notification_user_idx ON notification (user_id, created_at DESC);

-- Demo mode delivers e-mail to this outbox instead of an SMTP server.
CREATE TABLE mail_outbox (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    notification_id bigint NOT NULL REFERENCES notification (id),
    user_id         bigint NOT NULL REFERENCES app_user (id),
    recipient       text NOT NULL,
    subject         text NOT NULL,
    body            text NOT NULL,
    sent_at         timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX mail_outbox_user_idx ON mail_outbox (user_id, sent_at DESC);

-- A user sees and changes only their own subscriptions, notifications and mail.
ALTER TABLE subscription ENABLE ROW LEVEL SECURITY;
ALTER TABLE subscription FORCE ROW LEVEL SECURITY;
CREATE POLICY subscription_own ON subscription USING (user_id = tearline_user()) WITH CHECK (user_id = tearline_user());

ALTER TABLE notification ENABLE ROW LEVEL SECURITY;
ALTER TABLE notification FORCE ROW LEVEL SECURITY;
CREATE POLICY notification_own ON notification FOR SELECT USING (user_id = tearline_user());
CREATE POLICY notification_read ON notification FOR UPDATE USING (user_id = tearline_user()) WITH CHECK (user_id = tearline_user());
-- The delivery job writes with the recipient agency's setting: only for that agency's users, and a
-- notification about an edition only while the agency may see the edition (or, for a recall, held it).
CREATE POLICY notification_insert ON notification FOR INSERT WITH CHECK (
    agency_id = tearline_agency()
    AND (object_type <> 'edition'
         OR EXISTS (SELECT 1 FROM edition e WHERE e.id = object_id)
         OR (event = 'edition.recalled' AND tearline_received(object_id))));
-- The fan-out job (tearline.job = notify) reads back the rows it writes for the agency's users.
CREATE POLICY notification_fanout ON notification FOR SELECT
    USING (agency_id = tearline_agency() AND current_setting('tearline.job', true) = 'notify');
-- The delivery job reads the notification it delivers and marks it e-mailed, with the user's settings.
CREATE POLICY notification_emailed ON notification FOR UPDATE USING (user_id = tearline_user() AND agency_id = tearline_agency());

ALTER TABLE mail_outbox ENABLE ROW LEVEL SECURITY;
ALTER TABLE mail_outbox FORCE ROW LEVEL SECURITY;
CREATE POLICY mail_outbox_own ON mail_outbox USING (user_id = tearline_user()) WITH CHECK (user_id = tearline_user());

-- +goose StatementBegin
-- tearline_subscribers(edition) lists the active users of the current agency whose subscriptions the
-- edition matches, while the agency may see the edition. SECURITY DEFINER because the delivery job
-- acts for no single user (subscriptions are private to their user); it returns user ids only.
CREATE FUNCTION tearline_subscribers(e bigint) RETURNS TABLE (user_id bigint) LANGUAGE sql STABLE SECURITY DEFINER
SET search_path = public AS $$
    SELECT DISTINCT s.user_id
    FROM subscription s JOIN app_user u ON u.id = s.user_id JOIN edition ed ON ed.id = e
    WHERE u.agency_id = tearline_agency() AND u.active
      AND (ed.owner_agency_id = tearline_agency() OR (tearline_received(e) AND NOT tearline_rescinded(e)))
      AND CASE s.kind
            WHEN 'topic'  THEN ed.content->'topics' ? s.value
            WHEN 'region' THEN ed.content->'regions' ? s.value
            WHEN 'type'   THEN ed.type = s.value
            ELSE to_tsvector('english', ed.title || ' ' || coalesce(ed.content->>'summary', '') || ' ' ||
                     coalesce((SELECT string_agg(p->>'body', ' ') FROM jsonb_array_elements(ed.content->'portions') p), ''))
                 @@ websearch_to_tsquery('english', s.value)
          END
$$;
-- +goose StatementEnd
REVOKE ALL ON FUNCTION tearline_subscribers(bigint) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION tearline_subscribers(bigint) TO tearline_app;

GRANT SELECT, INSERT, DELETE ON subscription TO tearline_app;
GRANT SELECT, INSERT, UPDATE (read_at, emailed_at) ON notification TO tearline_app;
GRANT SELECT, INSERT ON mail_outbox TO tearline_app;

-- +goose Down
DROP FUNCTION tearline_subscribers(bigint);
DROP TABLE mail_outbox, notification, subscription;
