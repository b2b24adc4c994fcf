package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"tearline/internal/apperr"
	"tearline/internal/audit"
	"tearline/internal/notify"
	"tearline/internal/product"
	"tearline/internal/user"
	"tearline/internal/workflow"
)

// MaxSteeringText is the longest steering comment or decision reason, in characters.
const MaxSteeringText = 4000

// AssignSteering sets the steering group members of the product's current round: memberIDs replace
// the round's earlier assignment. Only a strategic assessment of the agency in supervisory or legal
// and privacy review can be assigned (it enters steering review next), and only active users holding
// the steering role.
func (db *DB) AssignSteering(ctx context.Context, agencyID, userID, productID int64, memberIDs []int64) error {
	ids := slices.Clone(memberIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) == 0 {
		return apperr.Invalid(map[string]string{"members": "Choose at least one steering group member."})
	}
	return db.inAgencyTx(ctx, agencyID, func(tx pgx.Tx) error {
		var typ product.Type
		var state product.State
		var round int
		err := tx.QueryRow(ctx, `SELECT type, state, steering_round FROM product WHERE id = $1 AND owner_agency_id = $2 FOR UPDATE`,
			productID, agencyID).Scan(&typ, &state, &round)
		if err != nil {
			return err
		}
		if typ != product.TypeAssessment {
			return apperr.Errorf(apperr.EINVALID, "Only strategic assessments go to the steering group.")
		}
		if state != product.StateSupervisoryReview && state != product.StateLegalReview {
			return apperr.Errorf(apperr.ECONFLICT, "Steering group members are assigned while the assessment is in supervisory or legal and privacy review; it is %s.",
				strings.ToLower(state.Label()))
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM app_user u WHERE u.id = ANY($1) AND u.active
			AND EXISTS (SELECT 1 FROM membership m WHERE m.user_id = u.id AND m.agency_id = u.agency_id AND m.role = 'steering')`,
			ids).Scan(&n); err != nil {
			return err
		}
		if n != len(ids) {
			return apperr.Invalid(map[string]string{"members": "Choose active steering group members only."})
		}
		rows, _ := tx.Query(ctx, `DELETE FROM steering_assignment WHERE product_id = $1 AND round = $2 AND NOT (user_id = ANY($3))
			RETURNING user_id`, productID, round, ids)
		removed, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, `INSERT INTO steering_assignment (product_id, owner_agency_id, user_id, round, assigned_by)
			SELECT $1, $2, m, $4, $5 FROM unnest($3::bigint[]) m ON CONFLICT DO NOTHING RETURNING user_id`,
			productID, agencyID, ids, round, userID)
		added, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return err
		}
		if len(added) > 0 {
			if err := db.enqueue(ctx, tx, notify.FanoutArgs{Event: notify.SteeringAssigned, ProductID: productID, Agencies: []int64{agencyID},
				Users: added, Key: eventKey(notify.SteeringAssigned+":"+strconv.Itoa(round), productID, added)}); err != nil {
				return err
			}
		}
		return insertAudit(ctx, tx, audit.New(ctx, "product.steering_assign", "product", strconv.FormatInt(productID, 10), audit.Success,
			map[string]any{"round": round, "members": ids, "added": nonNilIDs(added), "removed": nonNilIDs(removed)}))
	})
}

func nonNilIDs(ids []int64) []int64 {
	if ids == nil {
		return []int64{}
	}
	return ids
}

// FindSteeringCandidates returns every active user holding the steering role, by agency and name.
func (db *DB) FindSteeringCandidates(ctx context.Context) ([]product.SteeringCandidate, error) {
	rows, _ := db.Pool.Query(ctx, `SELECT u.id, u.display_name, a.code, a.name FROM app_user u JOIN agency a ON a.id = u.agency_id
		WHERE u.active AND EXISTS (SELECT 1 FROM membership m WHERE m.user_id = u.id AND m.agency_id = u.agency_id AND m.role = 'steering')
		ORDER BY a.code, u.display_name, u.id`)
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (product.SteeringCandidate, error) {
		var c product.SteeringCandidate
		return c, r.Scan(&c.UserID, &c.Name, &c.AgencyCode, &c.AgencyName)
	})
	return out, formatError(err)
}

// FindSteeringAssignments returns the steering review of a product of the agency: the current
// round's members with their decisions, earlier rounds, and every comment.
func (db *DB) FindSteeringAssignments(ctx context.Context, agencyID, productID int64) (product.SteeringReview, error) {
	var r product.SteeringReview
	err := db.inAgencyTx(ctx, agencyID, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `SELECT steering_round FROM product WHERE id = $1 AND owner_agency_id = $2`, productID, agencyID).
			Scan(&r.Round); err != nil {
			return err
		}
		var err error
		r, err = loadSteering(ctx, tx, productID, r.Round, 0)
		return err
	})
	return r, err
}

// loadSteering loads the assignments, decisions and comments of a product, all of them or, with
// onlyUser, that user's alone. Row-level security narrows further what the transaction may see.
func loadSteering(ctx context.Context, tx pgx.Tx, productID int64, round int, onlyUser int64) (product.SteeringReview, error) {
	r := product.SteeringReview{Round: round}
	rows, _ := tx.Query(ctx, `SELECT sa.user_id, u.display_name, ag.code, sa.round, ab.display_name, sa.assigned_at,
			coalesce(d.decision, ''), coalesce(d.comment, ''), d.decided_at
		FROM steering_assignment sa JOIN app_user u ON u.id = sa.user_id JOIN agency ag ON ag.id = u.agency_id
		JOIN app_user ab ON ab.id = sa.assigned_by
		LEFT JOIN steering_decision d ON d.product_id = sa.product_id AND d.user_id = sa.user_id AND d.round = sa.round
		WHERE sa.product_id = $1 AND ($2 = 0 OR sa.user_id = $2)
		ORDER BY sa.round DESC, ag.code, u.display_name, sa.user_id`, productID, onlyUser)
	members, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (product.SteeringMember, error) {
		var m product.SteeringMember
		return m, row.Scan(&m.UserID, &m.Name, &m.AgencyCode, &m.Round, &m.AssignedBy, &m.AssignedAt, &m.Decision, &m.Comment, &m.DecidedAt)
	})
	if err != nil {
		return r, err
	}
	for _, m := range members {
		if m.Round == round {
			r.Members = append(r.Members, m)
		} else {
			r.Earlier = append(r.Earlier, m)
		}
	}
	rows, _ = tx.Query(ctx, `SELECT c.id, c.round, c.section, c.user_id, u.display_name, ag.code, c.body, c.at
		FROM steering_comment c JOIN app_user u ON u.id = c.user_id JOIN agency ag ON ag.id = u.agency_id
		WHERE c.product_id = $1 AND ($2 = 0 OR c.user_id = $2)
		ORDER BY c.round DESC, c.at, c.id`, productID, onlyUser)
	r.Comments, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (product.SteeringComment, error) {
		var c product.SteeringComment
		return c, row.Scan(&c.ID, &c.Round, &c.Section, &c.UserID, &c.Name, &c.AgencyCode, &c.Body, &c.At)
	})
	return r, err
}

// assignedSQL selects a product routed to steering member $2: its current round assigns the member
// and it has reached steering review (it is there, approved or released). It filters on the
// assignment, not on the owning agency.
const assignedSQL = `SELECT p.owner_agency_id, p.type, p.state, p.steering_round FROM product p WHERE p.id = $1
	AND p.state IN ('steering_review', 'approved', 'released')
	AND EXISTS (SELECT 1 FROM steering_assignment sa WHERE sa.product_id = p.id AND sa.user_id = $2 AND sa.round = p.steering_round)`

// assignedProduct is what assignedSQL returns.
type assignedProduct struct {
	owner int64
	typ   product.Type
	state product.State
	round int
}

func findAssigned(ctx context.Context, tx pgx.Tx, memberUserID, productID int64) (assignedProduct, error) {
	var a assignedProduct
	err := tx.QueryRow(ctx, assignedSQL, productID, memberUserID).Scan(&a.owner, &a.typ, &a.state, &a.round)
	return a, err
}

// FindProductForSteering loads an assessment for a steering member: only when it is routed to them,
// that is, its current round assigns the member and it has reached steering review (any other
// product, of any agency, is ENOTFOUND), with the member's own decisions and comments and the
// product's timeline.
func (db *DB) FindProductForSteering(ctx context.Context, memberUserID, memberAgencyID, productID int64) (product.SteeringCase, error) {
	var c product.SteeringCase
	err := db.inActorTx(ctx, memberAgencyID, memberUserID, func(tx pgx.Tx) error {
		a, err := findAssigned(ctx, tx, memberUserID, productID)
		if err != nil {
			return err
		}
		if c.Product, err = loadProduct(ctx, tx, a.owner, productID); err != nil {
			return err
		}
		if c.Steering, err = loadSteering(ctx, tx, productID, a.round, memberUserID); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT t.from_state, t.to_state, t.action, t.comment, u.display_name, t.at
			FROM product_transition t JOIN app_user u ON u.id = t.actor_id
			WHERE t.product_id = $1 ORDER BY t.at, t.id`, productID)
		c.Timeline, err = pgx.CollectRows(rows, scanTransition)
		return err
	})
	return c, err
}

