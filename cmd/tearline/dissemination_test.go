package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"tearline/internal/demo"
)

// releaseMarked writes, reviews and releases a draft whose paragraphs carry the given marking form
// fields, returning the edition's path.
func releaseMarked(t *testing.T, a *testApp, typ, title string, mark url.Values) string {
	t.Helper()
	dana, marcus, elena := a.browser(t), a.browser(t), a.browser(t)
	dana.signIn("analyst@hstc")
	marcus.signIn("analyst2@hstc")
	elena.signIn("reviewer@hstc")
	id, ed := dana.newDraft(typ, title)
	ids, revs := portions(ed.Body)
	for i, pid := range ids {
		form := url.Values{"rev": {revs[pid]}, "kind": {"heading"}, "body": {"Heading " + pid}, "m_control": {"U"}}
		if i%2 == 1 {
			form = url.Values{"rev": {revs[pid]}, "kind": {"paragraph"}, "body": {"Paragraph " + pid}}
			for k, v := range mark {
				form[k] = v
			}
		}
		if p := dana.savePortion(id, pid, form); p.Status != http.StatusOK {
			t.Fatalf("fill: %d", p.Status)
		}
	}
	dana.act(id, "submit", "")
	marcus.act(id, "peer_approve", "")
	elena.act(id, "supervise_approve", "")
	p := elena.act(id, "release", "")
	if !strings.HasPrefix(p.URL.Path, "/editions/") {
		t.Fatalf("release %s: at %s", title, p.URL)
	}
	return p.URL.Path
}

func agencyIDs(t *testing.T, a *testApp, codes ...string) url.Values {
	v := url.Values{}
	for _, c := range codes {
		v.Add("agency", itoa(a.agencyID(t, c)))
	}
	return v
}

func TestDisseminationReachesExactlyTheAllowedAgencies(t *testing.T) {
	a := newTestApp(t)
	noforn := releaseMarked(t, a, "IB", "NOFORN bulletin on Cayo Verde payments", url.Values{"m_control": {"CUI"}, "m_categories": {"SP-INV"}, "m_noforn": {"on"}})
	relto := releaseMarked(t, a, "IN", "REL TO GBR note on Channel crossings", url.Values{"m_control": {"CUI"}, "m_categories": {"LEI"}, "m_rel_to": {"GBR"}})
	elena := a.browser(t)
	elena.signIn("reviewer@hstc")

	// The audience page shows every agency's verdict with the reason for each refusal.
	form := elena.get(noforn + "/disseminate")
	if !regexp.MustCompile(`data-agency="NCA" data-allowed="false"`).MatchString(form.Body) ||
		!regexp.MustCompile(`data-agency="ICE" data-allowed="true"`).MatchString(form.Body) || !strings.Contains(form.Body, "NOFORN") {
		t.Fatalf("verdicts of the NOFORN bulletin are wrong")
	}
	// Choosing a refused agency refuses the whole request, and nothing is written.
	bad := agencyIDs(t, a, "ICE", "NCA")
	bad.Set("justification", "Maritime interdiction partners need this.")
	if p := elena.post(noforn+"/disseminate", bad); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "The caveats refuse NCA") {
		t.Errorf("releasing NOFORN to NCA: %d", p.Status)
	}
	if n := a.countRows(t, `SELECT count(*) FROM release_ledger`); n != 0 {
		t.Fatalf("%d ledger rows after a refused release", n)
	}
	noJust := agencyIDs(t, a, "ICE")
	if p := elena.post(noforn+"/disseminate", noJust); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("release without justification: %d", p.Status)
	}
	ok := agencyIDs(t, a, "ICE", "CBP")
	ok.Set("justification", "Maritime interdiction partners need this.")
	if p := elena.post(noforn+"/disseminate", ok); p.Status != http.StatusOK || !strings.Contains(p.Body, `data-testid="ledger"`) {
		t.Fatalf("release NOFORN to ICE, CBP: %d", p.Status)
	}
	ok2 := agencyIDs(t, a, "ICE", "NCA")
	ok2.Set("justification", "UK and US partners on the Channel route.")
	elena.post(relto+"/disseminate", ok2)
	if p := elena.post(relto+"/disseminate", func() url.Values {
		v := agencyIDs(t, a, "EUROPOL")
		v.Set("justification", "Europol analysis project")
		return v
	}()); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("REL TO GBR note to EUROPOL: %d, want refused", p.Status)
	}

	// Each liaison's inbox holds exactly what was released to their agency.
	want := map[string][]string{
		"liaison@ice":     {"NOFORN bulletin", "REL TO GBR note"},
		"liaison@nca":     {"REL TO GBR note"},
		"liaison@europol": {},
		"liaison@cbp":     {"NOFORN bulletin"},
		"liaison@fbi":     {},
	}
	titles := []string{"NOFORN bulletin", "REL TO GBR note"}
	paths := map[string]string{"NOFORN bulletin": noforn, "REL TO GBR note": relto}
	for hint, visible := range want {
		b := a.browser(t)
		b.signIn(hint)
		inbox := b.get("/inbox")
		for _, title := range titles {
			sees := strings.Contains(inbox.Body, title)
			should := false
			for _, v := range visible {
				should = should || v == title
			}
			if sees != should {
				t.Errorf("%s inbox shows %q = %v, want %v", hint, title, sees, should)
			}
			p := b.get(paths[title])
			if should && (p.Status != 200 || !strings.Contains(p.Body, title)) {
				t.Errorf("%s opening %s: %d", hint, title, p.Status)
			}
			if !should && (p.Status != 404 || strings.Contains(p.Body, title)) {
				t.Errorf("%s opening hidden %s: %d", hint, title, p.Status)
			}
			if should && strings.Contains(p.Body, `data-testid="ledger"`) {
				t.Errorf("%s sees the list of recipients", hint)
			}
		}
	}
	// The first view is recorded and the center sees who read it.
	if n := a.countRows(t, `SELECT count(*) FROM receipt r JOIN agency g ON g.id = r.agency_id WHERE g.code = 'ICE'`); n != 2 {
		t.Errorf("ICE receipts = %d, want 2", n)
	}
	if p := elena.get(noforn); !strings.Contains(p.Body, `data-testid="ledger"`) || !strings.Contains(p.Body, "Maritime interdiction partners need this.") {
		t.Error("the center does not see the ledger with the justification")
	}
}

