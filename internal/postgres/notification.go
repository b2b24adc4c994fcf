package postgres

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"tearline/internal/apperr"
	"tearline/internal/audit"
	"tearline/internal/marking"
	"tearline/internal/notify"
	"tearline/internal/product"
)

// enqueue inserts a background job inside tx: it exists if and only if the change it reports commits.
func (db *DB) enqueue(ctx context.Context, tx pgx.Tx, args river.JobArgs) error {
	if _, err := db.jobs.InsertTx(ctx, tx, args, nil); err != nil {
		return fmt.Errorf("queue %s: %w", args.Kind(), err)
	}
	return nil
}

// eventKey identifies an event about an object for a set of agencies or users (sorted), so that a
// repeated job never notifies anyone twice.
func eventKey(prefix string, id int64, ids []int64) string {
	ids = slices.Clone(ids)
	slices.Sort(ids)
	var b strings.Builder
	b.WriteString(prefix + ":" + strconv.FormatInt(id, 10))
	for _, x := range ids {
		b.WriteString(":" + strconv.FormatInt(x, 10))
	}
	return b.String()
}

// notifyEdition queues the fan-out of an edition event to the given recipient agencies.
func (db *DB) notifyEdition(ctx context.Context, tx pgx.Tx, event string, e product.Edition, agencies []int64, detail string) error {
	if len(agencies) == 0 {
		return nil
	}
	return db.enqueue(ctx, tx, notify.FanoutArgs{Event: event, EditionID: e.ID, Agencies: agencies, Label: e.Label(), Detail: detail,
		Key: eventKey(event, e.ID, agencies)})
}

// notifyTransition queues the notification a state change calls for: a draft entering a review stage
// is waiting for its reviewers; a draft sent back from review goes back to its authors.
func (db *DB) notifyTransition(ctx context.Context, tx pgx.Tx, agencyID, productID, transitionID int64, from, to product.State, comment string) error {
	var event string
	switch {
	case to == product.StatePeerReview || to == product.StateSupervisoryReview || to == product.StateLegalReview:
		event = notify.ReviewAssigned
	case to == product.StateDraft && from != product.StateDraft && from != product.StateReleased:
		event = notify.ReviewReturned
	default:
		return nil
	}
	return db.enqueue(ctx, tx, notify.FanoutArgs{Event: event, ProductID: productID, Agencies: []int64{agencyID}, Detail: comment,
		Key: eventKey(event, productID, []int64{transitionID})})
}

// FanOut turns one event into notifications, each written with its recipient agency's row-level
// security setting (a notification about an edition can only be written while that agency may see
// it, or, for a recall, held it), and queues the e-mail of each new notification in the same
// transaction. Users already notified under the event's key are skipped.
func (db *DB) FanOut(ctx context.Context, a notify.FanoutArgs) (int, error) {
	switch a.Event {
	case notify.EditionReleased, notify.EditionSuperseded, notify.EditionRecalled:
		n := 0
		for _, agency := range a.Agencies {
			k, err := db.fanOutEdition(ctx, a, agency)
			if err != nil {
				return n, err
			}
			n += k
		}
		return n, nil
	case notify.ReviewAssigned, notify.ReviewReturned, notify.SteeringAssigned:
		return db.fanOutProduct(ctx, a)
	}
	return 0, fmt.Errorf("fan-out: unknown event %q", a.Event)
}

// insertNotifications runs an INSERT ... SELECT of notifications (RETURNING id, user_id) and queues an
// e-mail for each row it wrote.
func (db *DB) insertNotifications(ctx context.Context, tx pgx.Tx, agencyID int64, sql string, args ...any) (int, error) {
	rows, _ := tx.Query(ctx, sql, args...)
	type created struct{ id, user int64 }
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (created, error) {
		var c created
		return c, r.Scan(&c.id, &c.user)
	})
	if err != nil {
		return 0, err
	}
	for _, c := range out {
		if err := db.enqueue(ctx, tx, notify.EmailArgs{NotificationID: c.id, UserID: c.user, AgencyID: agencyID}); err != nil {
			return 0, err
		}
	}
	return len(out), nil
}

// editionKey is the key shared by every notification about one edition reaching one user, so that a
// liaison who also subscribed hears about it once.
func editionKey(editionID int64) string { return "edition:" + strconv.FormatInt(editionID, 10) }

