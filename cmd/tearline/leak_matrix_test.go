package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"html"
	"math/rand/v2"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"tearline/internal/agency"
	"tearline/internal/audit"
	"tearline/internal/demo"
	"tearline/internal/dissem"
	"tearline/internal/marking"
	"tearline/internal/postgres"
	"tearline/internal/postgres/pgtest"
	"tearline/internal/product"
	"tearline/internal/user"
)

// The leak matrix of issue 5: every demo persona × every edition × every route that shows an edition
// or lists them, over the demo data plus generated editions with varied caveats and audiences.
// Hidden answers 404 and no body a persona receives ever carries a hidden edition's id in an edition
// URL, its number or its title.

var (
	// lmMarkerRE finds the marker every generated title, summary and body carries.
	lmMarkerRE = regexp.MustCompile(`LMK[0-9]{3}Z[0-9a-f]{6}`)
	lmNumberRE = regexp.MustCompile(`HSTC-(?:IB|IR|IN|AP|SA|TP)-[0-9]{4}-[0-9]{5}(?: rev ([0-9]+))?`)
	lmLinkRE   = regexp.MustCompile(`/editions/([0-9]+)`)
	lmInboxRE  = regexp.MustCompile(`(?s)data-testid="inbox".*?</ul>`)
)

// lmEdition is what the matrix knows about one edition.
type lmEdition struct {
	ID, ProductID int64
	Number        string
	Rev           int
	Type          product.Type
	Title         string
	Marker        string // "" for the demo's own editions, whose titles are checked literally
	How           string // web, store or demo
	Rescinded     bool
	Recipients    map[int64]bool // from the ledger
	Attachment    int64          // the first attachment frozen into it (0 when none)
}

func (e *lmEdition) label() string { return product.Edition{Number: e.Number, Rev: e.Rev}.Label() }

// lmLevel is how much of an edition a persona may see.
type lmLevel int

const (
	lmNone     lmLevel = iota // nothing: not its id, number or title
	lmRecalled                // a former recipient of a recalled edition: number and reason only
	lmFull                    // the edition
)

// lmPersona is a demo persona with its agency.
type lmPersona struct {
	demo.Persona
	AgencyID int64
}

func (p lmPersona) has(roles ...user.Role) bool {
	return slices.ContainsFunc(p.Roles, func(r user.Role) bool { return slices.Contains(roles, r) })
}

// staff: center analysts and releasing officials read their center's editions and products.
func (p lmPersona) staff() bool {
	return p.Agency == "HSTC" && p.has(user.RoleAnalyst, user.RoleReviewer)
}

// reader: the roles that read what was released to their agency (policy.csv, "recipient" scope).
func (p lmPersona) reader() bool {
	return p.Agency != "HSTC" && p.has(user.RoleLiaison, user.RoleAgencyAdmin, user.RoleSteering)
}

// level is the model: derived from the ledger, the rescissions and policy.csv by hand, never from
// the code under test.
func (m *lmMatrix) level(p lmPersona, e *lmEdition) lmLevel {
	switch {
	case p.AgencyID == m.hstc && p.staff():
		return lmFull
	case p.reader() && e.Recipients[p.AgencyID] && !e.Rescinded:
		return lmFull
	case p.reader() && e.Recipients[p.AgencyID]:
		return lmRecalled
	}
	return lmNone
}

type lmMatrix struct {
	a        *testApp
	store    *postgres.DB
	hstc     int64
	editions []*lmEdition
	byID     map[int64]*lmEdition
	byLabel  map[string]*lmEdition
	byMarker map[string]*lmEdition
	products []int64
	// first and second are two revisions of one product: ICE holds both, CBP and FBI only the second.
	first, second int64

	mu       sync.Mutex
	pairs    map[[2]string]bool // persona × edition checked on /editions/{id}
	requests map[string]int     // route → requests checked
}