func TestRecallAndSupersession(t *testing.T) {
	a := newTestApp(t)
	bulletin := releaseMarked(t, a, "IB", "Bulletin recalled in error", url.Values{"m_control": {"CUI"}, "m_categories": {"LEI"}})
	note := releaseMarked(t, a, "IN", "Note on Calais embarkation points", url.Values{"m_control": {"CUI"}, "m_categories": {"LEI"}, "m_rel_to": {"GBR"}})
	elena := a.browser(t)
	elena.signIn("reviewer@hstc")
	for _, path := range []string{bulletin, note} {
		v := agencyIDs(t, a, "ICE", "NCA")
		v.Set("justification", "Partners on the Channel and Caribbean routes.")
		if p := elena.post(path+"/disseminate", v); p.Status != http.StatusOK {
			t.Fatalf("disseminate %s: %d", path, p.Status)
		}
	}
	ice, nca, fbi := a.browser(t), a.browser(t), a.browser(t)
	ice.signIn("liaison@ice")
	nca.signIn("liaison@nca")
	fbi.signIn("liaison@fbi")
	if p := ice.get(bulletin); p.Status != 200 {
		t.Fatalf("ICE before recall: %d", p.Status)
	}
	// Recall: access ends at once; recipients see the number and reason only; others still 404.
	elena.post(bulletin+"/rescind", url.Values{"reason": {"Disseminated in error: wrong audience"}})
	for name, b := range map[string]*browser{"ICE": ice, "NCA": nca} {
		p := b.get(bulletin)
		if p.Status != http.StatusGone || !strings.Contains(p.Body, "Disseminated in error: wrong audience") || strings.Contains(p.Body, "Bulletin recalled in error") {
			t.Errorf("%s after recall: %d", name, p.Status)
		}
		inbox := b.get("/inbox")
		if strings.Contains(inbox.Body, "Bulletin recalled in error") || !strings.Contains(inbox.Body, `data-testid="recalled"`) {
			t.Errorf("%s inbox after recall lists the title or lacks the notice", name)
		}
	}
	if n := a.countRows(t, `SELECT count(*) FROM audit_event WHERE action = 'edition.recall_notice.view' AND object_id = $1`,
		strings.TrimPrefix(bulletin, "/editions/")); n != 2 {
		t.Errorf("recall notice views audited = %d, want 2 (ICE and NCA)", n)
	}
	if p := fbi.get(bulletin); p.Status != http.StatusNotFound || strings.Contains(p.Body, "Disseminated in error") {
		t.Errorf("non-recipient sees the recall: %d", p.Status)
	}
	// Supersession: a revision reaches the same recipients, re-checked against its caveats.
	dana, marcus := a.browser(t), a.browser(t)
	dana.signIn("analyst@hstc")
	marcus.signIn("analyst2@hstc")
	var productID int64
	if err := a.Owner.Pool.QueryRow(context.Background(), `SELECT product_id FROM edition WHERE title = 'Note on Calais embarkation points'`).Scan(&productID); err != nil {
		t.Fatal(err)
	}
	pid := itoa(productID)
	dana.act(pid, "revise", "")
	ed := dana.get("/products/" + pid + "/edit")
	ids, revs := portions(ed.Body)
	// The revision adds a NOFORN portion: NCA no longer qualifies.
	dana.savePortion(pid, ids[1], url.Values{"rev": {revs[ids[1]]}, "kind": {"paragraph"}, "body": {"Corrected: boats launch from Gravelines."},
		"m_control": {"CUI"}, "m_categories": {"LEI"}, "m_noforn": {"on"}})
	dana.act(pid, "submit", "")
	marcus.act(pid, "peer_approve", "")
	elena.act(pid, "supervise_approve", "")
	rev2 := elena.act(pid, "release", "")
	if !strings.Contains(rev2.Body, " rev 2") {
		t.Fatalf("revision not released as rev 2")
	}
	if p := ice.get(rev2.URL.Path); p.Status != 200 || !strings.Contains(p.Body, "Gravelines") {
		t.Errorf("ICE does not receive the superseding edition: %d", p.Status)
	}
	if p := nca.get(rev2.URL.Path); p.Status != http.StatusNotFound {
		t.Errorf("NCA received a NOFORN revision: %d", p.Status)
	}
	if p := ice.get(note); !strings.Contains(p.Body, `data-testid="superseded"`) {
		t.Error("the old edition does not point to the new one")
	}
	if n := a.countRows(t, `SELECT count(*) FROM audit_event WHERE action = 'edition.supersede_refused'`); n != 1 {
		t.Errorf("refused supersession audited %d times, want 1", n)
	}
}