func (db *DB) fanOutEdition(ctx context.Context, a notify.FanoutArgs, agencyID int64) (int, error) {
	n := 0
	err := db.inScopeTx(ctx, agencyID, 0, jobNotify, func(tx pgx.Tx) error {
		if a.Event == notify.EditionRecalled {
			// Liaisons, and every user of the agency who opened it.
			k, err := db.insertNotifications(ctx, tx, agencyID, `INSERT INTO notification
				(user_id, agency_id, event, object_type, object_id, label, detail, event_key)
				SELECT u.id, u.agency_id, $3, 'edition', $2, $4, $5, $6 FROM app_user u
				WHERE u.agency_id = $1 AND u.active AND tearline_received($2)
				  AND (EXISTS (SELECT 1 FROM membership m WHERE m.user_id = u.id AND m.agency_id = u.agency_id AND m.role = 'liaison')
				       OR EXISTS (SELECT 1 FROM receipt r WHERE r.edition_id = $2 AND r.user_id = u.id))
				ON CONFLICT (user_id, event_key) DO NOTHING RETURNING id, user_id`,
				agencyID, a.EditionID, a.Event, a.Label, a.Detail, "recalled:"+strconv.FormatInt(a.EditionID, 10))
			n = k
			return err
		}
		// The edition must still be visible to the agency (explicit filter; RLS checks it again on insert).
		var visible bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM edition e WHERE e.id = $1
			AND EXISTS (SELECT 1 FROM release_ledger l WHERE l.edition_id = e.id AND l.agency_id = $2)
			AND NOT EXISTS (SELECT 1 FROM edition_rescission r WHERE r.edition_id = e.id))`, a.EditionID, agencyID).Scan(&visible); err != nil {
			return err
		}
		if !visible {
			return nil
		}
		// Liaisons: released (acknowledgement due), or superseded for those whose agency held the previous one.
		k, err := db.insertNotifications(ctx, tx, agencyID, `INSERT INTO notification
			(user_id, agency_id, event, object_type, object_id, label, detail, event_key)
			SELECT u.id, u.agency_id, $3, 'edition', $2, $4, $5, $6 FROM app_user u
			WHERE u.agency_id = $1 AND u.active
			  AND EXISTS (SELECT 1 FROM membership m WHERE m.user_id = u.id AND m.agency_id = u.agency_id AND m.role = 'liaison')
			ON CONFLICT (user_id, event_key) DO NOTHING RETURNING id, user_id`,
			agencyID, a.EditionID, a.Event, a.Label, a.Detail, editionKey(a.EditionID))
		if err != nil {
			return err
		}
		n += k
		// Every other user of the agency whose subscription the edition matches.
		k, err = db.insertNotifications(ctx, tx, agencyID, `INSERT INTO notification
			(user_id, agency_id, event, object_type, object_id, label, detail, event_key)
			SELECT s.user_id, $1, $3, 'edition', $2, $4, $5, $6 FROM tearline_subscribers($2) s
			ON CONFLICT (user_id, event_key) DO NOTHING RETURNING id, user_id`,
			agencyID, a.EditionID, notify.EditionMatched, a.Label, a.Detail, editionKey(a.EditionID))
		n += k
		return err
	})
	return n, err
}

func (db *DB) fanOutProduct(ctx context.Context, a notify.FanoutArgs) (int, error) {
	if len(a.Agencies) != 1 {
		return 0, fmt.Errorf("fan-out %s: want the owner agency", a.Event)
	}
	owner := a.Agencies[0]
	var title string
	var users []int64
	err := db.inAgencyTx(ctx, owner, func(tx pgx.Tx) error {
		var state product.State
		if err := tx.QueryRow(ctx, `SELECT title, state FROM product WHERE id = $1 AND owner_agency_id = $2`, a.ProductID, owner).
			Scan(&title, &state); err != nil {
			return err
		}
		var sql string
		args := []any{owner, a.ProductID}
		switch a.Event {
		case notify.ReviewAssigned: // analysts for peer review, reviewers for the later stages; never its authors
			role := "reviewer"
			if state == product.StatePeerReview {
				role = "analyst"
			} else if state != product.StateSupervisoryReview && state != product.StateLegalReview {
				return nil // it has moved on since
			}
			sql = `SELECT u.id FROM app_user u WHERE u.agency_id = $1 AND u.active
				AND EXISTS (SELECT 1 FROM membership m WHERE m.user_id = u.id AND m.agency_id = u.agency_id AND m.role = $3)
				AND NOT EXISTS (SELECT 1 FROM product_author pa WHERE pa.product_id = $2 AND pa.user_id = u.id)`
			args = append(args, role)
		case notify.ReviewReturned:
			sql = `SELECT u.id FROM app_user u JOIN product_author pa ON pa.user_id = u.id AND pa.product_id = $2
				WHERE u.agency_id = $1 AND u.active`
		case notify.SteeringAssigned:
			users = a.Users
			return nil
		}
		rows, _ := tx.Query(ctx, sql, args...)
		var err error
		users, err = pgx.CollectRows(rows, pgx.RowTo[int64])
		return err
	})
	if err != nil || len(users) == 0 {
		return 0, err
	}
	// Each user's notification is written with their own agency's setting (steering members belong to
	// other agencies than the product's owner).
	byAgency := map[int64][]int64{}
	rows, _ := db.Pool.Query(ctx, `SELECT id, agency_id FROM app_user WHERE id = ANY($1) AND active`, users)
	pairs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) ([2]int64, error) {
		var p [2]int64
		return p, r.Scan(&p[0], &p[1])
	})
	if err != nil {
		return 0, formatError(err)
	}
	for _, p := range pairs {
		byAgency[p[1]] = append(byAgency[p[1]], p[0])
	}
	n := 0
	for agency, ids := range byAgency {
		err := db.inScopeTx(ctx, agency, 0, jobNotify, func(tx pgx.Tx) error {
			k, err := db.insertNotifications(ctx, tx, agency, `INSERT INTO notification
				(user_id, agency_id, event, object_type, object_id, label, detail, event_key)
				SELECT u, $1, $3, 'product', $2, $4, $5, $6 FROM unnest($7::bigint[]) u
				ON CONFLICT (user_id, event_key) DO NOTHING RETURNING id, user_id`,
				agency, a.ProductID, a.Event, title, a.Detail, a.Key, ids)
			n += k
			return err
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// EmailFacts loads what the e-mail of a notification needs, checking again at send time, with the
// user's own settings, that there is something to send: the notification is not e-mailed yet, the
// user is active and has an address, and the user's agency may still see what it names (an edition
// still held and not recalled; a recall of one it held; a draft of its own, or an assessment still
// assigned to the steering member). Otherwise it reports false and nothing is sent.
func (db *DB) EmailFacts(ctx context.Context, a notify.EmailArgs) (notify.EmailFacts, bool, error) {
	var f notify.EmailFacts
	ok := false
	err := db.inActorTx(ctx, a.AgencyID, a.UserID, func(tx pgx.Tx) error {
		n := &f.Notification
		var emailed bool
		var active bool
		err := tx.QueryRow(ctx, `SELECT n.id, n.event, n.object_type, n.object_id, n.label, n.detail, n.created_at, n.emailed_at IS NOT NULL,
				u.email, u.display_name, u.active
			FROM notification n JOIN app_user u ON u.id = n.user_id
			WHERE n.id = $1 AND n.user_id = $2 AND n.agency_id = $3`, a.NotificationID, a.UserID, a.AgencyID).
			Scan(&n.ID, &n.Event, &n.ObjectType, &n.ObjectID, &n.Label, &n.Detail, &n.CreatedAt, &emailed, &f.To, &f.Name, &active)
		if err != nil {
			return err
		}
		if emailed || !active || f.To == "" {
			return nil
		}
		switch {
		case n.Event == notify.EditionRecalled:
			var held bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM recall_notice WHERE agency_id = $1 AND edition_id = $2)`, a.AgencyID, n.ObjectID).Scan(&held); err != nil {
				return err
			}
			// Only the number and the reason are told; the banner of a recalled edition is not, so the
			// message is marked as CUI, the least it can be.
			f.Banner = marking.Banner{Controlled: true}
			ok = held
		case n.ObjectType == "edition":
			var raw []byte
			err := tx.QueryRow(ctx, `SELECT e.title, e.content->'banner' FROM edition e WHERE e.id = $1
				AND (e.owner_agency_id = $2 OR (EXISTS (SELECT 1 FROM release_ledger l WHERE l.edition_id = e.id AND l.agency_id = $2)
				     AND NOT EXISTS (SELECT 1 FROM edition_rescission r WHERE r.edition_id = e.id)))`, n.ObjectID, a.AgencyID).Scan(&n.Title, &raw)
			if err == pgx.ErrNoRows {
				return nil
			}
			if err != nil {
				return err
			}
			ok = true
			return json.Unmarshal(raw, &f.Banner)
		default: // a product: its own agency's draft, or an assessment assigned to the steering member
			rows, _ := tx.Query(ctx, `SELECT x.marking FROM portion x JOIN product p ON p.id = x.product_id
				WHERE p.id = $1 AND (p.owner_agency_id = $2 OR EXISTS (SELECT 1 FROM steering_assignment sa
				  WHERE sa.product_id = p.id AND sa.user_id = $3 AND sa.round = p.steering_round))`, n.ObjectID, a.AgencyID, a.UserID)
			marks, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (marking.Marking, error) {
				var m marking.Marking
				return m, r.Scan(&m)
			})
			if err != nil {
				return err
			}
			var exists bool
			if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM product p WHERE p.id = $1 AND (p.owner_agency_id = $2
				OR EXISTS (SELECT 1 FROM steering_assignment sa WHERE sa.product_id = p.id AND sa.user_id = $3 AND sa.round = p.steering_round)))`,
				n.ObjectID, a.AgencyID, a.UserID).Scan(&exists); err != nil {
				return err
			}
			f.Banner, ok = marking.DeriveBanner(marks), exists
		}
		return nil
	})
	if apperr.Code(err) == apperr.ENOTFOUND {
		return f, false, nil
	}
	return f, ok, err
}

// MarkEmailed records that the notification's e-mail went out.
func (db *DB) MarkEmailed(ctx context.Context, a notify.EmailArgs) error {
	b := &pgx.Batch{}
	b.Queue(`UPDATE notification SET emailed_at = clock_timestamp() WHERE id = $1 AND user_id = $2 AND agency_id = $3`,
		a.NotificationID, a.UserID, a.AgencyID)
	return db.batchAs(ctx, a.AgencyID, a.UserID, b)
}

// SaveOutbox keeps a demo e-mail in the recipient's outbox (demo mode delivers no real mail).
// Only the user is named: the outbox is keyed on its user alone.
func (db *DB) SaveOutbox(ctx context.Context, m notify.Message) error {
	b := &pgx.Batch{}
	b.Queue(`INSERT INTO mail_outbox (notification_id, user_id, recipient, subject, body) VALUES ($1, $2, $3, $4, $5)`,
		m.NotificationID, m.UserID, m.To, m.Subject, m.Body)
	return db.batchAs(ctx, 0, m.UserID, b)
}

// FindOutbox returns the demo e-mails sent to the user, newest first.
func (db *DB) FindOutbox(ctx context.Context, agencyID, userID int64) ([]notify.Message, error) {
	var out []notify.Message
	b := &pgx.Batch{}
	b.Queue(`SELECT notification_id, user_id, recipient, subject, body FROM mail_outbox WHERE user_id = $1 ORDER BY sent_at DESC, id DESC LIMIT 100`, userID).
		Query(collect(&out, func(r pgx.CollectableRow) (notify.Message, error) {
			var m notify.Message
			return m, r.Scan(&m.NotificationID, &m.UserID, &m.To, &m.Subject, &m.Body)
		}))
	return out, db.batchAs(ctx, agencyID, userID, b)
}

// FindNotifications returns the user's latest notifications, newest first, and the number unread.
// An edition's title is read live, with the agency's setting: a recalled edition shows its number only.
func (db *DB) FindNotifications(ctx context.Context, agencyID, userID int64, limit int) ([]notify.Notification, int, error) {
	var out []notify.Notification
	unread := 0
	b := &pgx.Batch{}
	b.Queue(`SELECT n.id, n.event, n.object_type, n.object_id, n.label, n.detail, n.created_at, n.read_at,
			coalesce((SELECT e.title FROM edition e WHERE n.object_type = 'edition' AND e.id = n.object_id
			  AND n.event <> 'edition.recalled'
			  AND (e.owner_agency_id = $2 OR (EXISTS (SELECT 1 FROM release_ledger l WHERE l.edition_id = e.id AND l.agency_id = $2)
			       AND NOT EXISTS (SELECT 1 FROM edition_rescission r WHERE r.edition_id = e.id)))), '')
		FROM notification n WHERE n.user_id = $1 AND n.agency_id = $2 ORDER BY n.created_at DESC, n.id DESC LIMIT $3`, userID, agencyID, limit).
		Query(collect(&out, func(r pgx.CollectableRow) (notify.Notification, error) {
			var n notify.Notification
			return n, r.Scan(&n.ID, &n.Event, &n.ObjectType, &n.ObjectID, &n.Label, &n.Detail, &n.CreatedAt, &n.ReadAt, &n.Title)
		}))
	b.Queue(`SELECT count(*) FROM notification WHERE user_id = $1 AND agency_id = $2 AND read_at IS NULL`, userID, agencyID).
		QueryRow(func(row pgx.Row) error { return row.Scan(&unread) })
	return out, unread, db.batchAs(ctx, agencyID, userID, b)
}

// OpenNotification marks one of the user's notifications read and returns it (its link); another
// user's, or a missing one, is ENOTFOUND. One round trip.
func (db *DB) OpenNotification(ctx context.Context, agencyID, userID, id int64) (notify.Notification, error) {
	var n notify.Notification
	b := &pgx.Batch{}
	b.Queue(`UPDATE notification SET read_at = coalesce(read_at, clock_timestamp()) WHERE id = $1 AND user_id = $2 AND agency_id = $3
		RETURNING id, event, object_type, object_id, label, detail, created_at, read_at`, id, userID, agencyID).
		QueryRow(func(row pgx.Row) error {
			return row.Scan(&n.ID, &n.Event, &n.ObjectType, &n.ObjectID, &n.Label, &n.Detail, &n.CreatedAt, &n.ReadAt)
		})
	return n, db.batchAs(ctx, agencyID, userID, b)
}

// MarkNotificationsRead marks the user's notification id read, or all of them when id is 0.
func (db *DB) MarkNotificationsRead(ctx context.Context, agencyID, userID, id int64) error {
	b := &pgx.Batch{}
	b.Queue(`UPDATE notification SET read_at = clock_timestamp() WHERE user_id = $1 AND agency_id = $2 AND read_at IS NULL
		AND ($3 = 0 OR id = $3)`, userID, agencyID, id)
	return db.batchAs(ctx, agencyID, userID, b)
}

// FindSubscriptions returns the user's subscriptions.
func (db *DB) FindSubscriptions(ctx context.Context, agencyID, userID int64) ([]notify.Subscription, error) {
	var out []notify.Subscription
	b := &pgx.Batch{}
	b.Queue(`SELECT id, kind, value, created_at FROM subscription WHERE user_id = $1 ORDER BY kind, value`, userID).
		Query(collect(&out, func(r pgx.CollectableRow) (notify.Subscription, error) {
			var s notify.Subscription
			return s, r.Scan(&s.ID, &s.Kind, &s.Value, &s.CreatedAt)
		}))
	return out, db.batchAs(ctx, agencyID, userID, b)
}

// AddSubscription adds a subscription of the user, audited in the same transaction; adding one that
// exists changes (and records) nothing.
func (db *DB) AddSubscription(ctx context.Context, agencyID, userID int64, s notify.Subscription) error {
	return db.inActorTx(ctx, agencyID, userID, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO subscription (user_id, kind, value) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, userID, s.Kind, s.Value)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return insertAudit(ctx, tx, audit.New(ctx, "subscription.create", "subscription", "", audit.Success,
			map[string]any{"kind": s.Kind, "value": s.Value}))
	})
}

// DeleteSubscription removes a subscription of the user, audited in the same transaction; another
// user's is ENOTFOUND and writes nothing.
func (db *DB) DeleteSubscription(ctx context.Context, agencyID, userID, id int64) error {
	return db.inActorTx(ctx, agencyID, userID, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM subscription WHERE id = $1 AND user_id = $2`, id, userID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return apperr.NotFound()
		}
		return insertAudit(ctx, tx, audit.New(ctx, "subscription.delete", "subscription", strconv.FormatInt(id, 10), audit.Success, nil))
	})
}