// FindSteeringQueue returns the assessments in steering review whose current round assigns the
// member, oldest change first, with the member's decision so far.
func (db *DB) FindSteeringQueue(ctx context.Context, memberUserID, memberAgencyID int64) ([]product.SteeringQueueItem, error) {
	var out []product.SteeringQueueItem
	b := &pgx.Batch{}
	b.Queue(`SELECT p.id, p.type, p.state, p.title, p.updated_at, u.display_name,
			(SELECT string_agg(au.display_name, ', ' ORDER BY a.position) FROM product_author a JOIN app_user au ON au.id = a.user_id WHERE a.product_id = p.id),
			ag.code, p.steering_round, coalesce(d.decision, '')
			FROM product p
			JOIN steering_assignment sa ON sa.product_id = p.id AND sa.round = p.steering_round AND sa.user_id = $1
			JOIN app_user u ON u.id = p.updated_by JOIN agency ag ON ag.id = p.owner_agency_id
			LEFT JOIN steering_decision d ON d.product_id = p.id AND d.user_id = sa.user_id AND d.round = sa.round
			WHERE p.state = 'steering_review'
			ORDER BY p.updated_at, p.id LIMIT 200`, memberUserID).
		Query(collect(&out, func(r pgx.CollectableRow) (product.SteeringQueueItem, error) {
			var it product.SteeringQueueItem
			var authors *string
			err := r.Scan(&it.ID, &it.Type, &it.State, &it.Title, &it.UpdatedAt, &it.UpdatedBy, &authors, &it.OwnerAgency, &it.Round, &it.Decision)
			if authors != nil {
				it.Authors = *authors
			}
			return it, err
		}))
	return out, db.batchAs(ctx, memberAgencyID, memberUserID, b)
}

