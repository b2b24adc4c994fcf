package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"tearline/internal/demo"
)

var editRE = regexp.MustCompile(`/products/(\d+)/edit`)

// newDraft creates a draft through the form and returns its id and editor page.
func (b *browser) newDraft(typ, title string) (string, page) {
	b.t.Helper()
	p := b.post("/products", url.Values{"type": {typ}, "title": {title}, "summary": {"Bottom line for " + title},
		"topics": {"organisations"}, "regions": {"MEX, gtm"}})
	m := editRE.FindStringSubmatch(p.URL.Path)
	if p.Status != http.StatusOK || m == nil {
		b.t.Fatalf("create draft: %d at %s", p.Status, p.URL)
	}
	return m[1], p
}

var portionRE = regexp.MustCompile(`id="portion-(\d+)"`)
var revRE = regexp.MustCompile(`id="rev-(\d+)" name="rev" value="(\d+)"`)

// portions returns the portion ids of an editor page in order, and their revisions.
func portions(body string) ([]string, map[string]string) {
	var ids []string
	for _, m := range portionRE.FindAllStringSubmatch(body, -1) {
		ids = append(ids, m[1])
	}
	revs := map[string]string{}
	for _, m := range revRE.FindAllStringSubmatch(body, -1) {
		revs[m[1]] = m[2]
	}
	return ids, revs
}

// savePortion posts a portion as htmx autosave does.
func (b *browser) savePortion(productID, portionID string, form url.Values) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.app.URL+"/products/"+productID+"/portions/"+portionID, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.app.URL)
	req.Header.Set("HX-Request", "true")
	return b.do(req)
}

func TestDraftEditorComputesMarkings(t *testing.T) {
	a := newTestApp(t)
	b := a.browser(t)
	b.signIn("analyst@hstc")
	id, ed := b.newDraft("IB", "Go-fast boats in the Gulf of Honduras")
	for _, want := range []string{"Key points", "Details", "Outlook", "Sources", `data-testid="banner-top"`, `data-testid="banner-bottom"`, "DRAFT", "(CUI//LEI)"} {
		if !strings.Contains(ed.Body, want) {
			t.Errorf("new editor lacks %q", want)
		}
	}
	ids, revs := portions(ed.Body)
	if len(ids) != 8 {
		t.Fatalf("IB template portions = %d, want 8", len(ids))
	}
	// Mark the details paragraph SP-INV NOFORN and a second one CUI//IVIC REL TO GBR, MEX: the banner follows.
	p := b.savePortion(id, ids[3], url.Values{"rev": {revs[ids[3]]}, "kind": {"paragraph"}, "body": {"Two go-fast boats left Puerto Cortés at night."},
		"m_control": {"CUI"}, "m_categories": {"SP-INV"}, "m_noforn": {"on"}})
	if p.Status != http.StatusOK {
		t.Fatalf("save: %d %s", p.Status, p.Body)
	}
	for _, want := range []string{"(CUI//SP-INV//NF)", "CUI//SP-INV/LEI//NOFORN", `hx-swap-oob="true"`, "✓ Saved"} {
		if !strings.Contains(p.Body, want) {
			t.Errorf("save response lacks %q:\n%.3000s", want, p.Body)
		}
	}
	p = b.savePortion(id, ids[1], url.Values{"rev": {revs[ids[1]]}, "kind": {"list"}, "body": {"- Victims were moved through Tapachula."},
		"m_control": {"CUI"}, "m_categories": {"IVIC"}, "m_rel_to": {"mex, GBR"}, "m_tlp": {"AMBER"}})
	if !strings.Contains(p.Body, "(CUI//IVIC//REL TO USA, GBR, MEX)") || !strings.Contains(p.Body, "CUI//SP-INV/IVIC/LEI//NOFORN") || !strings.Contains(p.Body, "TLP:AMBER") {
		t.Errorf("second save banner wrong:\n%.3000s", p.Body)
	}
	// Reload: everything saved, banner top and bottom, designation indicator on the reader page.
	ed = b.get("/products/" + id + "/edit")
	if strings.Count(ed.Body, "CUI//SP-INV/IVIC/LEI//NOFORN") != 2 || !strings.Contains(ed.Body, "Two go-fast boats left Puerto Cortés at night.") {
		t.Error("reloaded editor lacks the banner twice or the saved text")
	}
	rd := b.get("/products/" + id)
	for _, want := range []string{"Controlled by: HSTC", "(CUI//SP-INV//NF)", "DRAFT", "Two go-fast boats"} {
		if !strings.Contains(rd.Body, want) {
			t.Errorf("reader page lacks %q", want)
		}
	}
}

