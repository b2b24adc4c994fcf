package main

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"tearline/internal/demo"
)

var (
	searchResultsRE = regexp.MustCompile(`(?s)data-testid="search-results".*?</ul>`)
	searchTotalRE   = regexp.MustCompile(`data-testid="search-total" data-total="([0-9]+)"`)
	searchTypeRE    = regexp.MustCompile(`(?s)data-facet="type".*?</ul>`)
	searchCountRE   = regexp.MustCompile(`data-count="([0-9]+)"`)
	searchMainRE    = regexp.MustCompile(`(?s)<main.*</main>`)
)

// searchPage is what a search answer shows: the editions listed, the total and the type facets' sum.
type searchPage struct {
	ids          []int64
	total, facet int
}

func readSearchPage(body string) searchPage {
	var sp searchPage
	for _, sm := range lmLinkRE.FindAllStringSubmatch(searchResultsRE.FindString(body), -1) {
		id, _ := strconv.ParseInt(sm[1], 10, 64)
		if !slices.Contains(sp.ids, id) {
			sp.ids = append(sp.ids, id)
		}
	}
	if m := searchTotalRE.FindStringSubmatch(body); m != nil {
		sp.total, _ = strconv.Atoi(m[1])
	} else {
		sp.total = -1
	}
	for _, m := range searchCountRE.FindAllStringSubmatch(searchTypeRE.FindString(body), -1) {
		n, _ := strconv.Atoi(m[1])
		sp.facet += n
	}
	return sp
}

// checkSearch is the leak matrix's search route: every persona searches a word every generated
// edition carries (all pages), and every edition's number. Results, total and facets must be exactly
// the editions the model lets the persona read; a hidden number answers exactly like a missing one.
func (m *lmMatrix) checkSearch(t *testing.T, b *browser, p lmPersona) {
	t.Helper()
	route := "/search?q=matrix&sort=date"
	if !p.staff() && !p.reader() {
		pg := b.get(route)
		lmHidden(t, p, route, pg)
		m.checkBody(t, p, route, pg.Body)
		m.counted("GET /search", nil)
		return
	}
	var want, got []int64
	for _, e := range m.editions {
		if e.Marker != "" && m.level(p, e) == lmFull {
			want = append(want, e.ID)
		}
	}
	for n := 1; ; n++ {
		r := route + "&page=" + strconv.Itoa(n)
		pg := b.get(r)
		m.checkBody(t, p, r, pg.Body)
		m.counted("GET /search", nil)
		if pg.Status != http.StatusOK {
			t.Errorf("%s %s: status %d", p.Hint, r, pg.Status)
			return
		}
		sp := readSearchPage(pg.Body)
		if sp.total != len(want) || sp.facet != len(want) {
			t.Errorf("LEAK/MISS %s %s: total %d, type facets sum to %d, the model gives %d", p.Hint, r, sp.total, sp.facet, len(want))
		}
		got = append(got, sp.ids...)
		if !strings.Contains(pg.Body, "usa-pagination__next-page") {
			break
		}
	}
	slices.Sort(got)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		t.Errorf("LEAK/MISS %s search lists %v, the model gives %v", p.Hint, got, want)
	}

	missing := m.searchMain(t, b, "HSTC-IB-1999-99999")
	for _, e := range m.editions {
		q := e.label()
		target := int64(0) // the newest revision of the number the persona may read, or the revision asked for
		for _, x := range m.editions {
			if x.Number == e.Number && m.level(p, x) == lmFull && (x.ID == e.ID || e.Rev == 1 && x.Rev > e.Rev) {
				if target == 0 || x.Rev > m.byID[target].Rev {
					target = x.ID
				}
			}
		}
		pg := b.get("/search?q=" + url.QueryEscape(q))
		m.counted("GET /search?q={number}", nil)
		if target != 0 {
			if pg.Status != http.StatusOK || pg.URL.Path != "/editions/"+itoa(target) {
				t.Errorf("%s searching %s: at %s (%d), want /editions/%d", p.Hint, q, pg.URL.Path, pg.Status, target)
			}
			continue
		}
		// The persona typed the number: its echo in the form and links is not a leak; anything else is.
		body := unecho(pg.Body, q)
		m.checkBody(t, p, "GET /search?q="+q, body)
		if pg.URL.Path != "/search" || pg.Status != http.StatusOK {
			t.Errorf("LEAK %s searching hidden %s: at %s (%d)", p.Hint, q, pg.URL.Path, pg.Status)
		} else if main := searchMainRE.FindString(body); main != missing {
			t.Errorf("LEAK %s searching hidden %s answers differently from a missing number", p.Hint, q)
		}
	}
}

