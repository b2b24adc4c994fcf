package postgres

import (
	"context"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"tearline/internal/apperr"
	"tearline/internal/audit"
	"tearline/internal/product"
)

// holdsEdition checks, as the recipient agency, that the agency holds a ledger row for the edition,
// does not own it, and the edition is not rescinded; anything else is ENOTFOUND.
func holdsEdition(ctx context.Context, tx pgx.Tx, agencyID, editionID int64) error {
	var ok bool
	err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM release_ledger l JOIN edition e ON e.id = l.edition_id
		WHERE l.edition_id = $1 AND l.agency_id = $2 AND e.owner_agency_id <> $2
		  AND NOT EXISTS (SELECT 1 FROM edition_rescission x WHERE x.edition_id = e.id))`, editionID, agencyID).Scan(&ok)
	if err == nil && !ok {
		return apperr.NotFound()
	}
	return err
}

// AcknowledgeEdition records the agency's acknowledgement of receipt of an edition it holds, by the
// user, audited in the same transaction. It is idempotent: when the agency has already acknowledged
// the edition nothing is written and the standing acknowledgement is returned with created false.
func (db *DB) AcknowledgeEdition(ctx context.Context, agencyID, userID, editionID int64) (product.Acknowledgement, bool, error) {
	var ack product.Acknowledgement
	created := false
	err := db.inActorTx(ctx, agencyID, userID, func(tx pgx.Tx) error {
		if err := holdsEdition(ctx, tx, agencyID, editionID); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `INSERT INTO acknowledgement (edition_id, agency_id, user_id) VALUES ($1, $2, $3)
			ON CONFLICT (edition_id, agency_id) DO NOTHING`, editionID, agencyID, userID)
		if err != nil {
			return err
		}
		created = tag.RowsAffected() == 1
		if ack, err = findAcknowledgement(ctx, tx, agencyID, editionID); err != nil {
			return err
		}
		if !created {
			return nil
		}
		return insertAudit(ctx, tx, audit.New(ctx, "edition.acknowledge", "edition", strconv.FormatInt(editionID, 10), audit.Success,
			map[string]any{"agency_id": agencyID}))
	})
	return ack, created, err
}

// ackSelect reads acknowledgements (k) with the acknowledging user's name.
const ackSelect = `SELECT k.edition_id, k.agency_id, k.user_id, u.display_name, k.at
	FROM acknowledgement k JOIN app_user u ON u.id = k.user_id`

func scanAck(r pgx.CollectableRow) (product.Acknowledgement, error) {
	var a product.Acknowledgement
	return a, r.Scan(&a.EditionID, &a.AgencyID, &a.UserID, &a.UserName, &a.At)
}

func findAcknowledgement(ctx context.Context, tx pgx.Tx, agencyID, editionID int64) (product.Acknowledgement, error) {
	rows, _ := tx.Query(ctx, ackSelect+` WHERE k.edition_id = $1 AND k.agency_id = $2`, editionID, agencyID)
	return pgx.CollectExactlyOneRow(rows, scanAck)
}

// SendFeedback adds the user's feedback on an edition the agency holds, audited in the same
// transaction. Feedback is never changed: sending it again adds a row that becomes the user's current
// feedback.
func (db *DB) SendFeedback(ctx context.Context, agencyID, userID int64, f *product.Feedback) error {
	if err := f.Validate(); err != nil {
		return err
	}
	return db.inActorTx(ctx, agencyID, userID, func(tx pgx.Tx) error {
		if err := holdsEdition(ctx, tx, agencyID, f.EditionID); err != nil {
			return err
		}
		err := tx.QueryRow(ctx, `INSERT INTO feedback (edition_id, agency_id, user_id, relevance, timeliness, actionability, action, comment)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id, at`,
			f.EditionID, agencyID, userID, f.Relevance, f.Timeliness, f.Actionability, string(f.Action), f.Comment).Scan(&f.ID, &f.At)
		if err != nil {
			return err
		}
		f.AgencyID, f.UserID = agencyID, userID
		return insertAudit(ctx, tx, audit.New(ctx, "edition.feedback", "edition", strconv.FormatInt(f.EditionID, 10), audit.Success,
			map[string]any{"feedback_id": f.ID, "relevance": f.Relevance, "timeliness": f.Timeliness,
				"actionability": f.Actionability, "action": string(f.Action)}))
	})
}

// FindOwnReach returns what a recipient sees of its own reach on an edition it holds: the agency's
// acknowledgement (nil while due) and the user's current feedback (nil when none). Never anything of
// other agencies or other users.
func (db *DB) FindOwnReach(ctx context.Context, agencyID, userID, editionID int64) (*product.Acknowledgement, *product.Feedback, error) {
	var own ownReach
	b := &pgx.Batch{}
	queueOwnReach(b, agencyID, userID, editionID, &own)
	if err := db.batchAs(ctx, agencyID, userID, b); err != nil {
		return nil, nil, err
	}
	ack, mine := own.result()
	return ack, mine, nil
}

// ownReach collects what FindOwnReach reads.
type ownReach struct {
	acks []product.Acknowledgement
	fs   []product.Feedback
}

func (o ownReach) result() (*product.Acknowledgement, *product.Feedback) {
	var ack *product.Acknowledgement
	var mine *product.Feedback
	if len(o.acks) == 1 {
		ack = &o.acks[0]
	}
	if len(o.fs) == 1 {
		mine = &o.fs[0]
	}
	return ack, mine
}

// queueOwnReach queues the statements of FindOwnReach, filling own.
func queueOwnReach(b *pgx.Batch, agencyID, userID, editionID int64, own *ownReach) {
	b.Queue(ackSelect+` WHERE k.edition_id = $1 AND k.agency_id = $2`, editionID, agencyID).Query(collect(&own.acks, scanAck))
	b.Queue(`SELECT `+feedbackColumns+` `+feedbackFrom+`
			WHERE f.edition_id = $1 AND f.agency_id = $2 AND f.user_id = $3 ORDER BY f.id DESC LIMIT 1`, editionID, agencyID, userID).
		Query(collect(&own.fs, scanFeedback))
}

// feedbackColumns and feedbackFrom read feedback rows (f) with the agency, the author and the
// author's number of rows on the edition.
const (
	feedbackColumns = `f.id, f.edition_id, f.agency_id, a.code, f.user_id, u.display_name,
		f.relevance, f.timeliness, f.actionability, f.action, f.comment, f.at,
		(SELECT count(*) FROM feedback y WHERE y.edition_id = f.edition_id AND y.agency_id = f.agency_id AND y.user_id = f.user_id) AS revisions`
	feedbackFrom = `FROM feedback f JOIN agency a ON a.id = f.agency_id JOIN app_user u ON u.id = f.user_id`
)

func scanFeedback(r pgx.CollectableRow) (product.Feedback, error) {
	var f product.Feedback
	var action string
	err := r.Scan(&f.ID, &f.EditionID, &f.AgencyID, &f.AgencyCode, &f.UserID, &f.UserName,
		&f.Relevance, &f.Timeliness, &f.Actionability, &action, &f.Comment, &f.At, &f.Revisions)
	f.Action = product.ActionTaken(action)
	return f, err
}

// FindReach returns the center's view of an edition it owns: per recipient agency the release, the
// readers, the acknowledgement and the current feedback (each user's latest) with average scores,
// and the current feedback of every recipient user, newest first. Another agency gets nothing.
func (db *DB) FindReach(ctx context.Context, agencyID, editionID int64) (product.Reach, error) {
	var out product.Reach
	b := &pgx.Batch{}
	queueReach(b, agencyID, editionID, &out)
	return out, db.batchAs(ctx, agencyID, 0, b)
}

// queueReach queues the statements of FindReach, filling out.
func queueReach(b *pgx.Batch, agencyID, editionID int64, out *product.Reach) {
	b.Queue(`SELECT a.id, a.code, a.name, l.released_at,
				(SELECT count(*) FROM receipt r WHERE r.edition_id = l.edition_id AND r.agency_id = l.agency_id),
				k.user_id, u.display_name, k.at, s.n, coalesce(s.rel, 0), coalesce(s.tim, 0), coalesce(s.act, 0)
			FROM release_ledger l JOIN edition e ON e.id = l.edition_id JOIN agency a ON a.id = l.agency_id
			LEFT JOIN acknowledgement k ON k.edition_id = l.edition_id AND k.agency_id = l.agency_id
			LEFT JOIN app_user u ON u.id = k.user_id
			CROSS JOIN LATERAL (SELECT count(*) AS n, avg(c.relevance)::float8 AS rel, avg(c.timeliness)::float8 AS tim,
					avg(c.actionability)::float8 AS act
				FROM (SELECT DISTINCT ON (x.user_id) x.relevance, x.timeliness, x.actionability FROM feedback x
					WHERE x.edition_id = l.edition_id AND x.agency_id = l.agency_id ORDER BY x.user_id, x.id DESC) c) s
			WHERE l.edition_id = $1 AND e.owner_agency_id = $2 ORDER BY a.code`, editionID, agencyID).
		Query(collect(&out.Agencies, func(r pgx.CollectableRow) (product.ReachEntry, error) {
			var x product.ReachEntry
			var ackUser *int64
			var ackName *string
			var ackAt *time.Time
			err := r.Scan(&x.AgencyID, &x.AgencyCode, &x.AgencyName, &x.ReleasedAt, &x.Readers, &ackUser, &ackName, &ackAt,
				&x.Feedback, &x.Relevance, &x.Timeliness, &x.Actionability)
			if err == nil && ackUser != nil {
				x.Ack = &product.Acknowledgement{EditionID: editionID, AgencyID: x.AgencyID, UserID: *ackUser, UserName: *ackName, At: *ackAt}
			}
			return x, err
		}))
	b.Queue(`SELECT * FROM (SELECT DISTINCT ON (f.agency_id, f.user_id) `+feedbackColumns+` `+feedbackFrom+`
				JOIN edition e ON e.id = f.edition_id WHERE f.edition_id = $1 AND e.owner_agency_id = $2
				ORDER BY f.agency_id, f.user_id, f.id DESC) latest ORDER BY at DESC, id DESC`, editionID, agencyID).
		Query(collect(&out.Feedback, scanFeedback))
}