// RecordSteeringDecision records an assigned member's decision (replacing an earlier one of the same
// round) and asks the workflow, under the default quorum, what the round's decisions now mean: the
// assessment stays in steering review, moves to approved, or goes back to draft with the
// non-concurrence reasons as the comment, which starts a new round. It returns the product's state.
//
// The member belongs to another agency than the product's owner. The transaction first proves the
// assignment with the member's own settings; only then does it take the owning agency's setting, to
// lock the product, read every member's decision and record the state change.
func (db *DB) RecordSteeringDecision(ctx context.Context, memberUserID, memberAgencyID, productID int64, decision workflow.Decision, comment string) (product.State, error) {
	comment = strings.TrimSpace(comment)
	if utf8.RuneCountInString(comment) > MaxSteeringText {
		return "", apperr.Invalid(map[string]string{"comment": fmt.Sprintf("Keep the comment under %d characters.", MaxSteeringText)})
	}
	var to product.State
	err := db.inActorTx(ctx, memberAgencyID, memberUserID, func(tx pgx.Tx) error {
		a, err := findAssigned(ctx, tx, memberUserID, productID)
		if err != nil {
			return err
		}
		var roles []string
		if err := tx.QueryRow(ctx, `SELECT coalesce(array_agg(m.role), '{}') FROM app_user u
			JOIN membership m ON m.user_id = u.id AND m.agency_id = u.agency_id WHERE u.id = $1 AND u.active`, memberUserID).Scan(&roles); err != nil {
			return err
		}
		// Act for the owning agency from here on: the member is proven assigned above.
		if _, err := tx.Exec(ctx, `SELECT set_config('tearline.agency_id', $1, true)`, strconv.FormatInt(a.owner, 10)); err != nil {
			return fmt.Errorf("set owning agency: %w", err)
		}
		f := workflow.Facts{ActorID: memberUserID, Decision: decision, Comment: comment, Quorum: db.SteeringQuorum}
		for _, r := range roles {
			f.ActorRoles = append(f.ActorRoles, user.Role(r))
		}
		var state product.State
		var round int
		if err := tx.QueryRow(ctx, `SELECT type, state, steering_round, us_person, victim_data, foreign_recipients
			FROM product WHERE id = $1 AND owner_agency_id = $2 FOR UPDATE`, productID, a.owner).
			Scan(&f.Type, &state, &round, &f.USPerson, &f.VictimData, &f.ForeignRecipients); err != nil {
			return err
		}
		rows, _ := tx.Query(ctx, `SELECT user_id FROM product_author WHERE product_id = $1`, productID)
		if f.Authors, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			return err
		}
		rows, _ = tx.Query(ctx, `SELECT user_id FROM steering_assignment WHERE product_id = $1 AND round = $2`, productID, round)
		if f.AssignedSteering, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
			return err
		}
		f.Decisions = map[int64]workflow.Decision{}
		if err := collectDecisions(ctx, tx, productID, round, f.Decisions); err != nil {
			return err
		}
		next, err := workflow.Next(workflow.State(state), workflow.ActionSteeringDecide, f)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO steering_decision (product_id, user_id, round, decision, comment) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (product_id, user_id, round) DO UPDATE SET decision = EXCLUDED.decision, comment = EXCLUDED.comment,
				decided_at = clock_timestamp()`, productID, memberUserID, round, decision, comment); err != nil {
			return err
		}
		if err := insertAudit(ctx, tx, audit.New(ctx, "product.steering_decide", "product", strconv.FormatInt(productID, 10), audit.Success,
			map[string]any{"round": round, "decision": decision, "comment": comment})); err != nil {
			return err
		}
		to = product.State(next)
		switch next {
		case workflow.StateApproved:
			f.Decisions[memberUserID] = decision
			t := workflow.Count(f.AssignedSteering, f.Decisions)
			return db.transition(ctx, tx, a.owner, memberUserID, productID, state, to, "steering_approve",
				fmt.Sprintf("The steering group concurs: %d of %d members concur.", t.Concur, t.Assigned))
		case workflow.StateDraft:
			reasons, err := nonConcurrences(ctx, tx, productID, round)
			if err != nil {
				return err
			}
			return db.transition(ctx, tx, a.owner, memberUserID, productID, state, to, "steering_return", reasons)
		}
		return nil
	})
	return to, err
}

// collectDecisions reads the round's recorded decisions into into.
func collectDecisions(ctx context.Context, tx pgx.Tx, productID int64, round int, into map[int64]workflow.Decision) error {
	rows, _ := tx.Query(ctx, `SELECT user_id, decision FROM steering_decision WHERE product_id = $1 AND round = $2`, productID, round)
	var id int64
	var d string
	_, err := pgx.ForEachRow(rows, []any{&id, &d}, func() error {
		into[id] = workflow.Decision(d)
		return nil
	})
	return err
}

// nonConcurrences is the comment of a steering return: every non-concurrence of the round with its reason.
func nonConcurrences(ctx context.Context, tx pgx.Tx, productID int64, round int) (string, error) {
	rows, _ := tx.Query(ctx, `SELECT u.display_name || ' (' || ag.code || ') non-concurs: ' || d.comment
		FROM steering_decision d JOIN app_user u ON u.id = d.user_id JOIN agency ag ON ag.id = u.agency_id
		WHERE d.product_id = $1 AND d.round = $2 AND d.decision = 'non_concur' ORDER BY d.decided_at, d.user_id`, productID, round)
	lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return "", err
	}
	if len(lines) == 0 {
		return "The steering group did not concur.", nil
	}
	return strings.Join(lines, "\n"), nil
}

// AddSteeringComment records an assigned member's comment on one section of an assessment in
// steering review (product.GeneralSection for the assessment as a whole).
func (db *DB) AddSteeringComment(ctx context.Context, memberUserID, memberAgencyID, productID int64, section, body string) (product.SteeringComment, error) {
	c := product.SteeringComment{Section: section, Body: strings.TrimSpace(body), UserID: memberUserID}
	switch n := utf8.RuneCountInString(c.Body); {
	case n == 0:
		return c, apperr.Invalid(map[string]string{"body": "Write a comment first."})
	case n > MaxSteeringText:
		return c, apperr.Invalid(map[string]string{"body": fmt.Sprintf("Keep the comment under %d characters.", MaxSteeringText)})
	}
	err := db.inActorTx(ctx, memberAgencyID, memberUserID, func(tx pgx.Tx) error {
		a, err := findAssigned(ctx, tx, memberUserID, productID)
		if err != nil {
			return err
		}
		if section != product.GeneralSection && product.SectionTitle(a.typ, section) == "" {
			return apperr.Invalid(map[string]string{"section": "Choose a section of the assessment."})
		}
		if a.state != product.StateSteeringReview {
			return apperr.Errorf(apperr.ECONFLICT, "Comments are taken while the assessment is in steering-group review; it is %s.",
				strings.ToLower(a.state.Label()))
		}
		c.Round = a.round
		if err := tx.QueryRow(ctx, `INSERT INTO steering_comment (product_id, round, section, user_id, body) VALUES ($1, $2, $3, $4, $5)
			RETURNING id, at`, productID, a.round, section, memberUserID, c.Body).Scan(&c.ID, &c.At); err != nil {
			return err
		}
		return insertAudit(ctx, tx, audit.New(ctx, "product.steering_comment", "product", strconv.FormatInt(productID, 10), audit.Success,
			map[string]any{"round": a.round, "section": section, "comment_id": c.ID}))
	})
	return c, err
}