// lmPresets are the markings the generated editions cycle through (the second paragraph sometimes
// takes another one, so banners combine them).
var lmPresets = []marking.Marking{
	{Control: marking.CUI, Categories: []marking.Category{{Code: "LEI"}}},
	{Control: marking.CUI, Categories: []marking.Category{{Code: "INV", Specified: true}}, NoForn: true},
	{Control: marking.CUI, Categories: []marking.Category{{Code: "LEI"}}, RelTo: []string{"USA", "GBR"}},
	{Control: marking.CUI, Categories: []marking.Category{{Code: "LEI"}}, RelTo: []string{"USA", "GBR", "MEX"}},
	{Control: marking.CUI, Categories: []marking.Category{{Code: "LEI"}}, Audience: marking.FedOnly},
	{Control: marking.CUI, Categories: []marking.Category{{Code: "IVIC"}}, Audience: marking.NoCon},
	{Control: marking.CUI, Categories: []marking.Category{{Code: "LEI"}}, DLOnly: true, DLList: []string{"CBP", "EUROPOL", "ICE"}},
	{Control: marking.CUI, Categories: []marking.Category{{Code: "LEI"}}, RelTo: []string{"USA", "GBR"}, DLOnly: true, DLList: []string{"EUROPOL", "ICE", "NCA"}},
	{Control: marking.Uncontrolled, TLP: marking.TLPGreen},
	{Control: marking.CUI, Categories: []marking.Category{{Code: "LEI"}}, TLP: marking.TLPAmberStrict},
	{Control: marking.CUI, Categories: []marking.Category{{Code: "LEI"}}, TLP: marking.TLPRed},
	{Control: marking.CUI, Categories: []marking.Category{{Code: "INTEL"}}, DisplayOnly: []string{"GBR"}},
	{Control: marking.CUI, Categories: []marking.Category{{Code: "LEI"}}, DLOnly: true, DLList: []string{"DOS", "DOJ", "DHS-IA", "FBI"}},
}