// seedDemoEditions runs the demo seeding of drafts, editions, steering and dissemination, and returns
// how many releases the dissemination seed made.
func seedDemoEditions(t *testing.T, a *testApp) int {
	t.Helper()
	ctx := context.Background()
	issuer := a.URL + "/demo-idp"
	if _, err := demo.SeedDrafts(ctx, a.Owner, issuer); err != nil {
		t.Fatal(err)
	}
	if _, err := demo.SeedEditions(ctx, a.Owner, issuer); err != nil {
		t.Fatal(err)
	}
	if _, _, err := demo.SeedSteering(ctx, a.Owner, issuer); err != nil {
		t.Fatal(err)
	}
	n, err := demo.SeedDissemination(ctx, a.Owner, issuer)
	if err != nil || n < 5 {
		t.Fatalf("seed dissemination: %d, %v", n, err)
	}
	return n
}

// A liaison downloads the attachment frozen into an edition their agency holds, from the edition page;
// a liaison of an agency that does not hold it gets the 404 of a missing edition.
func TestRecipientDownloadsEditionAttachment(t *testing.T) {
	a := newTestApp(t)
	seedDemoEditions(t, a)
	var editionID, attachmentID int64
	var holder, outsider string
	err := a.Owner.Pool.QueryRow(context.Background(), `SELECT ea.edition_id, ea.attachment_id,
			(SELECT lower(g.code) FROM release_ledger l JOIN agency g ON g.id = l.agency_id WHERE l.edition_id = ea.edition_id
			 AND g.code IN ('ICE', 'NCA', 'EUROPOL', 'FBI') ORDER BY g.code LIMIT 1),
			(SELECT lower(g.code) FROM agency g WHERE g.code IN ('ICE', 'NCA', 'EUROPOL', 'INTERPOL')
			 AND NOT EXISTS (SELECT 1 FROM release_ledger l WHERE l.edition_id = ea.edition_id AND l.agency_id = g.id) ORDER BY g.code LIMIT 1)
		FROM edition_attachment ea
		WHERE NOT EXISTS (SELECT 1 FROM edition_rescission r WHERE r.edition_id = ea.edition_id)
		ORDER BY ea.edition_id LIMIT 1`).Scan(&editionID, &attachmentID, &holder, &outsider)
	if err != nil {
		t.Fatalf("the demo has no released attachment held by one liaison agency and not another: %v", err)
	}
	link := "/editions/" + strconv.FormatInt(editionID, 10) + "/attachments/" + strconv.FormatInt(attachmentID, 10)

	b := a.browser(t)
	b.signIn("liaison@" + holder)
	if pg := b.get("/editions/" + strconv.FormatInt(editionID, 10)); pg.Status != http.StatusOK || !strings.Contains(pg.Body, `href="`+link+`"`) {
		t.Fatalf("liaison@%s: edition page status %d, attachment link present %v", holder, pg.Status, strings.Contains(pg.Body, link))
	}
	pg := b.get(link)
	if pg.Status != http.StatusOK || !strings.HasPrefix(pg.Body, "week,sector") && !strings.HasPrefix(pg.Body, "corridor,channel") {
		t.Fatalf("liaison@%s download: status %d body %.60q", holder, pg.Status, pg.Body)
	}
	if cd := pg.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
		t.Errorf("Content-Disposition = %q, want attachment", cd)
	}
	if n := a.countRows(t, `SELECT count(*) FROM audit_event WHERE action = 'edition.attachment.download' AND object_id = $1`,
		strconv.FormatInt(editionID, 10)); n != 1 {
		t.Errorf("download audit rows = %d, want 1", n)
	}

	o := a.browser(t)
	o.signIn("liaison@" + outsider)
	hidden := o.get(link)
	missing := o.get("/editions/999999/attachments/" + strconv.FormatInt(attachmentID, 10))
	if hidden.Status != http.StatusNotFound || missing.Status != http.StatusNotFound {
		t.Errorf("liaison@%s: hidden %d, missing %d, want both 404", outsider, hidden.Status, missing.Status)
	}
	if strings.Contains(hidden.Body, "week,sector") || strings.Contains(hidden.Body, "corridor,channel") {
		t.Error("the 404 page carries the attachment")
	}
}

