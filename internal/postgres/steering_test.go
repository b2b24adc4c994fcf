package postgres_test

import (
	"context"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"tearline/internal/apperr"
	"tearline/internal/marking"
	"tearline/internal/postgres"
	"tearline/internal/product"
	"tearline/internal/workflow"
)

// steeringWorld is a seeded database with HSTC's analyst and reviewer and the three steering members.
type steeringWorld struct {
	app, owner           *postgres.DB
	hstc, analyst, chief int64
	member               map[string]struct{ id, agency int64 }
}

func newSteeringWorld(t *testing.T) *steeringWorld {
	t.Helper()
	app, owner := setup(t)
	hstc, chief := seedHSTC(t, owner)
	w := &steeringWorld{app: app, owner: owner, hstc: hstc, chief: chief, member: map[string]struct{ id, agency int64 }{}}
	for _, hint := range []string{"analyst@hstc", "steering@dos", "steering@doj", "steering@dhs-ia"} {
		u, err := owner.FindUserByIdentity(context.Background(), "https://idp.test", hint)
		if err != nil {
			t.Fatal(err)
		}
		if hint == "analyst@hstc" {
			w.analyst = u.ID
			continue
		}
		w.member[hint] = struct{ id, agency int64 }{u.ID, u.AgencyID}
	}
	return w
}

// product creates a draft of type typ as the analyst and moves it to state (skipping the workflow).
func (w *steeringWorld) product(t *testing.T, typ product.Type, title string, state product.State) int64 {
	t.Helper()
	ctx := actorCtx(w.analyst, w.hstc)
	p := product.Product{Type: typ, Title: title, Summary: "BLUF"}
	if err := w.app.CreateProduct(ctx, w.hstc, w.analyst, &p, marking.Marking{Control: marking.CUI, Categories: []marking.Category{{Code: "LEI"}}}); err != nil {
		t.Fatal(err)
	}
	if state != product.StateDraft {
		w.move(t, p.ID, product.StateDraft, state)
	}
	return p.ID
}

func (w *steeringWorld) move(t *testing.T, id int64, from, to product.State) {
	t.Helper()
	if err := w.app.TransitionProduct(actorCtx(w.chief, w.hstc), w.hstc, w.chief, id, from, to, "test", ""); err != nil {
		t.Fatal(err)
	}
}

func (w *steeringWorld) assign(t *testing.T, id int64, hints ...string) {
	t.Helper()
	var ids []int64
	for _, h := range hints {
		ids = append(ids, w.member[h].id)
	}
	if err := w.app.AssignSteering(actorCtx(w.chief, w.hstc), w.hstc, w.chief, id, ids); err != nil {
		t.Fatal(err)
	}
}

func (w *steeringWorld) decide(hint string, id int64, d workflow.Decision, comment string) (product.State, error) {
	m := w.member[hint]
	return w.app.RecordSteeringDecision(actorCtx(m.id, m.agency), m.id, m.agency, id, d, comment)
}

// asApp runs fn as the application role in a transaction with the given settings ("" leaves one unset).
func asApp(t *testing.T, w *steeringWorld, agency, userID string, fn func(tx pgx.Tx)) {
	t.Helper()
	ctx := context.Background()
	tx, err := w.app.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = tx.Rollback(ctx) }()
	if agency != "" {
		if _, err := tx.Exec(ctx, `SELECT set_config('tearline.agency_id', $1, true)`, agency); err != nil {
			t.Fatal(err)
		}
	}
	if userID != "" {
		if _, err := tx.Exec(ctx, `SELECT set_config('tearline.user_id', $1, true)`, userID); err != nil {
			t.Fatal(err)
		}
	}
	fn(tx)
}

func ids(t *testing.T, tx pgx.Tx, sql string, args ...any) []int64 {
	t.Helper()
	rows, _ := tx.Query(context.Background(), sql, args...)
	out, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return out
}

func str(id int64) string { return strconv.FormatInt(id, 10) }