// searchMain returns the main element of the answer to a search for a number nobody has, with the
// number removed.
func (m *lmMatrix) searchMain(t *testing.T, b *browser, q string) string {
	t.Helper()
	pg := b.get("/search?q=" + url.QueryEscape(q))
	if pg.Status != http.StatusOK || pg.URL.Path != "/search" {
		t.Fatalf("search %s: %d at %s", q, pg.Status, pg.URL.Path)
	}
	return searchMainRE.FindString(unecho(pg.Body, q))
}

// unecho removes the query a user typed from a page, as text and as a URL parameter.
func unecho(body, q string) string {
	return strings.NewReplacer(q, "", url.QueryEscape(q), "").Replace(body)
}

// seedSearchDemo seeds the demo's drafts, editions, steering assessments and their dissemination.
func seedSearchDemo(t *testing.T, a *testApp) {
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
	if _, err := demo.SeedDissemination(ctx, a.Owner, issuer); err != nil {
		t.Fatal(err)
	}
}

// visibleMatches asks the database, as the owner, which editions released to the agency (and not
// rescinded) contain the query: the expectation, computed from the ledger and the texts directly.
func visibleMatches(t *testing.T, a *testApp, code, q string) []int64 {
	t.Helper()
	rows, err := a.Owner.Pool.Query(context.Background(), `SELECT e.id FROM edition e
		JOIN release_ledger l ON l.edition_id = e.id JOIN agency g ON g.id = l.agency_id
		WHERE g.code = $1 AND NOT EXISTS (SELECT 1 FROM edition_rescission r WHERE r.edition_id = e.id)
		  AND tearline_search_vector(e.title, e.content->>'summary', tearline_search_portions(e.content)) @@ websearch_to_tsquery('english', $2)
		ORDER BY e.id`, code, q)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		out = append(out, id)
	}
	return out
}

