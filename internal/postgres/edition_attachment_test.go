package postgres_test

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"tearline/internal/apperr"
	"tearline/internal/marking"
	"tearline/internal/postgres"
	"tearline/internal/product"
)

// A recipient downloads the attachments frozen into an edition it holds, through the explicit filter
// and through row-level security alone; another agency, an attachment the edition does not name and
// a rescinded edition all answer not found.
func TestEditionAttachmentsFollowTheEdition(t *testing.T) {
	app, owner := setup(t)
	hstc, reviewer := seedHSTC(t, owner)
	ctx := actorCtx(reviewer, hstc)
	ice, europol := agencyByCode(t, owner, "ICE"), agencyByCode(t, owner, "EUROPOL")
	liaison := userInAgency(t, owner, ice)

	p := product.Product{Type: product.TypeNote, Title: "Note with a route map", Summary: "BLUF"}
	if err := app.CreateProduct(ctx, hstc, reviewer, &p, marking.Marking{Control: marking.Uncontrolled}); err != nil {
		t.Fatal(err)
	}
	data := []byte("%PDF-1.7 route map")
	att := product.Attachment{StoredName: "fedcba9876543210fedcba9876543210", Filename: "route-map.pdf", ContentType: "application/pdf",
		Size: int64(len(data)), SHA256: strings.Repeat("b", 64), Marking: marking.Marking{Control: marking.Uncontrolled}}
	if err := app.CreateAttachment(ctx, hstc, reviewer, p.ID, &att, data); err != nil {
		t.Fatal(err)
	}
	later := product.Attachment{StoredName: "00000000000000001111111111111111", Filename: "later.txt", ContentType: "text/plain",
		Size: 1, SHA256: strings.Repeat("c", 64), Marking: marking.Marking{Control: marking.Uncontrolled}}
	if err := app.TransitionProduct(ctx, hstc, reviewer, p.ID, product.StateDraft, product.StateApproved, "test", ""); err != nil {
		t.Fatal(err)
	}
	e, err := app.ReleaseProduct(ctx, hstc, reviewer, p.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	// An attachment added to the product after release is not part of the edition.
	if err := app.CreateAttachment(ctx, hstc, reviewer, p.ID, &later, []byte("x")); err != nil {
		t.Fatal(err)
	}
	if _, err := app.DisseminateEdition(ctx, hstc, reviewer, e.ID, []int64{ice}, "Need to know: maritime partners", "none"); err != nil {
		t.Fatal(err)
	}

	a, got, err := app.FindEditionAttachment(actorCtx(liaison, ice), ice, liaison, e.ID, att.ID)
	if err != nil || !bytes.Equal(got, data) || a.Filename != "route-map.pdf" {
		t.Fatalf("recipient download: %v %q %+v", err, got, a)
	}
	if _, _, err := app.FindEditionAttachment(ctx, hstc, reviewer, e.ID, att.ID); err != nil {
		t.Errorf("owner download: %v", err)
	}
	if n := count(t, owner, `SELECT count(*) FROM audit_event WHERE action = 'edition.attachment.download' AND object_id = $1 AND actor_agency_id = $2`,
		strconv.FormatInt(e.ID, 10), ice); n != 1 {
		t.Errorf("recipient download audited %d times, want 1", n)
	}
	for _, c := range []struct {
		name               string
		agency, edition, a int64
	}{
		{"another agency", europol, e.ID, att.ID},
		{"attachment not in the edition", ice, e.ID, later.ID},
		{"missing edition", ice, e.ID + 1000, att.ID},
	} {
		if _, _, err := app.FindEditionAttachment(context.Background(), c.agency, liaison, c.edition, c.a); apperr.Code(err) != apperr.ENOTFOUND {
			t.Errorf("%s: %v, want not found", c.name, err)
		}
	}
	// Row-level security alone, as the application role.
	blobs := func(agency int64) int {
		return rlsCount(t, app, agency, 0, `SELECT count(*) FROM attachment_blob`)
	}
	if n := blobs(ice); n != 1 {
		t.Errorf("ICE sees %d blobs by RLS alone, want the edition's 1", n)
	}
	if n := blobs(europol); n != 0 {
		t.Errorf("EUROPOL sees %d blobs", n)
	}
	if n := rlsCount(t, app, ice, 0, `SELECT count(*) FROM attachment`); n != 1 {
		t.Errorf("ICE sees %d attachment rows, want 1", n)
	}
	if err := app.RescindEdition(ctx, hstc, reviewer, e.ID, "Disseminated in error"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := app.FindEditionAttachment(context.Background(), ice, liaison, e.ID, att.ID); apperr.Code(err) != apperr.ENOTFOUND {
		t.Errorf("download after rescission: %v", err)
	}
	if n := blobs(ice); n != 0 {
		t.Errorf("ICE still sees %d blobs after rescission", n)
	}
	// The link between an edition and its attachments never changes.
	if _, err := owner.Pool.Exec(context.Background(), `DELETE FROM edition_attachment`); err == nil {
		t.Error("edition_attachment rows were deleted")
	}
}

// Receipts are written only by the reading user, for an edition the agency holds and that is not
// rescinded: row-level security refuses every other insert, whatever the SQL says.
func TestReceiptPolicy(t *testing.T) {
	app, owner := setup(t)
	hstc, reviewer := seedHSTC(t, owner)
	ctx := actorCtx(reviewer, hstc)
	ice, nca := agencyByCode(t, owner, "ICE"), agencyByCode(t, owner, "NCA")
	liaison, other := userInAgency(t, owner, ice), userInAgency(t, owner, nca)
	id := approvedProduct(t, app, hstc, reviewer, product.TypeBulletin, "Receipts")
	e, err := app.ReleaseProduct(ctx, hstc, reviewer, id, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.DisseminateEdition(ctx, hstc, reviewer, e.ID, []int64{ice}, "Need to know: maritime partners", "none"); err != nil {
		t.Fatal(err)
	}
	insert := func(agency, asUser, forUser int64) error {
		tx, err := app.Pool.Begin(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(context.Background())
		uid := ""
		if asUser != 0 {
			uid = strconv.FormatInt(asUser, 10)
		}
		if _, err := tx.Exec(context.Background(), `SELECT set_config('tearline.agency_id', $1, true), set_config('tearline.user_id', $2, true)`,
			strconv.FormatInt(agency, 10), uid); err != nil {
			t.Fatal(err)
		}
		_, err = tx.Exec(context.Background(), `INSERT INTO receipt (edition_id, user_id, agency_id) VALUES ($1, $2, $3)`, e.ID, forUser, agency)
		return err
	}
	if err := insert(ice, liaison, liaison); err != nil {
		t.Errorf("the reading user's receipt was refused: %v", err)
	}
	for _, c := range []struct {
		name                    string
		agency, asUser, forUser int64
	}{
		{"agency without the edition", nca, other, other},
		{"no user named", ice, 0, liaison},
		{"for another user", ice, other, liaison},
	} {
		if err := insert(c.agency, c.asUser, c.forUser); pgCode(err) != "42501" {
			t.Errorf("%s: %v, want a row-level-security refusal", c.name, err)
		}
	}
	if err := app.RescindEdition(ctx, hstc, reviewer, e.ID, "Disseminated in error"); err != nil {
		t.Fatal(err)
	}
	if err := insert(ice, liaison, liaison); pgCode(err) != "42501" {
		t.Errorf("receipt for a rescinded edition: %v", err)
	}
	// The agency that held it sees the rescission (as it sees the recall notice); another does not.
	if n := rlsCount(t, app, ice, liaison, `SELECT count(*) FROM edition_rescission`); n != 1 {
		t.Errorf("ICE sees %d rescissions, want the one of the edition it held", n)
	}
	if n := rlsCount(t, app, nca, other, `SELECT count(*) FROM edition_rescission`); n != 0 {
		t.Errorf("NCA sees %d rescissions of editions it never held", n)
	}
}

func agencyByCode(t *testing.T, owner *postgres.DB, code string) int64 {
	t.Helper()
	a, err := owner.FindAgencyByCode(context.Background(), code)
	if err != nil {
		t.Fatal(err)
	}
	return a.ID
}

// userInAgency returns the first seeded user of the agency.
func userInAgency(t *testing.T, owner *postgres.DB, agencyID int64) int64 {
	t.Helper()
	var id int64
	if err := owner.Pool.QueryRow(context.Background(), `SELECT id FROM app_user WHERE agency_id = $1 ORDER BY id LIMIT 1`, agencyID).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

// rlsCount runs a count as the application role with only the row-level-security settings to narrow it.
func rlsCount(t *testing.T, app *postgres.DB, agencyID, userID int64, sql string) int {
	t.Helper()
	ctx := context.Background()
	tx, err := app.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	uid := ""
	if userID != 0 {
		uid = strconv.FormatInt(userID, 10)
	}
	if _, err := tx.Exec(ctx, `SELECT set_config('tearline.agency_id', $1, true), set_config('tearline.user_id', $2, true)`,
		strconv.FormatInt(agencyID, 10), uid); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := tx.QueryRow(ctx, sql).Scan(&n); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return n
}
