package postgres_test

import (
	"context"
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"tearline/internal/apperr"
	"tearline/internal/demo"
	"tearline/internal/marking"
	"tearline/internal/postgres"
	"tearline/internal/product"
)

// approvedProduct creates a draft owned by HSTC and moves it straight to approved.
func approvedProduct(t *testing.T, app *postgres.DB, agencyID, userID int64, typ product.Type, title string) int64 {
	t.Helper()
	ctx := actorCtx(userID, agencyID)
	p := product.Product{Type: typ, Title: title, Summary: "BLUF"}
	if err := app.CreateProduct(ctx, agencyID, userID, &p, marking.Marking{Control: marking.CUI, Categories: []marking.Category{{Code: "LEI"}}}); err != nil {
		t.Fatal(err)
	}
	if err := app.TransitionProduct(ctx, agencyID, userID, p.ID, product.StateDraft, product.StateApproved, "test", ""); err != nil {
		t.Fatal(err)
	}
	return p.ID
}

func seedHSTC(t *testing.T, owner *postgres.DB) (agencyID, userID int64) {
	t.Helper()
	ctx := context.Background()
	if err := demo.Seed(ctx, owner, "https://idp.test"); err != nil {
		t.Fatal(err)
	}
	a, err := owner.FindAgencyByCode(ctx, "HSTC")
	if err != nil {
		t.Fatal(err)
	}
	u, err := owner.FindUserByIdentity(ctx, "https://idp.test", "reviewer@hstc")
	if err != nil {
		t.Fatal(err)
	}
	return a.ID, u.ID
}

func TestReleaseNumbersAreConsecutiveUnderConcurrency(t *testing.T) {
	app, owner := setup(t)
	agencyID, userID := seedHSTC(t, owner)
	const n = 12
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = approvedProduct(t, app, agencyID, userID, product.TypeBulletin, fmt.Sprintf("Bulletin %d", i))
	}
	now := time.Date(2026, 11, 27, 12, 0, 0, 0, time.UTC)
	var wg sync.WaitGroup
	numbers := make([]string, n)
	errs := make([]error, n)
	start := make(chan struct{})
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			e, err := app.ReleaseProduct(actorCtx(userID, agencyID), agencyID, userID, ids[i], now)
			numbers[i], errs[i] = e.Number, err
		}()
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatalf("release: %v", err)
		}
	}
	sort.Strings(numbers)
	for i, got := range numbers {
		if want := fmt.Sprintf("HSTC-IB-2026-%05d", i+1); got != want {
			t.Errorf("number %d = %s, want %s (all: %v)", i, got, want, numbers)
		}
	}
	// Another type and another year count separately.
	ir := approvedProduct(t, app, agencyID, userID, product.TypeReport, "Report")
	if e, err := app.ReleaseProduct(actorCtx(userID, agencyID), agencyID, userID, ir, now.AddDate(1, 0, 0)); err != nil || e.Number != "HSTC-IR-2027-00001" {
		t.Errorf("first IR of 2027 = %q, %v", e.Number, err)
	}
}