// TestSearchDemo: in the demo, each liaison finds by text exactly what its agency may see; the
// results are escaped and highlighted; a number jumps only to a visible edition; a recall removes
// an edition from the very next search; center staff also find drafts; searches are audited.
func TestSearchDemo(t *testing.T) {
	a := newTestApp(t)
	seedSearchDemo(t, a)
	for _, q := range []string{"smuggling", "migrants OR stablecoin", `"Cayo Verde"`, "network -maritime"} {
		for _, hint := range []string{"liaison@ice", "liaison@nca", "liaison@europol", "steering@dos", "admin@ice"} {
			b := a.browser(t)
			b.signIn(hint)
			code := strings.ToUpper(strings.SplitN(hint, "@", 2)[1])
			want := visibleMatches(t, a, code, q)
			pg := b.get("/search?q=" + url.QueryEscape(q))
			sp := readSearchPage(pg.Body)
			slices.Sort(sp.ids)
			if pg.Status != http.StatusOK || !slices.Equal(sp.ids, want) || sp.total != len(want) || sp.facet != len(want) {
				t.Errorf("%s searching %s: %d, %v (total %d, facets %d), want %v", hint, q, pg.Status, sp.ids, sp.total, sp.facet, want)
			}
		}
	}
	if n := len(visibleMatches(t, a, "ICE", "smuggling")); n < 3 {
		t.Errorf("the demo gives ICE only %d results for smuggling", n)
	}

	t.Run("who may search", func(t *testing.T) {
		for hint, status := range map[string]int{"admin@hstc": 404, "reviewer@hstc": 200, "analyst@hstc": 200, "liaison@ice": 200} {
			b := a.browser(t)
			b.signIn(hint)
			if pg := b.get("/search?q=smuggling"); pg.Status != status {
				t.Errorf("%s: %d, want %d", hint, pg.Status, status)
			}
		}
	})

	t.Run("results are escaped and highlighted", func(t *testing.T) {
		path := releaseMarked(t, a, "IN", `Kestrel <b>couriers</b> & "brokers"`, url.Values{"m_control": {"CUI"}, "m_categories": {"LEI"}})
		elena := a.browser(t)
		elena.signIn("reviewer@hstc")
		elena.post(path+"/disseminate", url.Values{"agency": {itoa(a.agencyID(t, "ICE"))}, "justification": {"Need to know: escaping test"}})
		ice := a.browser(t)
		ice.signIn("liaison@ice")
		pg := ice.get("/search?q=kestrel+couriers")
		if !strings.Contains(pg.Body, `<mark>Kestrel</mark> &lt;b&gt;<mark>couriers</mark>&lt;/b&gt; &amp; &#34;brokers&#34;`) {
			t.Errorf("title not escaped and highlighted: %s", searchResultsRE.FindString(pg.Body))
		}
		if strings.Contains(pg.Body, "<b>couriers") || strings.ContainsAny(pg.Body, "\uE000\uE001") {
			t.Error("raw markup or highlight markers in the page")
		}
	})

	t.Run("number jump, hidden number and recall", func(t *testing.T) {
		var id int64
		var number string
		if err := a.Owner.Pool.QueryRow(context.Background(), `SELECT e.id, e.number FROM edition e
			JOIN release_ledger l ON l.edition_id = e.id JOIN agency g ON g.id = l.agency_id
			WHERE g.code = 'ICE' AND e.number NOT IN (SELECT e2.number FROM edition e2 JOIN release_ledger l2 ON l2.edition_id = e2.id
				JOIN agency g2 ON g2.id = l2.agency_id WHERE g2.code = 'NCA')
			AND NOT EXISTS (SELECT 1 FROM edition_rescission r WHERE r.edition_id = e.id)
			AND NOT EXISTS (SELECT 1 FROM edition e3 WHERE e3.number = e.number AND e3.id <> e.id) ORDER BY e.id LIMIT 1`).Scan(&id, &number); err != nil {
			t.Fatal(err)
		}
		ice, nca := a.browser(t), a.browser(t)
		ice.signIn("liaison@ice")
		nca.signIn("liaison@nca")
		if pg := ice.get("/search?q=" + url.QueryEscape(strings.ToLower(number))); pg.URL.Path != "/editions/"+itoa(id) {
			t.Errorf("ICE searching %s: at %s", number, pg.URL.Path)
		}
		hidden := nca.get("/search?q=" + url.QueryEscape(number))
		missing := nca.get("/search?q=HSTC-IB-1999-99999")
		norm := func(pg page, q string) string { return searchMainRE.FindString(unecho(pg.Body, q)) }
		if hidden.URL.Path != "/search" || norm(hidden, number) != norm(missing, "HSTC-IB-1999-99999") {
			t.Errorf("NCA searching ICE's %s answers differently from a missing number", number)
		}
		// Recall: the next search no longer finds it.
		title := ""
		if err := a.Owner.Pool.QueryRow(context.Background(), `SELECT title FROM edition WHERE id = $1`, id).Scan(&title); err != nil {
			t.Fatal(err)
		}
		q := "/search?q=" + url.QueryEscape(`"`+title+`"`)
		if !slices.Contains(readSearchPage(ice.get(q).Body).ids, id) {
			t.Fatalf("ICE does not find %q before the recall", title)
		}
		elena := a.browser(t)
		elena.signIn("reviewer@hstc")
		if pg := elena.post("/editions/"+itoa(id)+"/rescind", url.Values{"reason": {"Disseminated in error: search test"}}); pg.Status != http.StatusOK {
			t.Fatalf("rescind: %d", pg.Status)
		}
		if pg := ice.get(q); slices.Contains(readSearchPage(pg.Body).ids, id) || strings.Contains(pg.Body, "/editions/"+itoa(id)+`"`) {
			t.Errorf("ICE still finds %d right after the recall", id)
		}
		if pg := ice.get("/search?q=" + url.QueryEscape(number)); pg.URL.Path != "/search" {
			t.Errorf("the number of a recalled edition still jumps to %s", pg.URL.Path)
		}
	})

	t.Run("center staff also find drafts, marked", func(t *testing.T) {
		elena := a.browser(t)
		elena.signIn("reviewer@hstc")
		pg := elena.get("/search?q=smuggling")
		if !strings.Contains(pg.Body, `data-testid="search-drafts"`) || !strings.Contains(pg.Body, `href="/products/`) {
			t.Error("the releasing official's search shows no unreleased products")
		}
		ice := a.browser(t)
		ice.signIn("liaison@ice")
		if pg := ice.get("/search?q=smuggling"); strings.Contains(pg.Body, `data-testid="search-drafts"`) || strings.Contains(pg.Body, `/products/`) {
			t.Error("a liaison's search shows unreleased products")
		}
	})

	t.Run("searches are audited", func(t *testing.T) {
		before := a.countRows(t, `SELECT count(*) FROM audit_event WHERE action = 'search'`)
		ice := a.browser(t)
		ice.signIn("liaison@ice")
		ice.get("/search?q=" + url.QueryEscape(`"go-fast" -honduras`))
		if n := a.countRows(t, `SELECT count(*) FROM audit_event WHERE action = 'search' AND details->>'query' = $1`, `"go-fast" -honduras`); n != 1 {
			t.Errorf("%d audit rows carry the query, want 1", n)
		}
		if after := a.countRows(t, `SELECT count(*) FROM audit_event WHERE action = 'search'`); after != before+1 {
			t.Errorf("%d search events, want 1", after-before)
		}
	})
}