func TestSeededDissemination(t *testing.T) {
	a := newTestApp(t)
	ctx := context.Background()
	issuer := a.URL + "/demo-idp"
	seedDemoEditions(t, a)
	if again, err := demo.SeedDissemination(ctx, a.Owner, issuer); err != nil || again != 0 {
		t.Errorf("second seed released %d, %v", again, err)
	}
	if c := a.countRows(t, `SELECT count(*) FROM edition_rescission`); c != 1 {
		t.Errorf("recalled editions = %d, want 1", c)
	}
	if c := a.countRows(t, `SELECT count(*) FROM edition WHERE supersedes IS NOT NULL`); c != 1 {
		t.Errorf("superseding editions = %d, want 1", c)
	}
	// Each liaison's inbox holds exactly what the ledger gives its agency (minus recalls).
	for _, hint := range []string{"liaison@ice", "liaison@nca", "liaison@europol", "liaison@interpol", "liaison@fbi", "liaison@cbp", "liaison@uscg"} {
		b := a.browser(t)
		b.signIn(hint)
		code := strings.ToUpper(strings.TrimPrefix(hint, "liaison@"))
		want := a.countRows(t, `SELECT count(*) FROM release_ledger l JOIN agency g ON g.id = l.agency_id
			WHERE g.code = $1 AND NOT EXISTS (SELECT 1 FROM edition_rescission r WHERE r.edition_id = l.edition_id)`, code)
		got := strings.Count(b.get("/inbox").Body, `class="tl-inbox__item`)
		if got != want {
			t.Errorf("%s inbox holds %d editions, the ledger says %d", hint, got, want)
		}
	}
}

func TestDistributionLists(t *testing.T) {
	a := newTestApp(t)
	admin := a.browser(t)
	admin.signIn("admin@hstc")
	if p := admin.post("/admin/lists", url.Values{"name": {"x"}}); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Choose at least one agency") {
		t.Errorf("bad list: %d", p.Status)
	}
	channel := agencyIDs(t, a, "ICE", "NCA")
	channel.Set("name", "Channel partners")
	channel.Set("description", "Small-boat crossings of the English Channel")
	channel["members"] = channel["agency"]
	delete(channel, "agency")
	if p := admin.post("/admin/lists", channel); !strings.Contains(p.Body, "Channel partners") || !strings.Contains(p.Body, "ICE, NCA") {
		t.Fatalf("create list: %d", p.Status)
	}
	europe := url.Values{"name": {"European agencies"}, "members": agencyIDs(t, a, "EUROPOL", "FRONTEX")["agency"]}
	admin.post("/admin/lists", europe)
	var channelID, europeID int64
	_ = a.Owner.Pool.QueryRow(context.Background(), `SELECT id FROM distribution_list WHERE name = 'Channel partners'`).Scan(&channelID)
	_ = a.Owner.Pool.QueryRow(context.Background(), `SELECT id FROM distribution_list WHERE name = 'European agencies'`).Scan(&europeID)
	liaison := a.browser(t)
	liaison.signIn("liaison@ice")
	if p := liaison.get("/admin/lists"); p.Status != http.StatusNotFound {
		t.Errorf("liaison on lists: %d", p.Status)
	}

	note := releaseMarked(t, a, "IN", "Note for the Channel partners", url.Values{"m_control": {"CUI"}, "m_categories": {"LEI"}, "m_rel_to": {"GBR"}})
	elena := a.browser(t)
	elena.signIn("reviewer@hstc")
	// A list whose members the caveats refuse is refused with the reason.
	refused := url.Values{"list": {itoa(europeID)}, "justification": {"European coordination on the route."}}
	if p := elena.post(note+"/disseminate", refused); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "The caveats refuse") {
		t.Errorf("REL TO GBR note to the European list: %d", p.Status)
	}
	ok := url.Values{"list": {itoa(channelID)}, "justification": {"Partners on the Channel route."}}
	if p := elena.post(note+"/disseminate", ok); p.Status != http.StatusOK {
		t.Fatalf("release to the Channel list: %d", p.Status)
	}
	if n := a.countRows(t, `SELECT count(*) FROM release_ledger`); n != 2 {
		t.Errorf("ledger rows = %d, want 2 (ICE, NCA)", n)
	}
}