func TestEditionIsImmutableAndHashed(t *testing.T) {
	app, owner := setup(t)
	agencyID, userID := seedHSTC(t, owner)
	ctx := actorCtx(userID, agencyID)
	id := approvedProduct(t, app, agencyID, userID, product.TypeNote, "Visa fraud note")
	e, err := app.ReleaseProduct(ctx, agencyID, userID, id, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	got, err := app.FindEditionByID(ctx, agencyID, e.ID)
	if err != nil {
		t.Fatal(err)
	}
	_, sum, err := got.Content.Canonical()
	if err != nil || sum != e.SHA256 || got.SHA256 != e.SHA256 {
		t.Errorf("stored content hashes to %s, edition says %s", sum, e.SHA256)
	}
	for _, l := range got.Content.Header.Lines() {
		if l == "DRAFT" {
			t.Error("the released header still says DRAFT")
		}
	}
	for _, sql := range []string{`UPDATE edition SET title = 'changed'`, `DELETE FROM edition`} {
		if _, err := owner.Pool.Exec(context.Background(), sql); err == nil {
			t.Errorf("%s succeeded even as the owner", sql)
		}
	}
	// Releasing again needs approval again; the product is now released.
	if _, err := app.ReleaseProduct(ctx, agencyID, userID, id, time.Now()); apperr.Code(err) != apperr.ECONFLICT {
		t.Errorf("second release of a released product: %v", err)
	}
	// A revision releases under the same number as rev 2, superseding rev 1.
	if err := app.TransitionProduct(ctx, agencyID, userID, id, product.StateReleased, product.StateApproved, "test", ""); err != nil {
		t.Fatal(err)
	}
	e2, err := app.ReleaseProduct(ctx, agencyID, userID, id, time.Now())
	if err != nil || e2.Number != e.Number || e2.Rev != 2 || e2.Supersedes == nil || *e2.Supersedes != e.ID || e2.Label() != e.Number+" rev 2" {
		t.Errorf("revision = %+v, %v", e2, err)
	}
	if err := app.RescindEdition(ctx, agencyID, userID, e.ID, "Superseded by corrected figures"); err != nil {
		t.Fatal(err)
	}
	if err := app.RescindEdition(ctx, agencyID, userID, e.ID, "again"); apperr.Code(err) != apperr.ECONFLICT {
		t.Errorf("double rescind: %v", err)
	}
	eds, err := app.FindEditions(ctx, agencyID, id)
	if err != nil || len(eds) != 2 || eds[1].Rescinded == nil || eds[0].Rescinded != nil {
		t.Errorf("editions = %+v, %v", eds, err)
	}
	// Another agency sees no edition.
	if _, err := app.FindEditionByID(ctx, agencyID+1, e.ID); apperr.Code(err) != apperr.ENOTFOUND {
		t.Errorf("edition visible to another agency: %v", err)
	}
}

func TestTransitionRefusesStaleState(t *testing.T) {
	app, owner := setup(t)
	agencyID, userID := seedHSTC(t, owner)
	ctx := actorCtx(userID, agencyID)
	id := approvedProduct(t, app, agencyID, userID, product.TypeNote, "Note")
	err := app.TransitionProduct(ctx, agencyID, userID, id, product.StateDraft, product.StatePeerReview, "submit", "")
	if apperr.Code(err) != apperr.ECONFLICT {
		t.Errorf("transition from a state the product is not in: %v", err)
	}
	tl, err := app.FindTransitions(ctx, agencyID, id)
	if err != nil || len(tl) != 1 || tl[0].To != product.StateApproved {
		t.Errorf("timeline = %+v, %v", tl, err)
	}
}

func TestReleasedAttachmentCannotBeDeleted(t *testing.T) {
	app, owner := setup(t)
	agencyID, userID := seedHSTC(t, owner)
	ctx := actorCtx(userID, agencyID)
	p := product.Product{Type: product.TypeNote, Title: "Note with a map", Summary: "BLUF"}
	if err := app.CreateProduct(ctx, agencyID, userID, &p, marking.Marking{Control: marking.Uncontrolled}); err != nil {
		t.Fatal(err)
	}
	att := product.Attachment{StoredName: "0123456789abcdef0123456789abcdef", Filename: "map.png", ContentType: "image/png", Size: 3,
		SHA256: strings.Repeat("a", 64), Marking: marking.Marking{Control: marking.Uncontrolled}}
	if err := app.CreateAttachment(ctx, agencyID, userID, p.ID, &att, []byte{1, 2, 3}); err != nil {
		t.Fatal(err)
	}
	if err := app.TransitionProduct(ctx, agencyID, userID, p.ID, product.StateDraft, product.StateApproved, "test", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := app.ReleaseProduct(ctx, agencyID, userID, p.ID, time.Now()); err != nil {
		t.Fatal(err)
	}
	if err := app.DeleteAttachment(ctx, agencyID, userID, p.ID, att.ID); apperr.Code(err) != apperr.ECONFLICT {
		t.Errorf("deleting a released attachment: %v", err)
	}
}

// SavePortion returns the product as the transaction leaves it, so the editor needs no second load.
func TestSavePortionReturnsTheProductAsSaved(t *testing.T) {
	app, owner := setup(t)
	agencyID, userID := seedHSTC(t, owner)
	ctx := actorCtx(userID, agencyID)
	p := product.Product{Type: product.TypeNote, Title: "Note", Summary: "BLUF"}
	if err := app.CreateProduct(ctx, agencyID, userID, &p, marking.Marking{Control: marking.Uncontrolled}); err != nil {
		t.Fatal(err)
	}
	x := p.Portions[1]
	rev := x.Rev
	x.Body = "Boats launch from Gravelines."
	got, err := app.SavePortion(ctx, agencyID, userID, p.ID, &x, rev)
	if err != nil || got.Portions[1].Body != x.Body || got.Rev <= p.Rev {
		t.Fatalf("saved product: body %q rev %d (was %d), %v", got.Portions[1].Body, got.Rev, p.Rev, err)
	}
	stale := x
	stale.Body = "Stale text"
	got, err = app.SavePortion(ctx, agencyID, userID, p.ID, &stale, rev)
	if apperr.Code(err) != apperr.ECONFLICT || got.Portions[1].Body != "Boats launch from Gravelines." {
		t.Errorf("stale save: %v, product shows %q", err, got.Portions[1].Body)
	}
}
