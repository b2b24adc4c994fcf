package postgres_test

import (
	"context"
	"strconv"
	"testing"
	"time"

	"tearline/internal/apperr"
	"tearline/internal/product"
)

func TestAcknowledgementFeedbackAndReach(t *testing.T) {
	app, owner := setup(t)
	hstc, reviewer := seedHSTC(t, owner)
	bg := context.Background()
	code := func(c string) int64 {
		a, err := owner.FindAgencyByCode(bg, c)
		if err != nil {
			t.Fatal(err)
		}
		return a.ID
	}
	person := func(hint string) int64 {
		u, err := owner.FindUserByIdentity(bg, "https://idp.test", hint)
		if err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	ice, cbp, nca := code("ICE"), code("CBP"), code("NCA")
	rosa, iceAdmin, aaron, fiona := person("liaison@ice"), person("admin@ice"), person("liaison@cbp"), person("liaison@nca")
	id := approvedProduct(t, app, hstc, reviewer, product.TypeBulletin, "Night departures")
	e, err := app.ReleaseProduct(actorCtx(reviewer, hstc), hstc, reviewer, id, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := app.DisseminateEdition(actorCtx(reviewer, hstc), hstc, reviewer, e.ID, []int64{ice, cbp}, "Need to know: maritime interdiction partners", "CUI//LEI"); err != nil {
		t.Fatal(err)
	}
	editionID := strconv.FormatInt(e.ID, 10)

	// Acknowledgement: once per agency, by who and when; a second one changes nothing.
	before := len(auditRows(t, owner))
	ack, created, err := app.AcknowledgeEdition(actorCtx(rosa, ice), ice, rosa, e.ID)
	if err != nil || !created || ack.UserID != rosa || ack.UserName != "Rosa Delgado" || ack.At.IsZero() {
		t.Fatalf("ICE acknowledges: %+v created=%v %v", ack, created, err)
	}
	checkAudit(t, owner, before, "edition.acknowledge", "edition", editionID, rosa, ice)
	again, created, err := app.AcknowledgeEdition(actorCtx(iceAdmin, ice), ice, iceAdmin, e.ID)
	if err != nil || created || again.UserID != rosa || !again.At.Equal(ack.At) {
		t.Errorf("second acknowledgement from ICE: %+v created=%v %v, want the first one standing", again, created, err)
	}
	if n := count(t, owner, `SELECT count(*) FROM acknowledgement`); n != 1 {
		t.Errorf("%d acknowledgements, want 1", n)
	}
	if n := len(auditRows(t, owner)); n != before+1 {
		t.Errorf("the repeated acknowledgement wrote %d audit rows", n-before-1)
	}
	// An agency that does not hold the edition, the owner, and a missing edition: not found.
	for _, c := range []struct {
		name            string
		agency, user, e int64
	}{{"NCA", nca, fiona, e.ID}, {"the owner", hstc, reviewer, e.ID}, {"a missing edition", ice, rosa, e.ID + 1000}} {
		if _, _, err := app.AcknowledgeEdition(actorCtx(c.user, c.agency), c.agency, c.user, c.e); apperr.Code(err) != apperr.ENOTFOUND {
			t.Errorf("%s acknowledging: %v, want not found", c.name, err)
		}
		if err := app.SendFeedback(actorCtx(c.user, c.agency), c.agency, c.user, &product.Feedback{EditionID: c.e,
			Relevance: 3, Timeliness: 3, Actionability: 3, Action: product.ActionNone}); apperr.Code(err) != apperr.ENOTFOUND {
			t.Errorf("%s sending feedback: %v, want not found", c.name, err)
		}
	}

	// Feedback: validated; kept as a history in which each user's latest counts.
	bad := product.Feedback{EditionID: e.ID, Relevance: 0, Timeliness: 6, Actionability: 3, Action: "bribe", Comment: "x"}
	if err := app.SendFeedback(actorCtx(rosa, ice), ice, rosa, &bad); apperr.Code(err) != apperr.EINVALID ||
		len(apperr.FieldErrors(err)) != 3 {
		t.Errorf("invalid feedback: %v %v", err, apperr.FieldErrors(err))
	}
	send := func(agency, user int64, rel, tim, act int, action product.ActionTaken, comment string) {
		t.Helper()
		before := len(auditRows(t, owner))
		f := product.Feedback{EditionID: e.ID, Relevance: rel, Timeliness: tim, Actionability: act, Action: action, Comment: comment}
		if err := app.SendFeedback(actorCtx(user, agency), agency, user, &f); err != nil || f.ID == 0 {
			t.Fatalf("feedback: %v", err)
		}
		checkAudit(t, owner, before, "edition.feedback", "edition", editionID, user, agency)
	}
	send(ice, rosa, 4, 5, 3, product.ActionCase, "Opened a case on the Cayo Verde network.")
	send(ice, rosa, 5, 5, 4, product.ActionInterdiction, "Two arrests at the port.")
	send(ice, iceAdmin, 3, 4, 2, product.ActionShared, "")
	send(cbp, aaron, 2, 3, 1, product.ActionNone, "CBP comment, private to CBP and the center.")
	if n := count(t, owner, `SELECT count(*) FROM feedback`); n != 4 {
		t.Errorf("%d feedback rows, want 4 (history kept)", n)
	}

	// A recipient sees its agency's acknowledgement and the user's own current feedback only.
	gotAck, mine, err := app.FindOwnReach(bg, ice, rosa, e.ID)
	if err != nil || gotAck == nil || gotAck.UserName != "Rosa Delgado" || mine == nil || mine.Relevance != 5 ||
		mine.Action != product.ActionInterdiction || mine.Revisions != 2 {
		t.Errorf("ICE liaison's own reach: %+v %+v %v", gotAck, mine, err)
	}
	gotAck, mine, err = app.FindOwnReach(bg, cbp, aaron, e.ID)
	if err != nil || gotAck != nil || mine == nil || mine.Relevance != 2 {
		t.Errorf("CBP liaison's own reach: %+v %+v %v", gotAck, mine, err)
	}
	if _, mine, _ := app.FindOwnReach(bg, cbp, rosa, e.ID); mine != nil {
		t.Errorf("CBP's setting with ICE's user shows ICE feedback: %+v", mine)
	}

	// The center sees every recipient's reach; averages count each user's latest feedback.
	reach, err := app.FindReach(bg, hstc, e.ID)
	if err != nil || len(reach.Agencies) != 2 {
		t.Fatalf("reach: %+v %v", reach, err)
	}
	c, i := reach.Agencies[0], reach.Agencies[1]
	if c.AgencyCode != "CBP" || c.Ack != nil || c.Feedback != 1 || c.Relevance != 2 || c.Actionability != 1 {
		t.Errorf("CBP reach = %+v", c)
	}
	if i.AgencyCode != "ICE" || i.Ack == nil || i.Ack.UserName != "Rosa Delgado" || i.Feedback != 2 ||
		i.Relevance != 4 || i.Timeliness != 4.5 || i.Actionability != 3 {
		t.Errorf("ICE reach = %+v (ack %+v)", i, i.Ack)
	}
	if len(reach.Feedback) != 3 || reach.Feedback[0].UserID != aaron || reach.Feedback[2].Revisions != 2 || reach.Feedback[2].Relevance != 5 {
		t.Errorf("center's feedback list = %+v", reach.Feedback)
	}
	if reach.Acknowledged() != 1 {
		t.Errorf("acknowledged = %d", reach.Acknowledged())
	}
	for _, a := range []int64{ice, cbp, nca} {
		if r, err := app.FindReach(bg, a, e.ID); err != nil || len(r.Agencies) != 0 || len(r.Feedback) != 0 {
			t.Errorf("agency %d sees the reach: %+v %v", a, r, err)
		}
	}
	// The inbox says which editions the agency acknowledged.
	acknowledged := func(agency int64) bool {
		box, err := app.FindInbox(bg, agency, 0, product.InboxFilter{Limit: 50})
		if err != nil {
			t.Fatal(err)
		}
		for _, it := range box.Items {
			if it.EditionID == e.ID {
				return it.Acknowledged
			}
		}
		return false
	}
	if !acknowledged(ice) {
		t.Error("ICE's inbox does not show its acknowledgement")
	}
	if acknowledged(cbp) {
		t.Error("CBP's inbox shows ICE's acknowledgement as its own")
	}

	// Row-level security alone, as the application role.
	rls := func(agency, user int64, sql string, args ...any) (int, error) {
		tx, err := app.Pool.Begin(bg)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(bg)
		set := func(v int64) string {
			if v == 0 {
				return ""
			}
			return strconv.FormatInt(v, 10)
		}
		if _, err := tx.Exec(bg, `SELECT set_config('tearline.agency_id', $1, true), set_config('tearline.user_id', $2, true)`,
			set(agency), set(user)); err != nil {
			t.Fatal(err)
		}
		var n int
		err = tx.QueryRow(bg, sql, args...).Scan(&n)
		return n, err
	}
	for _, c := range []struct {
		name          string
		agency        int64
		acks, entries int
	}{{"ICE", ice, 1, 3}, {"CBP", cbp, 0, 1}, {"NCA", nca, 0, 0}, {"the owner", hstc, 1, 4}, {"no agency", 0, 0, 0}} {
		if n, err := rls(c.agency, 0, `SELECT count(*) FROM acknowledgement`); err != nil || n != c.acks {
			t.Errorf("%s sees %d acknowledgements (%v), want %d", c.name, n, err, c.acks)
		}
		if n, err := rls(c.agency, 0, `SELECT count(*) FROM feedback`); err != nil || n != c.entries {
			t.Errorf("%s sees %d feedback rows (%v), want %d", c.name, n, err, c.entries)
		}
	}
	if n, _ := rls(cbp, 0, `SELECT count(*) FROM feedback WHERE agency_id <> $1`, cbp); n != 0 {
		t.Errorf("CBP sees %d feedback rows of other agencies", n)
	}
	// Writes: only as the acting user, for the agency's own edition, never for another agency.
	insertAck := `WITH i AS (INSERT INTO acknowledgement (edition_id, agency_id, user_id) VALUES ($1, $2, $3) RETURNING 1) SELECT count(*) FROM i`
	insertFeedback := `WITH i AS (INSERT INTO feedback (edition_id, agency_id, user_id, relevance, timeliness, actionability, action)
		VALUES ($1, $2, $3, 5, 5, 5, 'none') RETURNING 1) SELECT count(*) FROM i`
	for _, c := range []struct {
		name               string
		setAgency, setUser int64
		agency, user       int64
		sql                string
		wantErr            bool
	}{
		{"CBP acknowledging for ICE", cbp, aaron, ice, aaron, insertAck, true},
		{"CBP acknowledging as ICE's liaison", cbp, aaron, cbp, rosa, insertAck, true},
		{"NCA acknowledging an edition it does not hold", nca, fiona, nca, fiona, insertAck, true},
		{"the owner acknowledging", hstc, reviewer, hstc, reviewer, insertAck, true},
		{"CBP without a user", cbp, 0, cbp, aaron, insertAck, true},
		{"NCA sending feedback", nca, fiona, nca, fiona, insertFeedback, true},
		{"CBP sending feedback for ICE", cbp, aaron, ice, aaron, insertFeedback, true},
		{"CBP sending its own feedback", cbp, aaron, cbp, aaron, insertFeedback, false},
	} {
		_, err := rls(c.setAgency, c.setUser, c.sql, e.ID, c.agency, c.user)
		// Refused by a row-level-security check (42501) or by the foreign key to the ledger (23503).
		if refused := pgCode(err) == "42501" || pgCode(err) == "23503"; refused != c.wantErr || (err != nil && !refused) {
			t.Errorf("%s: err = %v, want refused %v", c.name, err, c.wantErr)
		}
	}
	// Insert-only: neither table's rows change.
	for _, sql := range []string{`UPDATE acknowledgement SET user_id = user_id`, `DELETE FROM acknowledgement`,
		`UPDATE feedback SET relevance = 1`, `DELETE FROM feedback`} {
		if _, err := owner.Pool.Exec(bg, sql); err == nil {
			t.Errorf("%s succeeded as the owner", sql)
		}
		if _, err := app.Pool.Exec(bg, sql); err == nil {
			t.Errorf("%s succeeded as the application role", sql)
		}
	}

	// A rescinded edition can no longer be acknowledged or rated, by the store or by RLS alone.
	if err := app.RescindEdition(actorCtx(reviewer, hstc), hstc, reviewer, e.ID, "Disseminated in error"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := app.AcknowledgeEdition(actorCtx(aaron, cbp), cbp, aaron, e.ID); apperr.Code(err) != apperr.ENOTFOUND {
		t.Errorf("acknowledging a rescinded edition: %v", err)
	}
	if _, err := rls(cbp, aaron, insertAck, e.ID, cbp, aaron); pgCode(err) != "42501" {
		t.Errorf("RLS and a rescinded edition: CBP acknowledging: %v", err)
	}
	if _, err := rls(cbp, aaron, insertFeedback, e.ID, cbp, aaron); pgCode(err) != "42501" {
		t.Errorf("RLS and a rescinded edition: CBP sending feedback: %v", err)
	}
	// The center still sees the reach of its rescinded edition.
	if r, err := app.FindReach(bg, hstc, e.ID); err != nil || len(r.Agencies) != 2 || r.Acknowledged() != 1 {
		t.Errorf("reach after rescission: %+v %v", r, err)
	}
}
