package postgres

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"tearline/internal/apperr"
	"tearline/internal/audit"
	"tearline/internal/dissem"
	"tearline/internal/notify"
	"tearline/internal/product"
)

// TransitionProduct moves a product from one state to another, provided it is still in from,
// recording who, when and why in the timeline and the audit trail.
func (db *DB) TransitionProduct(ctx context.Context, agencyID, userID, productID int64, from, to product.State, action, comment string) error {
	return db.inAgencyTx(ctx, agencyID, func(tx pgx.Tx) error {
		return db.transition(ctx, tx, agencyID, userID, productID, from, to, action, comment)
	})
}

// transition records one state change. Going back to draft from steering review or later starts a
// new steering round: the steering group saw the previous content, so its members are assigned anew.
func (db *DB) transition(ctx context.Context, tx pgx.Tx, agencyID, userID, productID int64, from, to product.State, action, comment string) error {
	round := 0
	if to == product.StateDraft && (from == product.StateSteeringReview || from == product.StateApproved || from == product.StateReleased) {
		round = 1
	}
	tag, err := tx.Exec(ctx, `UPDATE product SET state = $4, rev = rev + 1, updated_by = $5, updated_at = now(),
		steering_round = steering_round + $6
		WHERE id = $1 AND owner_agency_id = $2 AND state = $3`, productID, agencyID, from, to, userID, round)
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return apperr.Errorf(apperr.ECONFLICT, "The product is no longer %s; reload the page to see its current state.", from.Label())
	}
	var transitionID int64
	if err := tx.QueryRow(ctx, `INSERT INTO product_transition (product_id, from_state, to_state, action, comment, actor_id)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, productID, from, to, action, comment, userID).Scan(&transitionID); err != nil {
		return err
	}
	if err := db.notifyTransition(ctx, tx, agencyID, productID, transitionID, from, to, comment); err != nil {
		return err
	}
	return insertAudit(ctx, tx, audit.New(ctx, "product."+action, "product", strconv.FormatInt(productID, 10), audit.Success,
		map[string]any{"from": from, "to": to, "comment": comment}))
}

// FindTransitions returns a product's timeline, oldest first.
func (db *DB) FindTransitions(ctx context.Context, agencyID, productID int64) ([]product.Transition, error) {
	var out []product.Transition
	b := &pgx.Batch{}
	b.Queue(`SELECT t.from_state, t.to_state, t.action, t.comment, u.display_name, t.at
			FROM product_transition t JOIN app_user u ON u.id = t.actor_id JOIN product p ON p.id = t.product_id
			WHERE t.product_id = $1 AND p.owner_agency_id = $2 ORDER BY t.at, t.id`, productID, agencyID).
		Query(collect(&out, scanTransition))
	return out, db.batchAs(ctx, agencyID, 0, b)
}

func scanTransition(r pgx.CollectableRow) (product.Transition, error) {
	var t product.Transition
	return t, r.Scan(&t.From, &t.To, &t.Action, &t.Comment, &t.ActorName, &t.At)
}

// ReleaseProduct is the only place an edition is created: it freezes the approved product's content,
// hashes its canonical form, numbers it (the next number of its type and year, or the product's
// existing number with the next revision), records the transition to released and audits it.
func (db *DB) ReleaseProduct(ctx context.Context, agencyID, userID, productID int64, now time.Time) (product.Edition, error) {
	var e product.Edition
	err := db.inAgencyTx(ctx, agencyID, func(tx pgx.Tx) error {
		p, err := loadProduct(ctx, tx, agencyID, productID)
		if err != nil {
			return err
		}
		if p.State != product.StateApproved {
			return apperr.Errorf(apperr.ECONFLICT, "Only an approved product can be released; this one is %s.", p.State.Label())
		}
		content := p.Freeze()
		raw, sum, err := content.Canonical()
		if err != nil {
			return err
		}
		e = product.Edition{ProductID: p.ID, OwnerAgencyID: agencyID, Type: p.Type, Title: p.Title, Banner: content.Banner.String(),
			Content: content, SHA256: sum, ReleasedBy: userID}
		var prevID int64
		err = tx.QueryRow(ctx, `SELECT id, number, rev FROM edition WHERE product_id = $1 ORDER BY rev DESC LIMIT 1`, p.ID).Scan(&prevID, &e.Number, &e.Rev)
		switch err {
		case nil:
			e.Rev++
			e.Supersedes = &prevID
		case pgx.ErrNoRows:
			var seq int
			year := now.UTC().Year()
			if err := tx.QueryRow(ctx, `INSERT INTO edition_counter (type, year, last) VALUES ($1, $2, 1)
				ON CONFLICT (type, year) DO UPDATE SET last = edition_counter.last + 1 RETURNING last`, p.Type, year).Scan(&seq); err != nil {
				return err
			}
			e.Number, e.Rev = product.EditionNumber(p.Type, year, seq), 1
		default:
			return err
		}
		if err := tx.QueryRow(ctx, `INSERT INTO edition (product_id, owner_agency_id, number, rev, type, title, banner, content, sha256, supersedes, released_by)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING id, released_at`,
			p.ID, agencyID, e.Number, e.Rev, p.Type, p.Title, e.Banner, raw, sum, e.Supersedes, userID).Scan(&e.ID, &e.ReleasedAt); err != nil {
			return err
		}
		if err := db.transition(ctx, tx, agencyID, userID, p.ID, product.StateApproved, product.StateReleased, "release", e.Label()); err != nil {
			return err
		}
		if e.Supersedes != nil {
			reached, err := reachPreviousRecipients(ctx, tx, userID, e, *e.Supersedes)
			if err != nil {
				return err
			}
			prev := product.Edition{Number: e.Number, Rev: e.Rev - 1}
			if err := db.notifyEdition(ctx, tx, notify.EditionSuperseded, e, reached, "Supersedes "+prev.Label()); err != nil {
				return err
			}
		}
		return insertAudit(ctx, tx, audit.New(ctx, "edition.release", "edition", strconv.FormatInt(e.ID, 10), audit.Success,
			map[string]any{"number": e.Number, "rev": e.Rev, "sha256": sum, "product_id": p.ID}))
	})
	return e, err
}

// FindEditions returns the editions of a product, newest revision first.
func (db *DB) FindEditions(ctx context.Context, agencyID, productID int64) ([]product.Edition, error) {
	var out []product.Edition
	b := &pgx.Batch{}
	b.Queue(editionSelect+` WHERE e.product_id = $1 AND e.owner_agency_id = $2 ORDER BY e.rev DESC`, productID, agencyID).
		Query(collect(&out, scanEdition))
	return out, db.batchAs(ctx, agencyID, 0, b)
}

// FindEditionByID returns one edition of the agency.
func (db *DB) FindEditionByID(ctx context.Context, agencyID, id int64) (product.Edition, error) {
	var e product.Edition
	b := &pgx.Batch{}
	b.Queue(editionSelect+` WHERE e.id = $1 AND e.owner_agency_id = $2`, id, agencyID).Query(exactlyOne(&e, scanEdition))
	return e, db.batchAs(ctx, agencyID, 0, b)
}

const editionSelect = `SELECT e.id, e.product_id, e.owner_agency_id, e.number, e.rev, e.type, e.title, e.banner, e.content, e.sha256,
	e.supersedes, e.released_by, u.display_name, e.released_at, r.reason, ru.display_name, r.rescinded_at
	FROM edition e JOIN app_user u ON u.id = e.released_by
	LEFT JOIN edition_rescission r ON r.edition_id = e.id LEFT JOIN app_user ru ON ru.id = r.rescinded_by`

func scanEdition(r pgx.CollectableRow) (product.Edition, error) {
	var e product.Edition
	var raw []byte
	var reason, by *string
	var at *time.Time
	if err := r.Scan(&e.ID, &e.ProductID, &e.OwnerAgencyID, &e.Number, &e.Rev, &e.Type, &e.Title, &e.Banner, &raw, &e.SHA256,
		&e.Supersedes, &e.ReleasedBy, &e.ReleasedName, &e.ReleasedAt, &reason, &by, &at); err != nil {
		return e, err
	}
	if reason != nil {
		e.Rescinded = &product.Rescission{Reason: *reason, By: *by, At: *at}
	}
	return e, json.Unmarshal(raw, &e.Content)
}

// RescindEdition records that an edition is rescinded, with the reason.
func (db *DB) RescindEdition(ctx context.Context, agencyID, userID, editionID int64, reason string) error {
	return db.inAgencyTx(ctx, agencyID, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `INSERT INTO edition_rescission (edition_id, reason, rescinded_by)
			SELECT id, $3, $4 FROM edition WHERE id = $1 AND owner_agency_id = $2 ON CONFLICT DO NOTHING`, editionID, agencyID, reason, userID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return apperr.Errorf(apperr.ECONFLICT, "This edition does not exist or is already rescinded.")
		}
		var e product.Edition
		var holders []int64
		if err := tx.QueryRow(ctx, `SELECT e.id, e.number, e.rev,
				coalesce((SELECT array_agg(l.agency_id ORDER BY l.agency_id) FROM release_ledger l WHERE l.edition_id = e.id), '{}')
			FROM edition e WHERE e.id = $1 AND e.owner_agency_id = $2`, editionID, agencyID).Scan(&e.ID, &e.Number, &e.Rev, &holders); err != nil {
			return err
		}
		if err := db.notifyEdition(ctx, tx, notify.EditionRecalled, e, holders, reason); err != nil {
			return err
		}
		return insertAudit(ctx, tx, audit.New(ctx, "edition.rescind", "edition", strconv.FormatInt(editionID, 10), audit.Success,
			map[string]any{"reason": reason}))
	})
}

// reachPreviousRecipients gives a superseding edition to the recipients of the edition it supersedes,
// each checked again against the new edition's caveats; a recipient the new caveats refuse does not
// get it, and the refusal is audited with its reasons.
func reachPreviousRecipients(ctx context.Context, tx pgx.Tx, userID int64, e product.Edition, prevID int64) ([]int64, error) {
	rows, _ := tx.Query(ctx, `SELECT `+agencyColumnsQualified+` FROM release_ledger l JOIN agency a ON a.id = l.agency_id
		WHERE l.edition_id = $1 ORDER BY a.code`, prevID)
	recipients, err := pgx.CollectRows(rows, scanAgency)
	if err != nil {
		return nil, err
	}
	var reached []int64
	prev := product.Edition{Number: e.Number, Rev: e.Rev - 1}
	for _, v := range dissem.CheckAll(e.Content.Banner, recipients, dissem.Options{}) {
		if !v.Allowed {
			if err := insertAudit(ctx, tx, audit.New(ctx, "edition.supersede_refused", "edition", strconv.FormatInt(e.ID, 10), audit.Denied,
				map[string]any{"recipient_agency_id": v.AgencyID, "reasons": v.Reasons})); err != nil {
				return nil, err
			}
			continue
		}
		if _, err := tx.Exec(ctx, `INSERT INTO release_ledger (edition_id, agency_id, released_by, justification, caveats)
			VALUES ($1, $2, $3, $4, $5)`, e.ID, v.AgencyID, userID, "Supersedes "+prev.Label()+": reaches the recipients of the previous edition.", e.Banner); err != nil {
			return nil, err
		}
		if err := insertAudit(ctx, tx, audit.New(ctx, "edition.disseminate", "edition", strconv.FormatInt(e.ID, 10), audit.Success,
			map[string]any{"recipient_agency_id": v.AgencyID, "supersedes": prevID})); err != nil {
			return nil, err
		}
		reached = append(reached, v.AgencyID)
	}
	return reached, nil
}
