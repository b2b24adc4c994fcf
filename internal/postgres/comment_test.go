package postgres_test

import (
	"context"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"

	"tearline/internal/apperr"
	"tearline/internal/demo"
	"tearline/internal/marking"
	"tearline/internal/product"
)

func TestReviewComments(t *testing.T) {
	app, owner := setup(t)
	hstc, reviewer := seedHSTC(t, owner)
	bg := context.Background()
	author, err := owner.FindUserByIdentity(bg, "https://idp.test", "analyst@hstc")
	if err != nil {
		t.Fatal(err)
	}
	ice, err := owner.FindAgencyByCode(bg, "ICE")
	if err != nil {
		t.Fatal(err)
	}
	ctx := actorCtx(author.ID, hstc)
	p := product.Product{Type: product.TypeBulletin, Title: "Go-fast boats", Summary: "BLUF"}
	if err := app.CreateProduct(ctx, hstc, author.ID, &p, marking.Marking{Control: marking.CUI, Categories: []marking.Category{{Code: "LEI"}}}); err != nil {
		t.Fatal(err)
	}
	x := p.Portions[1]
	x.Body = "Two boats left Puerto Cortés at night."
	if _, err := app.SavePortion(ctx, hstc, author.ID, p.ID, &x, x.Rev); err != nil {
		t.Fatal(err)
	}
	rctx := actorCtx(reviewer, hstc)
	comment := func(portionID *int64, parentID *int64, body string) (product.Comment, error) {
		c := product.Comment{ProductID: p.ID, PortionID: portionID, ParentID: parentID, Body: body}
		err := app.AddComment(rctx, hstc, reviewer, &c)
		return c, err
	}
	if _, err := comment(&x.ID, nil, "Too early"); apperr.Code(err) != apperr.ECONFLICT {
		t.Errorf("comment on a draft: %v, want a conflict", err)
	}
	if err := app.TransitionProduct(ctx, hstc, author.ID, p.ID, product.StateDraft, product.StatePeerReview, "submit", ""); err != nil {
		t.Fatal(err)
	}
	c, err := comment(&x.ID, nil, "Cite the boarding report.")
	if err != nil {
		t.Fatal(err)
	}
	if c.State != product.CommentOpen || !c.OnPortion || c.Quote != x.Body || c.QuoteMarking.Control != marking.CUI {
		t.Errorf("comment = %+v, want open, on the portion, quoting it with its marking", c)
	}
	general, err := comment(nil, nil, "The outlook needs a likelihood.")
	if err != nil || general.OnPortion || general.Quote != "" {
		t.Errorf("comment on the product: %+v, %v", general, err)
	}
	other := int64(999999)
	if _, err := comment(&other, nil, "Nowhere"); apperr.Code(err) != apperr.ECONFLICT {
		t.Errorf("comment on a missing portion: %v", err)
	}
	answer := product.Comment{ProductID: p.ID, ParentID: &c.ID, Body: "Added: USCG report of 3 March."}
	if err := app.AddComment(ctx, hstc, author.ID, &answer); err != nil {
		t.Fatal(err)
	}
	if _, err := comment(nil, &answer.ID, "An answer to an answer"); apperr.Code(err) != apperr.ENOTFOUND {
		t.Errorf("answer to an answer: %v, want not found", err)
	}
	if err := app.ResolveComment(ctx, hstc, author.ID, p.ID, answer.ID); apperr.Code(err) != apperr.EINVALID {
		t.Errorf("resolving an answer: %v", err)
	}
	if err := app.ResolveComment(ctx, hstc, author.ID, p.ID, c.ID); err != nil {
		t.Fatal(err)
	}
	if err := app.ResolveComment(ctx, hstc, author.ID, p.ID, c.ID); apperr.Code(err) != apperr.ECONFLICT {
		t.Errorf("resolving twice: %v", err)
	}
	if err := app.ResolveComment(actorCtx(0, ice.ID), ice.ID, author.ID, p.ID, general.ID); apperr.Code(err) != apperr.ENOTFOUND {
		t.Errorf("resolving from another agency: %v, want not found", err)
	}

	cs, err := app.FindComments(bg, hstc, p.ID)
	if err != nil || len(cs) != 2 {
		t.Fatalf("comments = %d, %v", len(cs), err)
	}
	if cs[0].ID != c.ID || cs[0].State != product.CommentResolved || cs[0].ResolvedBy == nil || *cs[0].ResolvedBy != author.ID ||
		cs[0].ResolvedName == "" || len(cs[0].Answers) != 1 || cs[0].Answers[0].Body != answer.Body {
		t.Errorf("first thread = %+v", cs[0])
	}
	if cs, err := app.FindComments(bg, ice.ID, p.ID); err != nil || len(cs) != 0 {
		t.Errorf("another agency sees %d comments (%v)", len(cs), err)
	}
	tallies, err := app.CountOpenComments(bg, hstc, reviewer)
	if err != nil || len(tallies) != 1 || tallies[0].Open != 1 || tallies[0].Mine != 1 || tallies[0].Authored {
		t.Errorf("tallies = %+v, %v", tallies, err)
	}

	// Row-level security and the application role's privileges on the table.
	appConn := func(agency string, fn func(tx pgx.Tx) error) error {
		return pgx.BeginFunc(bg, app.Pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(bg, `SELECT set_config('tearline.agency_id', $1, true)`, agency); err != nil {
				return err
			}
			return fn(tx)
		})
	}
	for _, agency := range []string{"", commentIDString(ice.ID)} {
		var n int
		if err := appConn(agency, func(tx pgx.Tx) error {
			return tx.QueryRow(bg, `SELECT count(*) FROM review_comment`).Scan(&n)
		}); err != nil || n != 0 {
			t.Errorf("agency %q sees %d comments (%v)", agency, n, err)
		}
	}
	for _, sql := range []string{`UPDATE review_comment SET body = 'forged'`, `UPDATE review_comment SET author_id = author_id`,
		`DELETE FROM review_comment`, `UPDATE review_comment SET quote = ''`} {
		err := appConn(commentIDString(hstc), func(tx pgx.Tx) error { _, err := tx.Exec(bg, sql); return err })
		if pgCode(err) != "42501" {
			t.Errorf("%s: %v, want permission denied", sql, err)
		}
	}
	err = appConn(commentIDString(ice.ID), func(tx pgx.Tx) error {
		_, err := tx.Exec(bg, `INSERT INTO review_comment (product_id, author_id, body, state) VALUES ($1, $2, 'x', 'open')`, p.ID, reviewer)
		return err
	})
	if pgCode(err) != "42501" {
		t.Errorf("insert from another agency: %v, want a row-level security refusal", err)
	}

	// Deleting the portion keeps the comment and its quote.
	if err := app.TransitionProduct(rctx, hstc, reviewer, p.ID, product.StatePeerReview, product.StateDraft, "return", "See comments"); err != nil {
		t.Fatal(err)
	}
	if err := app.DeletePortion(ctx, hstc, author.ID, p.ID, x.ID); err != nil {
		t.Fatal(err)
	}
	cs, err = app.FindComments(bg, hstc, p.ID)
	if err != nil || len(cs) != 2 || cs[0].PortionID != nil || !cs[0].Orphaned() || cs[0].Quote != x.Body || len(cs[0].Answers) != 1 {
		t.Errorf("after deleting the portion: %+v, %v", cs, err)
	}
	if err := app.ReopenComment(rctx, hstc, reviewer, p.ID, c.ID); err != nil {
		t.Errorf("reopening a comment on a deleted portion: %v", err)
	}
	for action, want := range map[string]int{"comment.add": 2, "comment.answer": 1, "comment.resolve": 1, "comment.reopen": 1} {
		if n := count(t, owner, `SELECT count(*) FROM audit_event WHERE action = $1 AND object_id = $2`, action, commentIDString(p.ID)); n != want {
			t.Errorf("%s audited %d times, want %d", action, n, want)
		}
	}
}