func TestInvalidAndMissingMarkingsBlockReviewButKeepText(t *testing.T) {
	a := newTestApp(t)
	b := a.browser(t)
	b.signIn("analyst@hstc")
	id, ed := b.newDraft("IN", "Fraudulent visas sold in Ciudad del Este")
	ids, revs := portions(ed.Body)
	if strings.Contains(ed.Body, "Before review") && !strings.Contains(ed.Body, "Ready for review") {
		// a fresh draft with empty paragraphs is fine either way; the point is the transitions below
		t.Log("fresh draft has readiness items")
	}
	p := b.savePortion(id, ids[1], url.Values{"rev": {revs[ids[1]]}, "kind": {"paragraph"}, "body": {"Brokers perhaps sell visas for USD 4,000."},
		"m_control": {"CUI"}, "m_categories": {"LEI"}, "m_noforn": {"on"}, "m_rel_to": {"GBR"}})
	if p.Status != http.StatusOK {
		t.Fatalf("an invalid marking must still save the text: %d", p.Status)
	}
	if !strings.Contains(p.Body, `data-testid="marking-problems"`) || !strings.Contains(p.Body, "NOFORN") {
		t.Errorf("no marking problem shown:\n%.2000s", p.Body)
	}
	if !strings.Contains(p.Body, `data-testid="likelihood-warnings"`) || !strings.Contains(p.Body, "perhaps") {
		t.Error("off-scale likelihood term not flagged")
	}
	if !strings.Contains(p.Body, "Before review") {
		t.Error("readiness does not block review")
	}
	// An unmarked portion blocks review too.
	b.post("/products/"+id+"/portions", url.Values{"after": {"0"}, "kind": {"paragraph"}})
	ed = b.get("/products/" + id + "/edit")
	if !strings.Contains(ed.Body, "(unmarked)") || !strings.Contains(ed.Body, "have no marking") {
		t.Error("an unmarked portion is not flagged")
	}
	if !strings.Contains(ed.Body, "Brokers perhaps sell visas") {
		t.Error("text lost")
	}
}