func TestInboxFilters(t *testing.T) {
	a := newTestApp(t)
	paths := []string{
		releaseMarked(t, a, "IB", "Bulletin on organisations", url.Values{"m_control": {"U"}}),
		releaseMarked(t, a, "IN", "Note on organisations", url.Values{"m_control": {"U"}}),
	}
	elena := a.browser(t)
	elena.signIn("reviewer@hstc")
	for _, p := range paths {
		v := agencyIDs(t, a, "ICE")
		v.Set("justification", "Needed by the ICE liaison.")
		elena.post(p+"/disseminate", v)
	}
	ice := a.browser(t)
	ice.signIn("liaison@ice")
	count := func(q string) int { return strings.Count(ice.get("/inbox?"+q).Body, `class="tl-inbox__item`) }
	today := time.Now().UTC().Format(time.DateOnly)
	tomorrow := time.Now().UTC().AddDate(0, 0, 1).Format(time.DateOnly)
	for q, want := range map[string]int{
		"":                                       2,
		"type=IB":                                1,
		"topic=organisations":                    2,
		"topic=terrorist-travel":                 0,
		"region=mex":                             2,
		"region=FRA":                             0,
		"from=" + today:                          2,
		"from=" + tomorrow:                       0,
		"to=" + today:                            2,
		"type=IN&from=" + today + "&to=" + today: 1,
	} {
		if got := count(q); got != want {
			t.Errorf("inbox?%s lists %d, want %d", q, got, want)
		}
	}
	// An empty page says why: the filters, or a page past the end.
	for q, want := range map[string]string{
		"region=FRA": "No edition released to your agency matches these filters.",
		"page=9":     "There is no edition on this page",
	} {
		if body := ice.get("/inbox?" + q).Body; !strings.Contains(body, want) {
			t.Errorf("inbox?%s does not say %q", q, want)
		}
	}
}

func TestAmberStrictReachesOnlyNamedAgencies(t *testing.T) {
	a := newTestApp(t)
	ed := releaseMarked(t, a, "IN", "Strictly for ICE", url.Values{"m_control": {"CUI"}, "m_categories": {"LEI"}, "m_tlp": {"AMBER+STRICT"}})
	admin := a.browser(t)
	admin.signIn("admin@hstc")
	admin.post("/admin/lists", url.Values{"name": {"Border agencies"}, "members": agencyIDs(t, a, "CBP", "USCG")["agency"]})
	var listID int64
	_ = a.Owner.Pool.QueryRow(context.Background(), `SELECT id FROM distribution_list`).Scan(&listID)
	elena := a.browser(t)
	elena.signIn("reviewer@hstc")
	viaList := url.Values{"list": {itoa(listID)}, "justification": {"Border agencies need it."}}
	if p := elena.post(ed+"/disseminate", viaList); p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "TLP:AMBER+STRICT") {
		t.Errorf("AMBER+STRICT through a list: %d", p.Status)
	}
	named := agencyIDs(t, a, "ICE")
	named.Set("justification", "Named recipient only.")
	if p := elena.post(ed+"/disseminate", named); p.Status != http.StatusOK {
		t.Errorf("AMBER+STRICT to a named agency: %d", p.Status)
	}
	if n := a.countRows(t, `SELECT count(*) FROM release_ledger`); n != 1 {
		t.Errorf("ledger rows = %d, want 1", n)
	}
}