// lmSeed returns TEARLINE_LEAK_SEED when set, else the clock; the seed is logged for replay.
func lmSeed(t *testing.T) uint64 {
	if v := os.Getenv("TEARLINE_LEAK_SEED"); v != "" {
		s, err := strconv.ParseUint(v, 10, 64)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	return uint64(time.Now().UnixNano())
}

// newLeakMatrix builds the world: the demo's drafts, editions and steering assessments; two editions
// through the whole web flow, released to their audience through the release page; 30 generated
// editions through the store, released to random audiences the caveat check allows (a few of them
// through the release page); a revision that reaches one agency the first edition never did; and three
// rescinded editions. The model is then read from the ledger.
func newLeakMatrix(t *testing.T, seed uint64) *lmMatrix {
	t.Helper()
	ctx := context.Background()
	a := newTestApp(t)
	m := &lmMatrix{a: a, store: pgtest.Open(t, a.DB), hstc: a.agencyID(t, "HSTC"), pairs: map[[2]string]bool{}, requests: map[string]int{}}
	r := rand.New(rand.NewPCG(seed, 3))
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
	agencies, err := a.Owner.FindAgencies(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var recipients []agency.Agency
	var named []string
	for _, ag := range agencies {
		if ag.ID != m.hstc {
			recipients = append(recipients, ag)
			named = append(named, ag.Code)
		}
	}
	analyst, reviewer := a.userID(t, "analyst@hstc"), a.userID(t, "reviewer@hstc")
	actx := lmAuditCtx(reviewer, m.hstc)
	elena := a.browser(t)
	elena.signIn("reviewer@hstc")

	// audience picks a random subset of the agencies the caveats allow (each with probability p).
	audience := func(b marking.Banner, p float64) []int64 {
		var out []int64
		for _, v := range dissem.CheckAll(b, recipients, dissem.Options{Named: named}) {
			if v.Allowed && r.Float64() < p {
				out = append(out, v.AgencyID)
			}
		}
		return out
	}
	viaWeb := func(path string, ids []int64) {
		t.Helper()
		form := url.Values{"justification": {"Need to know: leak matrix audience"}}
		for _, id := range ids {
			form.Add("agency", itoa(id))
		}
		if p := elena.post(path+"/disseminate", form); p.Status != http.StatusOK {
			t.Fatalf("release %s to %v through the release page: %d", path, ids, p.Status)
		}
	}
	viaStore := func(id int64, banner string, ids []int64) {
		t.Helper()
		if len(ids) == 0 {
			return
		}
		if _, err := m.store.DisseminateEdition(actx, m.hstc, reviewer, id, ids, "Need to know: leak matrix audience", banner); err != nil {
			t.Fatal(err)
		}
	}
	markers := map[int64]string{} // edition id → marker
	how := map[int64]string{}

	// Two editions through the whole web flow.
	for i, w := range []struct {
		typ  string
		mark url.Values
	}{
		{"IB", url.Values{"m_control": {"CUI"}, "m_categories": {"SP-INV"}, "m_noforn": {"on"}}},
		{"IN", url.Values{"m_control": {"CUI"}, "m_categories": {"LEI"}, "m_rel_to": {"GBR"}}},
	} {
		marker := fmt.Sprintf("LMK%03dZ%06x", 900+i, r.Uint32()&0xffffff)
		path := releaseMarked(t, a, w.typ, "Matrix web edition "+marker, w.mark)
		id, _ := strconv.ParseInt(strings.TrimPrefix(path, "/editions/"), 10, 64)
		e, err := m.store.FindEditionByID(ctx, m.hstc, id)
		if err != nil {
			t.Fatal(err)
		}
		if ids := audience(e.Content.Banner, 0.6); len(ids) > 0 {
			viaWeb(path, ids)
		}
		markers[id], how[id] = marker, "web"
	}

	// Generated editions through the store, every type, varied caveats.
	types := []product.Type{product.TypeBulletin, product.TypeReport, product.TypeNote, product.TypeAnalysis, product.TypeTarget, product.TypeAssessment}
	var released []product.Edition
	for i := range 30 {
		typ := types[i%len(types)]
		marker := fmt.Sprintf("LMK%03dZ%06x", i, r.Uint32()&0xffffff)
		m1 := lmPresets[i%len(lmPresets)]
		m2 := m1
		if r.IntN(3) == 0 {
			m2 = lmPresets[r.IntN(len(lmPresets))]
		}
		e := m.storeEdition(t, analyst, reviewer, typ, marker, m1, m2)
		released = append(released, e)
		markers[e.ID], how[e.ID] = marker, "store"
		var ids []int64
		switch {
		case i == 0: // nobody but the center
		case i == 1: // everyone the caveats allow
			ids = audience(e.Content.Banner, 1)
		default:
			ids = audience(e.Content.Banner, 0.2+0.5*r.Float64())
		}
		if i%10 == 5 && len(ids) > 0 {
			viaWeb("/editions/"+itoa(e.ID), ids)
		} else {
			viaStore(e.ID, e.Banner, ids)
		}
	}

	// A revision: the first edition goes to ICE; the revision (new title) reaches ICE again by
	// supersession and is also released to CBP and FBI, which never held the first.
	ice, cbp, fbi := a.agencyID(t, "ICE"), a.agencyID(t, "CBP"), a.agencyID(t, "FBI")
	marker := fmt.Sprintf("LMK%03dZ%06x", 800, r.Uint32()&0xffffff)
	plain := lmPresets[0]
	first := m.storeEdition(t, analyst, reviewer, product.TypeBulletin, marker, plain, plain)
	markers[first.ID], how[first.ID] = marker, "store"
	viaStore(first.ID, first.Banner, []int64{ice})
	marker = fmt.Sprintf("LMK%03dZ%06x", 801, r.Uint32()&0xffffff)
	second := m.reviseEdition(t, analyst, reviewer, first.ProductID, marker)
	markers[second.ID], how[second.ID] = marker, "store"
	if second.Supersedes == nil || *second.Supersedes != first.ID {
		t.Fatalf("the revision does not supersede the first edition: %+v", second.Supersedes)
	}
	viaStore(second.ID, second.Banner, []int64{cbp, fbi})
	m.first, m.second = first.ID, second.ID

	// Audiences for the demo's own editions.
	var demoIDs []int64
	if err := a.Owner.Pool.QueryRow(ctx, `SELECT coalesce(array_agg(id ORDER BY id), '{}') FROM edition`).Scan(&demoIDs); err != nil {
		t.Fatal(err)
	}
	for _, id := range demoIDs {
		if markers[id] != "" {
			continue
		}
		e, err := m.store.FindEditionByID(ctx, m.hstc, id)
		if err != nil {
			t.Fatal(err)
		}
		how[id] = "demo"
		viaStore(id, e.Banner, audience(e.Content.Banner, 0.5))
	}

	// Three rescinded editions that had recipients among the personas' agencies.
	rescinded := 0
	for _, e := range released[2:] {
		var n int
		// Only editions that a persona's agency holds, so that the matrix sees former recipients.
		if err := a.Owner.Pool.QueryRow(ctx, `SELECT count(*) FROM release_ledger l JOIN agency g ON g.id = l.agency_id
			WHERE l.edition_id = $1 AND g.code IN ('ICE', 'CBP', 'FBI', 'USCG', 'NCA', 'EUROPOL', 'INTERPOL', 'DOS', 'DOJ', 'DHS-IA')`, e.ID).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n > 0 && rescinded < 3 {
			if err := m.store.RescindEdition(actx, m.hstc, reviewer, e.ID, "Disseminated in error (leak matrix)"); err != nil {
				t.Fatal(err)
			}
			rescinded++
		}
	}
	m.load(t, markers, how)
	return m
}

// storeEdition creates a product through the store as the analyst, approves it and releases it as
// the releasing official. The marker is in its title, summary and body.
func (m *lmMatrix) storeEdition(t *testing.T, analyst, reviewer int64, typ product.Type, marker string, m1, m2 marking.Marking) product.Edition {
	t.Helper()
	section := product.Template(typ)[0].Key
	p := product.Product{Type: typ, Title: "Matrix edition " + marker, Summary: "Bottom line " + marker, Portions: []product.Portion{
		{Kind: product.KindHeading, Section: section, Body: "Key points", Marking: marking.Marking{Control: marking.Uncontrolled}},
		{Kind: product.KindParagraph, Section: section, Body: "First paragraph " + marker, Marking: m1},
		{Kind: product.KindParagraph, Section: section, Body: "Second paragraph " + marker, Marking: m2},
	}}
	if err := m.store.CreateProduct(lmAuditCtx(analyst, m.hstc), m.hstc, analyst, &p, m1); err != nil {
		t.Fatal(err)
	}
	data := []byte("Attachment " + marker)
	sum := sha256.Sum256(data)
	att := product.Attachment{StoredName: hex.EncodeToString(sum[:16]), Filename: "annex.txt", ContentType: "text/plain",
		Size: int64(len(data)), SHA256: hex.EncodeToString(sum[:]), Marking: m1}
	if err := m.store.CreateAttachment(lmAuditCtx(analyst, m.hstc), m.hstc, analyst, p.ID, &att, data); err != nil {
		t.Fatal(err)
	}
	ctx := lmAuditCtx(reviewer, m.hstc)
	if err := m.store.TransitionProduct(ctx, m.hstc, reviewer, p.ID, product.StateDraft, product.StateApproved, "supervise_approve", ""); err != nil {
		t.Fatal(err)
	}
	e, err := m.store.ReleaseProduct(ctx, m.hstc, reviewer, p.ID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// reviseEdition takes a released product back to draft, retitles it and releases the revision.
func (m *lmMatrix) reviseEdition(t *testing.T, analyst, reviewer, productID int64, marker string) product.Edition {
	t.Helper()
	actx, rctx := lmAuditCtx(analyst, m.hstc), lmAuditCtx(reviewer, m.hstc)
	if err := m.store.TransitionProduct(actx, m.hstc, analyst, productID, product.StateReleased, product.StateDraft, "revise", ""); err != nil {
		t.Fatal(err)
	}
	p, err := m.store.FindProductByID(actx, m.hstc, productID)
	if err != nil {
		t.Fatal(err)
	}
	p.Title, p.Summary = "Matrix revision "+marker, "Bottom line "+marker
	if _, err := m.store.UpdateProductMetadata(actx, m.hstc, analyst, &p, p.DetailsRev); err != nil {
		t.Fatal(err)
	}
	// New text too, so that nothing of the first edition's content is carried by the revision.
	for _, x := range p.Portions {
		if x.Kind == product.KindParagraph {
			x.Body = "Revised paragraph " + strconv.FormatInt(x.ID, 10) + " " + marker
			if _, err := m.store.SavePortion(actx, m.hstc, analyst, productID, &x, x.Rev); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := m.store.TransitionProduct(rctx, m.hstc, reviewer, productID, product.StateDraft, product.StateApproved, "supervise_approve", ""); err != nil {
		t.Fatal(err)
	}
	e, err := m.store.ReleaseProduct(rctx, m.hstc, reviewer, productID, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// load reads every edition, the ledger and the rescissions as the owner role: the model's facts.
func (m *lmMatrix) load(t *testing.T, markers, how map[int64]string) {
	t.Helper()
	ctx := context.Background()
	rows, err := m.a.Owner.Pool.Query(ctx, `SELECT e.id, e.product_id, e.number, e.rev, e.type, e.title,
		EXISTS (SELECT 1 FROM edition_rescission r WHERE r.edition_id = e.id),
		coalesce((SELECT array_agg(l.agency_id) FROM release_ledger l WHERE l.edition_id = e.id), '{}'),
		coalesce((SELECT min(ea.attachment_id) FROM edition_attachment ea WHERE ea.edition_id = e.id), 0)
		FROM edition e ORDER BY e.id`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	m.byID, m.byLabel, m.byMarker = map[int64]*lmEdition{}, map[string]*lmEdition{}, map[string]*lmEdition{}
	products := map[int64]bool{}
	for rows.Next() {
		e := &lmEdition{Recipients: map[int64]bool{}}
		var ids []int64
		if err := rows.Scan(&e.ID, &e.ProductID, &e.Number, &e.Rev, &e.Type, &e.Title, &e.Rescinded, &ids, &e.Attachment); err != nil {
			t.Fatal(err)
		}
		for _, id := range ids {
			e.Recipients[id] = true
		}
		e.Marker, e.How = markers[e.ID], how[e.ID]
		if e.How == "" {
			t.Fatalf("edition %d was made by nobody the matrix knows", e.ID)
		}
		if e.Marker != "" && !strings.Contains(e.Title, e.Marker) {
			t.Fatalf("edition %d title %q lacks its marker %s", e.ID, e.Title, e.Marker)
		}
		m.editions = append(m.editions, e)
		m.byID[e.ID], m.byLabel[e.label()] = e, e
		if e.Marker != "" {
			m.byMarker[e.Marker] = e
		}
		if !products[e.ProductID] {
			products[e.ProductID] = true
			m.products = append(m.products, e.ProductID)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
}

// lmAuditCtx carries the acting user's request metadata, as the web layer would.
func lmAuditCtx(userID, agencyID int64) context.Context {
	return audit.WithMeta(context.Background(), audit.Meta{RequestID: "leak-matrix", ClientAddr: "192.0.2.1",
		UserAgent: "leak-matrix", ActorUserID: userID, ActorAgencyID: agencyID})
}

// checkBody fails when a body the persona received carries anything of an edition beyond its level:
// a marker (title, summary or body) of an edition it may not read, a demo edition's title, or the
// id in an edition URL or the number of an edition it has no business knowing of.
func (m *lmMatrix) checkBody(t *testing.T, p lmPersona, route, body string) {
	t.Helper()
	for _, mk := range lmMarkerRE.FindAllString(body, -1) {
		if e := m.byMarker[mk]; e == nil {
			t.Errorf("%s %s: body carries unknown marker %s", p.Hint, route, mk)
		} else if m.level(p, e) != lmFull {
			t.Errorf("LEAK %s %s: body carries the title/summary/text of hidden edition %d (%s, %s)", p.Hint, route, e.ID, e.label(), e.How)
		}
	}
	for _, e := range m.editions {
		if e.Marker == "" && m.level(p, e) != lmFull && strings.Contains(body, html.EscapeString(e.Title)) {
			t.Errorf("LEAK %s %s: body carries the title of hidden demo edition %d %q", p.Hint, route, e.ID, e.Title)
		}
	}
	for _, sm := range lmLinkRE.FindAllStringSubmatch(body, -1) {
		id, _ := strconv.ParseInt(sm[1], 10, 64)
		if e := m.byID[id]; e == nil {
			t.Errorf("%s %s: body links to edition %d, which does not exist", p.Hint, route, id)
		} else if m.level(p, e) == lmNone {
			t.Errorf("LEAK %s %s: body carries /editions/%d, hidden edition %s (%s)", p.Hint, route, id, e.label(), e.How)
		}
	}
	for _, label := range lmNumberRE.FindAllString(body, -1) {
		if e := m.byLabel[label]; e == nil {
			t.Errorf("%s %s: body carries number %q, which no edition has", p.Hint, route, label)
		} else if m.level(p, e) == lmNone {
			t.Errorf("LEAK %s %s: body carries the number %s of hidden edition %d (%s)", p.Hint, route, label, e.ID, e.How)
		}
	}
}

func (m *lmMatrix) counted(route string, pair *[2]string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.requests[route]++
	if pair != nil {
		m.pairs[*pair] = true
	}
}

// lmHidden asserts the answer of a hidden object: exactly a missing one's status.
func lmHidden(t *testing.T, p lmPersona, route string, pg page) {
	t.Helper()
	if pg.Status != http.StatusNotFound {
		t.Errorf("LEAK %s %s: status %d, want 404", p.Hint, route, pg.Status)
	}
}

// runPersona walks every route for one persona.
func (m *lmMatrix) runPersona(t *testing.T, p lmPersona) {
	b := m.a.browser(t)
	b.signIn(p.Hint)
	for _, e := range m.editions {
		lvl := m.level(p, e)
		route := "/editions/" + itoa(e.ID)
		pg := b.get(route)
		switch lvl {
		case lmFull:
			if pg.Status != http.StatusOK || !strings.Contains(pg.Body, html.EscapeString(e.Title)) {
				t.Errorf("%s %s (%s): status %d, want 200 with the title", p.Hint, route, e.How, pg.Status)
			}
		case lmRecalled: // 404, or the recall notice: number and reason, never the content
			if pg.Status != http.StatusNotFound && (pg.Status != http.StatusGone || !strings.Contains(pg.Body, `data-testid="recall-notice"`)) {
				t.Errorf("%s %s (recalled): status %d, want 404 or the recall notice", p.Hint, route, pg.Status)
			}
		default:
			lmHidden(t, p, route, pg)
		}
		m.checkBody(t, p, route, pg.Body)
		m.counted("GET /editions/{id}", &[2]string{p.Hint, itoa(e.ID)})

		route += "/disseminate"
		pg = b.get(route)
		switch {
		case p.Hint == "reviewer@hstc" && !e.Rescinded:
			if pg.Status != http.StatusOK {
				t.Errorf("%s %s: status %d, want 200", p.Hint, route, pg.Status)
			}
		case p.Hint == "reviewer@hstc": // the owner's rescinded edition: not a leak either way
			if pg.Status >= 500 {
				t.Errorf("%s %s: status %d", p.Hint, route, pg.Status)
			}
		default:
			lmHidden(t, p, route, pg)
		}
		m.checkBody(t, p, route, pg.Body)
		m.counted("GET /editions/{id}/disseminate", nil)

		if e.Attachment != 0 {
			route = "/editions/" + itoa(e.ID) + "/attachments/" + itoa(e.Attachment)
			pg = b.get(route)
			switch lvl {
			case lmFull: // a revision carries its first release's attachment, named by that release's marker
				if pg.Status != http.StatusOK || (e.Marker != "" && !strings.HasPrefix(pg.Body, "Attachment ")) {
					t.Errorf("%s %s (%s): status %d, want 200 with the attachment", p.Hint, route, e.How, pg.Status)
				}
			case lmRecalled:
				if pg.Status != http.StatusNotFound && (pg.Status != http.StatusGone || !strings.Contains(pg.Body, `data-testid="recall-notice"`)) {
					t.Errorf("%s %s (recalled): status %d, want 404 or the recall notice", p.Hint, route, pg.Status)
				}
				m.checkBody(t, p, route, pg.Body)
			default:
				lmHidden(t, p, route, pg)
				m.checkBody(t, p, route, pg.Body)
			}
			m.counted("GET /editions/{id}/attachments/{aid}", nil)
		}

		// Actions on an edition answer 404 to whoever may not see it. Feedback with an empty form
		// is refused by validation only after the edition was found, so it changes nothing.
		route = "/editions/" + itoa(e.ID) + "/feedback"
		pg = b.post(route, url.Values{})
		if lvl == lmFull && p.reader() {
			if pg.Status == http.StatusNotFound || pg.Status >= 500 {
				t.Errorf("%s POST %s: status %d, want a refusal of the empty form", p.Hint, route, pg.Status)
			}
		} else {
			lmHidden(t, p, "POST "+route, pg)
		}
		m.checkBody(t, p, "POST "+route, pg.Body)
		m.counted("POST /editions/{id}/feedback", nil)
		if lvl != lmFull {
			route = "/editions/" + itoa(e.ID) + "/acknowledge"
			pg = b.post(route, url.Values{})
			lmHidden(t, p, "POST "+route, pg)
			m.checkBody(t, p, "POST "+route, pg.Body)
			m.counted("POST /editions/{id}/acknowledge (hidden)", nil)
		}
	}
	for _, id := range m.products {
		route := "/products/" + itoa(id)
		pg := b.get(route)
		if p.staff() {
			if pg.Status != http.StatusOK {
				t.Errorf("%s %s: status %d, want 200", p.Hint, route, pg.Status)
			}
		} else {
			lmHidden(t, p, route, pg)
		}
		m.checkBody(t, p, route, pg.Body)
		m.counted("GET /products/{id}", nil)
	}
	for _, typ := range []product.Type{"", product.TypeBulletin, product.TypeReport, product.TypeNote, product.TypeAnalysis, product.TypeAssessment, product.TypeTarget} {
		m.checkInbox(t, b, p, typ)
	}
	m.checkSearch(t, b, p) // search_test.go
	route := "/"
	pg := b.get(route)
	m.checkBody(t, p, route, pg.Body)
	m.counted("GET /", nil)
}

// checkInbox reads every page of the inbox (filtered by typ when set) and compares its items with the
// model: exactly the editions of that type the persona's agency holds and that are not rescinded.
func (m *lmMatrix) checkInbox(t *testing.T, b *browser, p lmPersona, typ product.Type) {
	t.Helper()
	var want []int64
	for _, e := range m.editions {
		if p.reader() && m.level(p, e) == lmFull && (typ == "" || e.Type == typ) {
			want = append(want, e.ID)
		}
	}
	var got []int64
	for n := 1; ; n++ {
		route := "/inbox?type=" + string(typ) + "&page=" + strconv.Itoa(n)
		if typ == "" && n == 1 {
			route = "/inbox"
		}
		pg := b.get(route)
		m.checkBody(t, p, route, pg.Body)
		m.counted("GET /inbox", nil)
		if !p.reader() {
			lmHidden(t, p, route, pg)
			return
		}
		if pg.Status != http.StatusOK {
			t.Errorf("%s %s: status %d", p.Hint, route, pg.Status)
			return
		}
		for _, sm := range lmLinkRE.FindAllStringSubmatch(lmInboxRE.FindString(pg.Body), -1) {
			id, _ := strconv.ParseInt(sm[1], 10, 64)
			if !slices.Contains(got, id) {
				got = append(got, id)
			}
		}
		if !strings.Contains(pg.Body, "usa-pagination__next-page") {
			break
		}
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("%s inbox (type %q) lists %v, the ledger gives %v", p.Hint, typ, got, want)
	}
}

// TestLeakMatrix is the leak matrix of issue 5, then the revocation check.
func TestLeakMatrix(t *testing.T) {
	start := time.Now()
	seed := lmSeed(t)
	t.Logf("seed %d (replay with TEARLINE_LEAK_SEED=%d)", seed, seed)
	m := newLeakMatrix(t, seed)
	built := time.Since(start)
	var personas []lmPersona
	for _, p := range demo.Personas() {
		personas = append(personas, lmPersona{p, m.a.agencyID(t, p.Agency)})
	}
	if len(m.editions) < 30 {
		t.Fatalf("only %d editions", len(m.editions))
	}
	// The world must hold every kind of pair, or the matrix proves little.
	levels := map[lmLevel]int{}
	hows := map[string]int{}
	for _, e := range m.editions {
		hows[e.How]++
		for _, p := range personas {
			levels[m.level(p, e)]++
		}
	}
	if levels[lmFull] == 0 || levels[lmRecalled] == 0 || levels[lmNone] == 0 || hows["web"] < 2 || hows["demo"] == 0 {
		t.Fatalf("degenerate world: levels %v, editions by origin %v", levels, hows)
	}

	t.Run("matrix", func(t *testing.T) {
		for _, p := range personas {
			t.Run(p.Hint, func(t *testing.T) {
				t.Parallel()
				m.runPersona(t, p)
			})
		}
	})
	want := len(personas) * len(m.editions)
	if len(m.pairs) != want {
		t.Errorf("checked %d persona × edition pairs of %d", len(m.pairs), want)
	}
	total := 0
	routes := make([]string, 0, len(m.requests))
	for r, n := range m.requests {
		total += n
		routes = append(routes, fmt.Sprintf("%s %d", r, n))
	}
	slices.Sort(routes)
	t.Logf("%d personas × %d editions (%v; by origin %v) = %d pairs checked of %d (%.0f%%); %d requests: %s; built in %v, total %v",
		len(personas), len(m.editions), map[string]int{"full": levels[lmFull], "recalled": levels[lmRecalled], "hidden": levels[lmNone]}, hows,
		len(m.pairs), want, 100*float64(len(m.pairs))/float64(want), total, strings.Join(routes, ", "),
		built.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))

	t.Run("a revision names its predecessor only to its holders", func(t *testing.T) { m.checkSupersedes(t) })
	t.Run("revocation is immediate", func(t *testing.T) { m.checkRevocation(t) })
}

// checkSupersedes: ICE, which holds both revisions, sees the second point to the first; CBP, which
// holds only the second, is not told the first's id or number (the matrix fails on that too; this
// asserts that the link was not simply removed for everyone).
func (m *lmMatrix) checkSupersedes(t *testing.T) {
	ice, cbp := m.a.browser(t), m.a.browser(t)
	ice.signIn("liaison@ice")
	cbp.signIn("liaison@cbp")
	path, prev := "/editions/"+itoa(m.second), "/editions/"+itoa(m.first)+`"`
	if pg := ice.get(path); pg.Status != http.StatusOK || !strings.Contains(pg.Body, `data-testid="supersedes"`) || !strings.Contains(pg.Body, prev) {
		t.Errorf("ICE (holds both revisions) on %s: %d, supersedes link shown = %v", path, pg.Status, strings.Contains(pg.Body, prev))
	}
	if pg := cbp.get(path); pg.Status != http.StatusOK || strings.Contains(pg.Body, `data-testid="supersedes"`) || strings.Contains(pg.Body, prev) {
		t.Errorf("CBP (holds only the revision) on %s: %d, supersedes link shown = %v", path, pg.Status, strings.Contains(pg.Body, prev))
	}
}

// checkRevocation rescinds an edition ICE holds through the page and asserts that ICE's very next
// request for it is 404 (or the recall notice, without content) and its inbox no longer lists it.
func (m *lmMatrix) checkRevocation(t *testing.T) {
	ice := m.a.agencyID(t, "ICE")
	var e *lmEdition
	for _, x := range m.editions {
		if x.Recipients[ice] && !x.Rescinded && x.Marker != "" {
			e = x
		}
	}
	if e == nil {
		t.Fatal("no live edition held by ICE")
	}
	liaison, admin, elena := m.a.browser(t), m.a.browser(t), m.a.browser(t)
	liaison.signIn("liaison@ice")
	admin.signIn("admin@ice")
	elena.signIn("reviewer@hstc")
	path := "/editions/" + itoa(e.ID)
	for _, b := range []*browser{liaison, admin} {
		if pg := b.get(path); pg.Status != http.StatusOK {
			t.Fatalf("before rescission: %d", pg.Status)
		}
		if pg := b.get("/inbox"); !strings.Contains(lmInboxRE.FindString(pg.Body), path+`"`) {
			t.Fatalf("before rescission the inbox does not list %s", path)
		}
	}
	if pg := elena.post(path+"/rescind", url.Values{"reason": {"Disseminated in error: revocation check"}}); pg.Status != http.StatusOK {
		t.Fatalf("rescind: %d", pg.Status)
	}
	for name, b := range map[string]*browser{"liaison@ice": liaison, "admin@ice": admin} {
		pg := b.get(path)
		if pg.Status != http.StatusNotFound && (pg.Status != http.StatusGone || !strings.Contains(pg.Body, `data-testid="recall-notice"`)) {
			t.Errorf("%s right after rescission: %d, want 404 or the recall notice", name, pg.Status)
		}
		if strings.Contains(pg.Body, e.Marker) {
			t.Errorf("%s right after rescission still receives the content of %s", name, path)
		}
		inbox := b.get("/inbox")
		if strings.Contains(lmInboxRE.FindString(inbox.Body), path+`"`) || strings.Contains(inbox.Body, e.Marker) {
			t.Errorf("%s inbox still lists the rescinded edition %s", name, path)
		}
		if pg := b.post(path+"/feedback", url.Values{}); pg.Status != http.StatusNotFound {
			t.Errorf("%s feedback on the rescinded edition: %d, want 404", name, pg.Status)
		}
	}
}