func TestStalePortionSaveIsRefusedAndBothTextsKept(t *testing.T) {
	a := newTestApp(t)
	dana := a.browser(t)
	dana.signIn("analyst@hstc")
	id, ed := dana.newDraft("IR", "Hawala brokers in the Western Balkans")
	ids, revs := portions(ed.Body)
	// Marcus becomes a co-author and both open the same portion at the same revision.
	dana.post("/products/"+id+"/authors", url.Values{"author_id": {itoa(a.userID(t, "analyst2@hstc"))}})
	marcus := a.browser(t)
	marcus.signIn("analyst2@hstc")
	pid, rev := ids[1], revs[ids[1]]
	base := url.Values{"rev": {rev}, "kind": {"paragraph"}, "m_control": {"CUI"}, "m_categories": {"LEI"}}
	mine := url.Values{"body": {"Dana's text: payments settle through exchange houses in Skopje."}}
	theirs := url.Values{"body": {"Marcus's text: brokers use prepaid cards."}}
	for k, v := range base {
		mine[k], theirs[k] = v, v
	}
	if p := marcus.savePortion(id, pid, theirs); p.Status != http.StatusOK {
		t.Fatalf("first save: %d", p.Status)
	}
	p := dana.savePortion(id, pid, mine)
	if p.Status != http.StatusConflict || !strings.Contains(p.Body, "Someone else saved this portion") || !strings.Contains(p.Body, "brokers use prepaid cards") {
		t.Fatalf("stale save: %d\n%.2000s", p.Status, p.Body)
	}
	if n := a.countRows(t, `SELECT count(*) FROM portion WHERE id = $1 AND body LIKE 'Marcus%'`, pid); n != 1 {
		t.Error("the first save was overwritten")
	}
	if n := a.countRows(t, `SELECT count(*) FROM product_version WHERE product_id = $1 AND kind = 'conflict' AND snapshot::text LIKE '%Skopje%'`, id); n != 1 {
		t.Error("the refused text was not kept as a conflict copy")
	}
	// Dana decides to replace it with her text after seeing both.
	ed = dana.get("/products/" + id + "/edit")
	_, revs = portions(ed.Body)
	mine.Set("force_rev", revs[pid])
	if p := dana.savePortion(id, pid, mine); p.Status != http.StatusOK {
		t.Errorf("deliberate replace: %d", p.Status)
	}
	// Without JavaScript a stale save re-renders the editor with both texts.
	theirs.Set("rev", "1")
	req, _ := http.NewRequest(http.MethodPost, a.URL+"/products/"+id+"/portions/"+pid, strings.NewReader(theirs.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	pg := marcus.do(req)
	if pg.Status != http.StatusConflict || !strings.Contains(pg.Body, "brokers use prepaid cards") || !strings.Contains(pg.Body, "Skopje") {
		t.Errorf("no-JS conflict page: %d", pg.Status)
	}
}

func TestDraftVisibility(t *testing.T) {
	a := newTestApp(t)
	dana := a.browser(t)
	dana.signIn("analyst@hstc")
	id, _ := dana.newDraft("TP", "The Cayo Verde network")
	for hint, want := range map[string]int{"analyst2@hstc": 404, "liaison@ice": 404, "admin@hstc": 404, "steering@dos": 404, "reviewer@hstc": 200} {
		b := a.browser(t)
		b.signIn(hint)
		if p := b.get("/products/" + id); p.Status != want {
			t.Errorf("%s reading the draft: %d, want %d", hint, p.Status, want)
		}
		if p := b.get("/products/" + id + "/edit"); p.Status != 404 {
			t.Errorf("%s editing the draft: %d, want 404", hint, p.Status)
		}
		if p := b.get("/products"); want == 404 && strings.Contains(p.Body, "Cayo Verde") {
			t.Errorf("%s sees the draft in a list", hint)
		}
	}
	if p := dana.get("/products?type=TP"); !strings.Contains(p.Body, "The Cayo Verde network") {
		t.Error("the author's list lacks the draft")
	}
	if p := dana.get("/products?type=IB"); strings.Contains(p.Body, "The Cayo Verde network") {
		t.Error("the type filter does not filter")
	}
	// Row-level security: the application role sees no product rows without the agency setting.
	var n int
	app := pgtestOpenApp(t, a)
	if err := app.QueryRow(context.Background(), `SELECT count(*) FROM product`).Scan(&n); err != nil || n != 0 {
		t.Errorf("app role without agency setting sees %d products (%v)", n, err)
	}
}

func TestMarkdownAndFieldsRenderHarmlessly(t *testing.T) {
	a := newTestApp(t)
	b := a.browser(t)
	b.signIn("analyst@hstc")
	payload := `<script>alert(1)</script><img src=x onerror=alert(2)> [x](javascript:alert(3)) "><svg onload=alert(4)>`
	id, ed := b.newDraft("AP", "Title "+payload)
	ids, revs := portions(ed.Body)
	b.savePortion(id, ids[1], url.Values{"rev": {revs[ids[1]]}, "kind": {"paragraph"}, "body": {payload}, "m_control": {"U"}})
	rev := regexp.MustCompile(`id="details-rev" name="rev" value="(\d+)"`).FindStringSubmatch(b.get("/products/" + id + "/edit").Body)
	if rev == nil {
		t.Fatal("no details revision")
	}
	p := b.post("/products/"+id+"/details", url.Values{"rev": {rev[1]}, "title": {"Title " + payload}, "summary": {payload},
		"originating_office": {payload}, "controlled_by": {payload}, "poc": {payload}, "decontrol_event": {payload}})
	if p.Status != http.StatusOK {
		t.Fatalf("details save: %d", p.Status)
	}
	b.post("/products/"+id+"/sources", url.Values{"description": {payload}, "originating_agency": {payload},
		"scheme": {"ADMIRALTY"}, "source_grade": {"B"}, "information_grade": {"2"}})
	if n := a.countRows(t, `SELECT count(*) FROM product_source WHERE description LIKE '<script>%'`); n != 1 {
		t.Errorf("payload source not stored (%d): the check below would be empty", n)
	}
	for _, path := range []string{"/products/" + id, "/products/" + id + "/edit", "/products", "/products/" + id + "/versions",
		"/products/" + id + "/versions/compare?from=1&to=3"} {
		body := b.get(path).Body
		for _, bad := range []string{"<script>alert", "<img src=x onerror", `href="javascript:`, "<svg onload"} {
			if strings.Contains(body, bad) {
				t.Errorf("%s contains %q", path, bad)
			}
		}
	}
}

func TestPortionsMoveAndDelete(t *testing.T) {
	a := newTestApp(t)
	b := a.browser(t)
	b.signIn("analyst@hstc")
	id, ed := b.newDraft("IN", "Small-boat crossings of the English Channel")
	ids, _ := portions(ed.Body)
	b.post("/products/"+id+"/portions/"+ids[1]+"/move", url.Values{"delta": {"-1"}})
	got, _ := portions(b.get("/products/" + id + "/edit").Body)
	if got[0] != ids[1] || got[1] != ids[0] {
		t.Errorf("after move up: %v, was %v", got, ids)
	}
	p := b.post("/products/"+id+"/portions/"+ids[0]+"/delete", nil)
	got, _ = portions(p.Body)
	if len(got) != len(ids)-1 || strings.Contains(strings.Join(got, ","), ids[0]) {
		t.Errorf("after delete: %v", got)
	}
	if !strings.Contains(p.Body, "stays in the version history") {
		t.Error("no delete confirmation")
	}
}

func TestNewProductFormKeepsValues(t *testing.T) {
	a := newTestApp(t)
	b := a.browser(t)
	b.signIn("analyst@hstc")
	p := b.post("/products", url.Values{"type": {"SA"}, "title": {"x"}, "summary": {"Smuggling fees rose sharply."}, "regions": {"central america"}})
	if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Smuggling fees rose sharply.") || !strings.Contains(p.Body, "CENTRAL AMERICA") {
		t.Errorf("bad new product: %d", p.Status)
	}
}

func TestSeededDraftsRender(t *testing.T) {
	a := newTestApp(t)
	n, err := demo.SeedDrafts(context.Background(), a.Owner, a.URL+"/demo-idp")
	if err != nil || n < 18 {
		t.Fatalf("seed drafts: %d, %v", n, err)
	}
	for _, hint := range []string{"analyst@hstc", "analyst2@hstc"} {
		b := a.browser(t)
		b.signIn(hint)
		list := b.get("/products")
		ids := regexp.MustCompile(`href="/products/(\d+)/edit"`).FindAllStringSubmatch(list.Body, -1)
		if len(ids) < 6 {
			t.Fatalf("%s sees %d drafts", hint, len(ids))
		}
		for _, m := range ids {
			for _, path := range []string{"/products/" + m[1] + "/edit", "/products/" + m[1]} {
				if p := b.get(path); p.Status != 200 || !strings.Contains(p.Body, `data-testid="banner-top"`) {
					t.Errorf("%s %s: %d", hint, path, p.Status)
				}
			}
		}
	}
	// The reviewer supervises: every draft of the center is listed.
	r := a.browser(t)
	r.signIn("reviewer@hstc")
	if p := r.get("/products"); !strings.Contains(p.Body, "Drafts of the center") || strings.Count(p.Body, `href="/products/`) < 18 {
		t.Error("the reviewer does not see every draft")
	}
}
