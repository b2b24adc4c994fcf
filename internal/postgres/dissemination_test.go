package postgres_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"tearline/internal/apperr"
	"tearline/internal/product"
)

func TestLedgerInboxAndRecipientVisibility(t *testing.T) {
	app, owner := setup(t)
	hstc, reviewer := seedHSTC(t, owner)
	ctx := actorCtx(reviewer, hstc)
	code := func(c string) int64 {
		a, err := owner.FindAgencyByCode(context.Background(), c)
		if err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	ice, nca, europol := code("ICE"), code("NCA"), code("EUROPOL")
	id := approvedProduct(t, app, hstc, reviewer, product.TypeBulletin, "Night departures")
	e, err := app.ReleaseProduct(ctx, hstc, reviewer, id, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if n, err := app.DisseminateEdition(ctx, hstc, reviewer, e.ID, []int64{ice, nca}, "Need to know: maritime interdiction partners", "CUI//LEI"); err != nil || n != 2 {
		t.Fatalf("disseminate: %d, %v", n, err)
	}
	if n, err := app.DisseminateEdition(ctx, hstc, reviewer, e.ID, []int64{ice}, "Again for ICE, already there", "CUI//LEI"); err != nil || n != 0 {
		t.Errorf("repeat dissemination added %d, %v", n, err)
	}
	other := approvedProduct(t, app, hstc, reviewer, product.TypeNote, "Center only note")
	if _, err := app.ReleaseProduct(ctx, hstc, reviewer, other, time.Now()); err != nil {
		t.Fatal(err)
	}

	inbox := func(agency int64) []product.InboxItem {
		box, err := app.FindInbox(context.Background(), agency, reviewer, product.InboxFilter{Limit: 50})
		items, total := box.Items, box.Total
		if err != nil || total != len(items) {
			t.Fatalf("inbox: %v (total %d, %d items)", err, total, len(items))
		}
		return items
	}
	if got := inbox(ice); len(got) != 1 || got[0].EditionID != e.ID || got[0].Read {
		t.Errorf("ICE inbox = %+v", got)
	}
	if got := inbox(europol); len(got) != 0 {
		t.Errorf("EUROPOL inbox = %+v", got)
	}
	// Opening records the first view; other agencies get not-found, exactly like a missing edition.
	got, isOwner, err := app.FindVisibleEdition(context.Background(), ice, e.ID)
	if err != nil || isOwner {
		t.Fatalf("ICE opening: %v owner=%v", err, isOwner)
	}
	if _, err := app.ViewEdition(actorCtx(7, ice), ice, 7, got); err != nil {
		t.Fatal(err)
	}
	if n := count(t, owner, `SELECT count(*) FROM receipt WHERE edition_id = $1 AND agency_id = $2`, e.ID, ice); n != 1 {
		t.Errorf("receipts = %d", n)
	}
	for _, c := range []struct {
		agency int64
		id     int64
	}{{europol, e.ID}, {ice, other}, {ice, 999999}} {
		if _, _, err := app.FindVisibleEdition(context.Background(), c.agency, c.id); apperr.Code(err) != apperr.ENOTFOUND {
			t.Errorf("agency %d opening edition %d: %v, want not found", c.agency, c.id, err)
		}
	}
	// Row-level security alone, as the application role: ICE sees its edition and its own ledger row only.
	rls := func(agency int64, sql string) int {
		tx, err := app.Pool.Begin(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(context.Background())
		if _, err := tx.Exec(context.Background(), `SELECT set_config('tearline.agency_id', $1, true)`, strconv.FormatInt(agency, 10)); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := tx.QueryRow(context.Background(), sql).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := rls(ice, `SELECT count(*) FROM edition`); n != 1 {
		t.Errorf("ICE sees %d editions by RLS alone, want 1", n)
	}
	if n := rls(ice, `SELECT count(*) FROM release_ledger`); n != 1 {
		t.Errorf("ICE sees %d ledger rows, want only its own", n)
	}
	if n := rls(europol, `SELECT count(*) FROM edition`); n != 0 {
		t.Errorf("EUROPOL sees %d editions", n)
	}
	if n := rls(ice, `SELECT count(*) FROM product`); n != 0 {
		t.Errorf("ICE sees %d products (drafts)", n)
	}
	// The ledger is immutable; rescission ends access at once.
	if _, err := owner.Pool.Exec(context.Background(), `DELETE FROM release_ledger`); err == nil {
		t.Error("ledger rows were deleted")
	}
	if err := app.RescindEdition(ctx, hstc, reviewer, e.ID, "Disseminated in error"); err != nil {
		t.Fatal(err)
	}
	if got := inbox(ice); len(got) != 0 {
		t.Errorf("a rescinded edition stays in the inbox: %+v", got)
	}
	if _, _, err := app.FindVisibleEdition(context.Background(), ice, e.ID); apperr.Code(err) != apperr.ENOTFOUND {
		t.Errorf("rescinded edition opened: %v", err)
	}
	if n := rls(ice, `SELECT count(*) FROM edition`); n != 0 {
		t.Errorf("ICE still sees the rescinded edition by RLS")
	}
	// The recipients keep a recall notice (number, revision, reason), and only they do.
	for _, c := range []struct {
		agency int64
		want   int
	}{{ice, 1}, {nca, 1}, {europol, 0}, {hstc, 0}} {
		box, err := app.FindInbox(context.Background(), c.agency, 0, product.InboxFilter{Limit: 50})
		if err != nil || len(box.Recalled) != c.want {
			t.Errorf("agency %d: recall notices %+v, %v; want %d", c.agency, box.Recalled, err, c.want)
		} else if c.want == 1 && (box.Recalled[0].EditionID != e.ID || box.Recalled[0].Reason != "Disseminated in error" || box.Recalled[0].Number != e.Number) {
			t.Errorf("agency %d: recall notice %+v", c.agency, box.Recalled[0])
		}
		if n := rls(c.agency, `SELECT count(*) FROM recall_notice`); n != c.want {
			t.Errorf("agency %d sees %d recall notice rows by RLS alone, want %d", c.agency, n, c.want)
		}
	}
	if _, err := owner.Pool.Exec(context.Background(), `DELETE FROM recall_notice`); err == nil {
		t.Error("recall notices were deleted")
	}
}

// The inbox counts at most CountAhead editions past the page, and pages newest first.
func TestInboxCountStopsAhead(t *testing.T) {
	app, owner := setup(t)
	hstc, reviewer := seedHSTC(t, owner)
	ctx := actorCtx(reviewer, hstc)
	ice := agencyByCode(t, owner, "ICE")
	var ids []int64
	for _, title := range []string{"First for the count", "Second for the count", "Third for the count"} {
		p := approvedProduct(t, app, hstc, reviewer, product.TypeNote, title)
		e, err := app.ReleaseProduct(ctx, hstc, reviewer, p, time.Now())
		if err != nil {
			t.Fatal(err)
		}
		if _, err := app.DisseminateEdition(ctx, hstc, reviewer, e.ID, []int64{ice}, "Need to know: maritime interdiction partners", "none"); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, e.ID)
	}
	for _, c := range []struct{ limit, offset, ahead, items, total int }{
		{50, 0, 0, 3, 3}, {1, 0, 1, 1, 2}, {1, 1, 1, 1, 3}, {1, 2, 1, 1, 3}, {2, 0, 5, 2, 3},
	} {
		box, err := app.FindInbox(context.Background(), ice, reviewer, product.InboxFilter{Limit: c.limit, Offset: c.offset, CountAhead: c.ahead})
		items, total := box.Items, box.Total
		if err != nil || len(items) != c.items || total != c.total {
			t.Errorf("limit %d offset %d ahead %d: %d items, total %d, %v; want %d, %d", c.limit, c.offset, c.ahead, len(items), total, err, c.items, c.total)
		}
	}
	box, err := app.FindInbox(context.Background(), ice, reviewer, product.InboxFilter{Limit: 50})
	items := box.Items
	if err != nil || len(items) != 3 || items[0].EditionID != ids[2] || items[2].EditionID != ids[0] {
		t.Errorf("inbox = %+v, %v; want newest first", items, err)
	}
}