// TestSteeringRowLevelSecurity: a steering member of another agency sees exactly the assessments
// assigned to them, reads their content, writes none of it; without settings nothing is visible.
func TestSteeringRowLevelSecurity(t *testing.T) {
	w := newSteeringWorld(t)
	ctx := context.Background()
	assigned := w.product(t, product.TypeAssessment, "Assessment routed to State", product.StateSupervisoryReview)
	other := w.product(t, product.TypeAssessment, "Assessment nobody was assigned", product.StateSupervisoryReview)
	bulletin := w.product(t, product.TypeBulletin, "A bulletin", product.StateDraft)

	// Only assessments in supervisory or legal review, and only steering members, can be assigned.
	if err := w.app.AssignSteering(actorCtx(w.chief, w.hstc), w.hstc, w.chief, bulletin, []int64{w.member["steering@dos"].id}); apperr.Code(err) != apperr.EINVALID {
		t.Errorf("assigning a bulletin: %v", err)
	}
	if err := w.app.AssignSteering(actorCtx(w.chief, w.hstc), w.hstc, w.chief, assigned, []int64{w.analyst}); apperr.Code(err) != apperr.EINVALID {
		t.Errorf("assigning an analyst: %v", err)
	}
	draft := w.product(t, product.TypeAssessment, "Draft assessment", product.StateDraft)
	if err := w.app.AssignSteering(actorCtx(w.chief, w.hstc), w.hstc, w.chief, draft, []int64{w.member["steering@dos"].id}); apperr.Code(err) != apperr.ECONFLICT {
		t.Errorf("assigning a draft: %v", err)
	}
	dos, dhs := w.member["steering@dos"], w.member["steering@dhs-ia"]
	if err := w.app.AssignSteering(actorCtx(w.chief, dos.agency), dos.agency, w.chief, assigned, []int64{dos.id}); apperr.Code(err) != apperr.ENOTFOUND {
		t.Errorf("assigning from another agency: %v", err)
	}
	w.assign(t, assigned, "steering@dos")

	products := `SELECT id FROM product ORDER BY id`
	asApp(t, w, str(dos.agency), str(dos.id), func(tx pgx.Tx) {
		if got := ids(t, tx, products); !slices.Equal(got, []int64{assigned}) {
			t.Errorf("the DOS member sees products %v, want only %d", got, assigned)
		}
		for _, table := range []string{"portion", "product_author", "product_source", "attachment", "product_transition"} {
			if got := ids(t, tx, `SELECT DISTINCT product_id FROM `+table+` ORDER BY 1`); len(got) > 1 || len(got) == 1 && got[0] != assigned {
				t.Errorf("the DOS member sees %s of products %v", table, got)
			}
		}
		if got := ids(t, tx, `SELECT DISTINCT product_id FROM portion`); len(got) != 1 {
			t.Error("the DOS member cannot read the assigned assessment's portions")
		}
		for _, table := range []string{"product_version", "tearline", "edition"} {
			if got := ids(t, tx, `SELECT id FROM `+table); len(got) != 0 {
				t.Errorf("the DOS member sees %s rows %v", table, got)
			}
		}
		if got := ids(t, tx, `SELECT user_id FROM steering_assignment`); !slices.Equal(got, []int64{dos.id}) {
			t.Errorf("the DOS member sees assignments of %v", got)
		}
	})
	// Writes stay with the owning agency, even on the assigned assessment.
	writes := []string{
		`UPDATE product SET title = 'forged' WHERE id = $1`,
		`UPDATE portion SET body = 'forged' WHERE product_id = $1`,
		`DELETE FROM product_source WHERE product_id = $1`,
	}
	for _, sql := range writes {
		asApp(t, w, str(dos.agency), str(dos.id), func(tx pgx.Tx) {
			tag, err := tx.Exec(ctx, sql, assigned)
			if err != nil || tag.RowsAffected() != 0 {
				t.Errorf("%s as the DOS member: %v rows, %v", sql, tag.RowsAffected(), err)
			}
		})
	}
	refused := []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO portion (product_id, position, kind, body, updated_by) VALUES ($1, 99, 'paragraph', 'forged', $2)`, []any{assigned, dos.id}},
		{`INSERT INTO product_transition (product_id, from_state, to_state, action, actor_id) VALUES ($1, 'steering_review', 'approved', 'forged', $2)`, []any{assigned, dos.id}},
		{`INSERT INTO steering_assignment (product_id, owner_agency_id, user_id, round, assigned_by) VALUES ($1, $2, $3, 1, $3)`, []any{other, w.hstc, dos.id}},
		{`INSERT INTO steering_decision (product_id, user_id, round, decision) VALUES ($1, $2, 1, 'concur')`, []any{assigned, dhs.id}},
	}
	for _, r := range refused {
		asApp(t, w, str(dos.agency), str(dos.id), func(tx pgx.Tx) {
			if _, err := tx.Exec(ctx, r.sql, r.args...); pgCode(err) != "42501" {
				t.Errorf("%s as the DOS member: %v, want refused", r.sql, err)
			}
		})
	}
	// Another member, the DOS agency without a user, and no settings at all see nothing.
	for _, s := range []struct{ name, agency, user string }{
		{"unassigned member", str(dhs.agency), str(dhs.id)},
		{"agency without user", str(dos.agency), ""},
		{"user without agency", "", str(dos.id)},
		{"no settings", "", ""},
	} {
		asApp(t, w, s.agency, s.user, func(tx pgx.Tx) {
			want := 0
			if s.name == "user without agency" {
				want = 1 // the assignment names the user; reading needs nothing else
			}
			if got := ids(t, tx, products); len(got) != want {
				t.Errorf("%s sees products %v", s.name, got)
			}
			if s.name == "no settings" {
				for _, table := range []string{"steering_assignment", "steering_decision", "steering_comment", "portion"} {
					if n := len(ids(t, tx, `SELECT 1::bigint FROM `+table)); n != 0 {
						t.Errorf("no settings: %d rows of %s", n, table)
					}
				}
			}
		})
	}
	// The owning agency still sees and changes everything of its own.
	asApp(t, w, str(w.hstc), "", func(tx pgx.Tx) {
		if got := ids(t, tx, products); len(got) != 4 {
			t.Errorf("HSTC sees %v", got)
		}
	})

	// The store: the member loads the assigned assessment by its assignment, once it is routed to
	// the steering group, and nothing else.
	if _, err := w.app.FindProductForSteering(ctx, dos.id, dos.agency, assigned); apperr.Code(err) != apperr.ENOTFOUND {
		t.Errorf("FindProductForSteering before steering review: %v", err)
	}
	w.move(t, other, product.StateSupervisoryReview, product.StateSteeringReview)
	for _, tt := range []struct {
		name         string
		user, agency int64
		id           int64
	}{
		{"unassigned assessment", dos.id, dos.agency, other},
		{"bulletin", dos.id, dos.agency, bulletin},
		{"another member", dhs.id, dhs.agency, assigned},
	} {
		if _, err := w.app.FindProductForSteering(ctx, tt.user, tt.agency, tt.id); apperr.Code(err) != apperr.ENOTFOUND {
			t.Errorf("%s: %v, want not found", tt.name, err)
		}
	}
	if _, err := w.app.FindProductByID(ctx, dos.agency, assigned); apperr.Code(err) != apperr.ENOTFOUND {
		t.Errorf("FindProductByID for DOS: %v", err)
	}
	if q, err := w.app.FindSteeringQueue(ctx, dos.id, dos.agency); err != nil || len(q) != 0 {
		t.Errorf("queue before steering review: %v, %v", q, err)
	}
	w.move(t, assigned, product.StateSupervisoryReview, product.StateSteeringReview)
	c, err := w.app.FindProductForSteering(ctx, dos.id, dos.agency, assigned)
	if err != nil || c.Product.Title != "Assessment routed to State" || len(c.Product.Portions) == 0 || len(c.Product.Authors) != 1 ||
		len(c.Timeline) != 2 || c.Steering.Round != 1 || len(c.Steering.Members) != 1 {
		t.Fatalf("FindProductForSteering: %+v, %v", c, err)
	}
	if q, err := w.app.FindSteeringQueue(ctx, dos.id, dos.agency); err != nil || len(q) != 1 || q[0].ID != assigned || q[0].OwnerAgency != "HSTC" {
		t.Errorf("queue in steering review: %+v, %v", q, err)
	}
	if _, err := w.app.FindProductForSteering(ctx, dhs.id, dhs.agency, assigned); apperr.Code(err) != apperr.ENOTFOUND {
		t.Errorf("an unassigned member loads the assessment in steering review: %v", err)
	}
	if q, err := w.app.FindSteeringQueue(ctx, dhs.id, dhs.agency); err != nil || len(q) != 0 {
		t.Errorf("the unassigned member's queue: %+v, %v", q, err)
	}
	if err := w.app.AssignSteering(actorCtx(w.chief, w.hstc), w.hstc, w.chief, assigned, []int64{dhs.id}); apperr.Code(err) != apperr.ECONFLICT {
		t.Errorf("reassigning during steering review: %v", err)
	}
}

// TestSteeringQuorum: the default quorum approves on a majority and returns on any non-concurrence,
// with the reasons on the timeline and a new round; every decision is audited.
func TestSteeringQuorum(t *testing.T) {
	w := newSteeringWorld(t)
	ctx := context.Background()
	dos := w.member["steering@dos"]

	id := w.product(t, product.TypeAssessment, "Assessment to approve", product.StateSupervisoryReview)
	w.assign(t, id, "steering@dos", "steering@doj", "steering@dhs-ia")
	w.move(t, id, product.StateSupervisoryReview, product.StateSteeringReview)
	if _, err := w.app.AddSteeringComment(actorCtx(dos.id, dos.agency), dos.id, dos.agency, id, "key-judgments", "Say which judgment rests on one source."); err != nil {
		t.Fatal(err)
	}
	if _, err := w.app.AddSteeringComment(actorCtx(dos.id, dos.agency), dos.id, dos.agency, id, "no-such-section", "x"); apperr.Code(err) != apperr.EINVALID {
		t.Errorf("comment on an unknown section: %v", err)
	}
	if st, err := w.decide("steering@dos", id, workflow.NonConcur, "  "); apperr.Code(err) != apperr.EINVALID {
		t.Errorf("non-concur without a reason: %s, %v", st, err)
	}
	if st, err := w.decide("steering@dos", id, workflow.Concur, ""); err != nil || st != product.StateSteeringReview {
		t.Fatalf("first concurrence: %s, %v", st, err)
	}
	// A member may change their decision while the round is open; it counts once.
	if st, err := w.decide("steering@dos", id, workflow.ConcurWithComments, "Fine with the comment above."); err != nil || st != product.StateSteeringReview {
		t.Fatalf("changed concurrence: %s, %v", st, err)
	}
	if st, err := w.decide("steering@dhs-ia", id, workflow.Concur, ""); err != nil || st != product.StateApproved {
		t.Fatalf("second concurrence: %s, %v", st, err)
	}
	if _, err := w.decide("steering@doj", id, workflow.NonConcur, "Too late"); apperr.Code(err) != apperr.ECONFLICT {
		t.Errorf("deciding after approval: %v", err)
	}
	r, err := w.app.FindSteeringAssignments(ctx, w.hstc, id)
	if err != nil || r.Round != 1 || len(r.Members) != 3 || len(r.Comments) != 1 {
		t.Fatalf("steering review: %+v, %v", r, err)
	}
	if tally := workflow.Count(r.Assigned(), r.Decisions()); tally.Concur != 2 || tally.Pending != 1 {
		t.Errorf("tally %+v", tally)
	}
	tl, _ := w.app.FindTransitions(ctx, w.hstc, id)
	if last := tl[len(tl)-1]; last.Action != "steering_approve" || last.To != product.StateApproved || !strings.Contains(last.Comment, "2 of 3") {
		t.Errorf("last transition %+v", last)
	}
	if n := count(t, w.owner, `SELECT count(*) FROM audit_event WHERE action = 'product.steering_decide' AND object_id = $1`, str(id)); n != 3 {
		t.Errorf("audited decisions = %d, want 3", n)
	}
	if n := count(t, w.owner, `SELECT count(*) FROM audit_event WHERE action = 'product.steering_decide' AND actor_agency_id = $1`, dos.agency); n != 2 {
		t.Errorf("decisions audited as DOS = %d", n)
	}

	// A non-concurrence returns the assessment to draft with the reason and opens round 2.
	id2 := w.product(t, product.TypeAssessment, "Assessment to return", product.StateSupervisoryReview)
	w.assign(t, id2, "steering@dos", "steering@doj")
	w.move(t, id2, product.StateSupervisoryReview, product.StateSteeringReview)
	if st, err := w.decide("steering@doj", id2, workflow.NonConcur, "The outlook ignores the 2025 DOJ prosecutions."); err != nil || st != product.StateDraft {
		t.Fatalf("non-concurrence: %s, %v", st, err)
	}
	if n := count(t, w.owner, `SELECT steering_round FROM product WHERE id = $1`, id2); n != 2 {
		t.Errorf("round after return = %d", n)
	}
	tl, _ = w.app.FindTransitions(ctx, w.hstc, id2)
	if last := tl[len(tl)-1]; last.Action != "steering_return" || !strings.Contains(last.Comment, "The outlook ignores the 2025 DOJ prosecutions.") || !strings.Contains(last.Comment, "(DOJ)") {
		t.Errorf("return transition %+v", last)
	}
	if _, err := w.app.FindProductForSteering(ctx, dos.id, dos.agency, id2); apperr.Code(err) != apperr.ENOTFOUND {
		t.Errorf("a member of the closed round still loads the returned draft: %v", err)
	}
	r, err = w.app.FindSteeringAssignments(ctx, w.hstc, id2)
	if err != nil || r.Round != 2 || len(r.Members) != 0 || len(r.Earlier) != 2 {
		t.Errorf("after return: %+v, %v", r, err)
	}

	// Two members deciding at the same instant: the product is locked, so the second sees the first.
	for i := range 5 {
		id3 := w.product(t, product.TypeAssessment, "Parallel "+strconv.Itoa(i), product.StateSupervisoryReview)
		w.assign(t, id3, "steering@dos", "steering@doj", "steering@dhs-ia")
		w.move(t, id3, product.StateSupervisoryReview, product.StateSteeringReview)
		var wg sync.WaitGroup
		for _, h := range []string{"steering@dos", "steering@doj"} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if _, err := w.decide(h, id3, workflow.Concur, ""); err != nil {
					t.Errorf("parallel decision of %s: %v", h, err)
				}
			}()
		}
		wg.Wait()
		if n := count(t, w.owner, `SELECT count(*) FROM product WHERE id = $1 AND state = 'approved'`, id3); n != 1 {
			t.Errorf("two parallel concurrences of three did not approve (round %d)", i)
		}
	}
}