func commentIDString(id int64) string { return strconv.FormatInt(id, 10) }

// A steering member of another agency, though allowed to read an assessment routed to them, can
// neither read nor write its review comments.
func TestSteeringMemberCannotTouchReviewComments(t *testing.T) {
	app, owner := setup(t)
	ctx := context.Background()
	if err := demo.Seed(ctx, owner, "https://idp.test"); err != nil {
		t.Fatal(err)
	}
	var hstc, dos, member, analyst int64
	q := func(sql string, dst *int64) {
		if err := owner.Pool.QueryRow(ctx, sql).Scan(dst); err != nil {
			t.Fatal(err)
		}
	}
	q(`SELECT id FROM agency WHERE code = 'HSTC'`, &hstc)
	q(`SELECT id FROM agency WHERE code = 'DOS'`, &dos)
	q(`SELECT id FROM app_user WHERE subject = 'steering@dos'`, &member)
	q(`SELECT id FROM app_user WHERE subject = 'analyst@hstc'`, &analyst)
	var pid int64
	if err := owner.Pool.QueryRow(ctx, `INSERT INTO product (owner_agency_id, type, state, title, created_by, updated_by)
		VALUES ($1, 'SA', 'steering_review', 'Assessment', $2, $2) RETURNING id`, hstc, analyst).Scan(&pid); err != nil {
		t.Fatal(err)
	}
	if _, err := owner.Pool.Exec(ctx, `INSERT INTO steering_assignment (product_id, owner_agency_id, user_id, round, assigned_by)
		VALUES ($1, $2, $3, 1, $4)`, pid, hstc, member, analyst); err != nil {
		t.Fatalf("assign: %v", err)
	}
	if _, err := owner.Pool.Exec(ctx, `INSERT INTO review_comment (product_id, author_id, body, state) VALUES ($1, $2, 'center note', 'open')`, pid, analyst); err != nil {
		t.Fatalf("comment: %v", err)
	}
	tx, err := app.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, `SELECT set_config('tearline.agency_id', $1, true), set_config('tearline.user_id', $2, true)`,
		strconv.FormatInt(dos, 10), strconv.FormatInt(member, 10)); err != nil {
		t.Fatal(err)
	}
	var seen, comments int
	if err := tx.QueryRow(ctx, `SELECT (SELECT count(*) FROM product), (SELECT count(*) FROM review_comment)`).Scan(&seen, &comments); err != nil {
		t.Fatal(err)
	}
	if seen != 1 || comments != 0 {
		t.Errorf("steering member sees %d products (want 1) and %d comments (want 0)", seen, comments)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO review_comment (product_id, author_id, body, state) VALUES ($1, $2, 'x', 'open')`, pid, member); err == nil {
		t.Error("a steering member inserted a review comment")
	}
}
