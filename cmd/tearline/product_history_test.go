package main

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"tearline/internal/product"
)

var (
	insRE = regexp.MustCompile(`(?s)<ins[^>]*>(.*?)</ins>`)
	delRE = regexp.MustCompile(`(?s)<del[^>]*>(.*?)</del>`)
)

// diffParts returns the unescaped text of every <ins> or <del> element of the diff on a page.
func diffParts(body string, re *regexp.Regexp) string {
	i := strings.Index(body, `data-testid="diff"`)
	if i < 0 {
		return ""
	}
	var out []string
	for _, m := range re.FindAllStringSubmatch(body[i:], -1) {
		out = append(out, html.UnescapeString(regexp.MustCompile(`<[^>]+>`).ReplaceAllString(m[1], "")))
	}
	return strings.Join(out, "|")
}

// versionsOf loads a draft's versions as the owner, newest first.
func (a *testApp) versionsOf(t *testing.T, id string) []product.Version {
	t.Helper()
	var pid int64
	var agencyID int64
	if err := a.Owner.Pool.QueryRow(context.Background(), `SELECT id, owner_agency_id FROM product WHERE id = $1`, id).Scan(&pid, &agencyID); err != nil {
		t.Fatal(err)
	}
	vs, err := a.Owner.FindVersions(context.Background(), agencyID, pid)
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

// firstParagraph returns the id and revision of the draft's first paragraph portion.
func firstParagraph(t *testing.T, a *testApp, id string) (string, string) {
	t.Helper()
	var pid, rev int64
	err := a.Owner.Pool.QueryRow(context.Background(), `SELECT id, rev FROM portion WHERE product_id = $1 AND kind = 'paragraph'
		ORDER BY position LIMIT 1`, id).Scan(&pid, &rev)
	if err != nil {
		t.Fatal(err)
	}
	return itoa(pid), itoa(rev)
}

func TestVersionHistoryCompareAndRestore(t *testing.T) {
	a := newTestApp(t)
	b := a.browser(t)
	b.signIn("analyst@hstc")
	id, _ := b.newDraft("IB", "Go-fast boats shift to the Pacific route")

	bodies := []string{
		"The network moved two boats to Puerto Chiapas.\nCrews are paid in cash.",
		"The network moved four go-fast boats to Puerto Chiapas.\nCrews are paid in cash.\nFuel is cached on the beach.",
		"The network moved four go-fast boats to Puerto Chiapas.\nCrews are paid in cryptocurrency.\nFuel is cached on the beach. <script>alert(1)</script>",
	}
	for _, body := range bodies {
		pid, rev := firstParagraph(t, a, id)
		p := b.savePortion(id, pid, url.Values{"rev": {rev}, "kind": {"paragraph"}, "body": {body}, "m_control": {"CUI"}, "m_categories": {"LEI"}})
		if p.Status != http.StatusOK {
			t.Fatalf("save: %d", p.Status)
		}
	}
	vs := a.versionsOf(t, id)
	if len(vs) != 4 || vs[3].Kind != product.VersionCreate || vs[0].Kind != product.VersionSave {
		t.Fatalf("versions = %d (want create + 3 saves)", len(vs))
	}

	t.Run("list shows every version with author, kind and compare form", func(t *testing.T) {
		p := b.get("/products/" + id + "/versions")
		if p.Status != http.StatusOK {
			t.Fatalf("versions: %d", p.Status)
		}
		if n := strings.Count(p.Body, `data-testid="version-row"`); n != 4 {
			t.Errorf("rows = %d, want 4", n)
		}
		for _, want := range []string{"Dana Whitfield", "Created", "Saved", `name="from"`, `name="to"`, "Restore as new version", `/versions/compare?from=3&amp;to=4`} {
			if !strings.Contains(p.Body, want) {
				t.Errorf("version list lacks %q", want)
			}
		}
	})

	t.Run("compare shows insertions and deletions, escaped, with line breaks kept", func(t *testing.T) {
		p := b.get("/products/" + id + "/versions/compare?from=2&to=4")
		if p.Status != http.StatusOK {
			t.Fatalf("compare: %d", p.Status)
		}
		ins, del := diffParts(p.Body, insRE), diffParts(p.Body, delRE)
		for _, want := range []string{"four go-fast boats", "cryptocurrency", "Fuel is cached on the beach. <script>alert(1)</script>"} {
			if !strings.Contains(ins, want) {
				t.Errorf("insertions %q lack %q", ins, want)
			}
		}
		for _, want := range []string{"two boats", "Crews are paid in cash."} {
			if !strings.Contains(del, want) {
				t.Errorf("deletions %q lack %q", del, want)
			}
		}
		if strings.Contains(del, "four go-fast") || strings.Contains(ins, "two boats") {
			t.Error("diff direction is reversed")
		}
		if strings.Contains(p.Body, "<script>alert(1)") || !strings.Contains(p.Body, "&lt;script&gt;alert(1)&lt;/script&gt;") {
			t.Error("typed HTML reached the page unescaped")
		}
		if !strings.Contains(p.Body, "text-pre-wrap") || !strings.Contains(p.Body, "(U) Key points") || !strings.Contains(p.Body, "unchanged lines") {
			t.Error("unchanged context, folding or pre-wrap missing")
		}
		// Line breaks reach the page as they are, inside the pre-wrap block.
		if !strings.Contains(ins, "cryptocurrency.\nFuel") {
			t.Errorf("line break lost in %q", ins)
		}
		same := b.get("/products/" + id + "/versions/compare?from=3&to=3")
		if same.Status != http.StatusOK || !strings.Contains(same.Body, "the same content") || strings.Contains(same.Body, "<ins class") {
			t.Errorf("comparing a version with itself: %d", same.Status)
		}
	})

	t.Run("unknown or malformed version numbers are 404", func(t *testing.T) {
		for _, path := range []string{"/versions/compare?from=1&to=99", "/versions/compare?from=0&to=1", "/versions/compare?from=x&to=1", "/versions/compare"} {
			if p := b.get("/products/" + id + path); p.Status != http.StatusNotFound {
				t.Errorf("%s: %d, want 404", path, p.Status)
			}
		}
		for _, n := range []string{"99", "0", "abc"} {
			if p := b.post("/products/"+id+"/versions/"+n+"/restore", nil); p.Status != http.StatusNotFound {
				t.Errorf("restore %s: %d, want 404", n, p.Status)
			}
		}
		if p := b.get("/products/999999/versions"); p.Status != http.StatusNotFound {
			t.Errorf("versions of a missing draft: %d", p.Status)
		}
	})

	t.Run("restore makes an old version current as a new version", func(t *testing.T) {
		p := b.post("/products/"+id+"/versions/2/restore", nil)
		if p.Status != http.StatusOK || p.URL.Path != "/products/"+id+"/edit" || !strings.Contains(p.Body, "Version 2 restored") {
			t.Fatalf("restore: %d at %s", p.Status, p.URL)
		}
		after := a.versionsOf(t, id)
		if len(after) != 5 || after[0].Kind != product.VersionRestore || after[0].Number != 5 {
			t.Fatalf("after restore: %d versions, newest %s", len(after), after[0].Kind)
		}
		if product.Changed(after[0].Snapshot, vs[2].Snapshot) {
			t.Errorf("restored content differs from version 2:\n%s\n---\n%s", after[0].Snapshot.Text(), vs[2].Snapshot.Text())
		}
		if !strings.Contains(p.Body, "Crews are paid in cash.") || strings.Contains(p.Body, "cryptocurrency") {
			t.Error("editor does not show the restored text")
		}
		if n := a.countRows(t, `SELECT count(*) FROM audit_event WHERE action = 'product.restore'`); n != 1 {
			t.Errorf("restore audit rows = %d", n)
		}
	})

	t.Run("a stale save is listed as a conflict copy and can be compared", func(t *testing.T) {
		pid, rev := firstParagraph(t, a, id)
		if p := b.savePortion(id, pid, url.Values{"rev": {rev}, "kind": {"paragraph"}, "body": {"Saved in the first tab."}, "m_control": {"U"}}); p.Status != http.StatusOK {
			t.Fatalf("save: %d", p.Status)
		}
		p := b.savePortion(id, pid, url.Values{"rev": {rev}, "kind": {"paragraph"}, "body": {"Stale text typed in another tab."}, "m_control": {"U"}})
		if p.Status != http.StatusConflict {
			t.Fatalf("stale save: %d", p.Status)
		}
		l := b.get("/products/" + id + "/versions")
		if !strings.Contains(l.Body, "Conflict copy (not applied)") || !strings.Contains(l.Body, `data-kind="conflict"`) {
			t.Error("conflict copy not shown clearly")
		}
		c := b.get("/products/" + id + "/versions/compare?from=6&to=7")
		if !strings.Contains(diffParts(c.Body, insRE), "Stale text typed in another tab.") {
			t.Error("conflict copy text not in the diff")
		}
	})

	t.Run("people who may not read the draft get 404", func(t *testing.T) {
		for _, hint := range []string{"analyst2@hstc", "liaison@ice"} {
			o := a.browser(t)
			o.signIn(hint)
			for _, path := range []string{"/versions", "/versions/compare?from=1&to=2"} {
				if p := o.get("/products/" + id + path); p.Status != http.StatusNotFound {
					t.Errorf("%s GET %s: %d, want 404", hint, path, p.Status)
				}
			}
			if p := o.post("/products/"+id+"/versions/1/restore", nil); p.Status != http.StatusNotFound {
				t.Errorf("%s restore: %d, want 404", hint, p.Status)
			}
		}
		if n := len(a.versionsOf(t, id)); n != 7 {
			t.Errorf("versions changed by outsiders: %d", n)
		}
	})

	t.Run("a supervisor reads the history but cannot restore", func(t *testing.T) {
		r := a.browser(t)
		r.signIn("reviewer@hstc")
		p := r.get("/products/" + id + "/versions")
		if p.Status != http.StatusOK || strings.Contains(p.Body, "Restore as new version") {
			t.Errorf("reviewer history: %d, restore offered = %v", p.Status, strings.Contains(p.Body, "Restore as new version"))
		}
		if p := r.post("/products/"+id+"/versions/1/restore", nil); p.Status != http.StatusNotFound {
			t.Errorf("reviewer restore: %d", p.Status)
		}
	})
}

func TestSourceGradingInTheScheme(t *testing.T) {
	a := newTestApp(t)
	b := a.browser(t)
	b.signIn("analyst@hstc")
	id, _ := b.newDraft("IR", "Informant reporting on a Tapachula stash house")
	count := func() int { return a.countRows(t, `SELECT count(*) FROM product_source WHERE product_id = $1`, id) }
	src := func(desc, scheme, s, i, h string) url.Values {
		return url.Values{"description": {desc}, "date": {"2025-11-03"}, "originating_agency": {"HSI Houston"},
			"scheme": {scheme}, "source_grade": {s}, "information_grade": {i}, "handling": {h}}
	}
	with := func(f url.Values, k, v string) url.Values {
		f.Set(k, v)
		return f
	}
	dated := func(f url.Values, date string) url.Values { return with(f, "date", date) }

	tests := []struct {
		name      string
		form      url.Values
		status    int
		want      []string // on the page that comes back
		wantField string   // an error message expected on a refusal
	}{
		{"Admiralty B2 accepted", src("Port authority manifest", "ADMIRALTY", "B", "2", ""), http.StatusOK,
			[]string{"Admiralty B2", "Usually reliable", "Probably true", "Port authority manifest", "Source added"}, ""},
		{"Admiralty G7 refused, typed text kept", src(`Informant <b>"Kestrel"</b> & co`, "ADMIRALTY", "G", "7", ""), http.StatusUnprocessableEntity,
			[]string{"Informant &lt;b&gt;&#34;Kestrel&#34;&lt;/b&gt; &amp; co"}, "Admiralty source grades are A, B, C, D, E, F."},
		{"Europol X4 accepted", src("SIENA message 4471", "EUROPOL", "x", "4", ""), http.StatusOK, []string{"Europol X4", "cannot be assessed"}, ""},
		{"Europol H3 needs its text", src("SIENA message 4472", "EUROPOL", "B", "2", "H3"), http.StatusUnprocessableEntity, nil, "H3 needs the text of the restriction."},
		{"Europol H3 with its text, escaped", with(src("SIENA message 4473", "EUROPOL", "B", "2", "H3"), "handling_text", `<script>alert("h3")</script>`),
			http.StatusOK, []string{"Europol B2 (handling H3: &lt;script&gt;alert(&#34;h3&#34;)&lt;/script&gt;)"}, ""},
		{"UK 3x5x2 source 4 refused", src("Force intelligence report", "UK3X5X2", "4", "A", "P"), http.StatusUnprocessableEntity, nil, "3x5x2 source grades are 1, 2, 3."},
		{"UK 3x5x2 1B P accepted", src("Force intelligence report", "UK3X5X2", "1", "B", "P"), http.StatusOK, []string{"3x5x2 1B (handling P)"}, ""},
		{"5x5x5 needs a handling code", src("Legacy NIM log", "UK5X5X5", "B", "2", ""), http.StatusUnprocessableEntity, nil, "Choose a handling code."},
		{"Admiralty has no handling code", src("Patrol report", "ADMIRALTY", "A", "1", "H0"), http.StatusUnprocessableEntity, nil, "Admiralty has no handling codes."},
		{"unknown scheme refused", src("Tip line", "NATO9", "A", "1", ""), http.StatusUnprocessableEntity, nil, "Choose one of ADMIRALTY"},
		{"description required", src("  ", "ADMIRALTY", "A", "1", ""), http.StatusUnprocessableEntity, nil, "Describe the source"},
		{"future date refused", dated(src("Tomorrow's report", "ADMIRALTY", "A", "1", ""), "2999-01-01"),
			http.StatusUnprocessableEntity, []string{"Tomorrow&#39;s report"}, "cannot be in the future"},
		{"malformed date refused", dated(src("Odd date", "ADMIRALTY", "A", "1", ""), "03/11/2025"),
			http.StatusUnprocessableEntity, nil, "Give the date as year-month-day"},
		{"date optional", dated(src("Undated open source", "ADMIRALTY", "C", "3", ""), ""), http.StatusOK,
			[]string{"Admiralty C3"}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := count()
			p := b.post("/products/"+id+"/sources", tt.form)
			if p.Status != tt.status {
				t.Fatalf("status %d, want %d", p.Status, tt.status)
			}
			if strings.Contains(p.Body, "<script>alert") {
				t.Error("typed HTML reached the page")
			}
			if tt.status == http.StatusOK && (count() != before+1 || !strings.HasSuffix(p.URL.Path, "/products/"+id+"/edit")) {
				t.Errorf("accepted source not stored or no redirect to the editor (%s)", p.URL)
			}
			if tt.status != http.StatusOK && count() != before {
				t.Error("refused source was stored")
			}
			for _, w := range tt.want {
				if !strings.Contains(p.Body, w) {
					t.Errorf("page lacks %q", w)
				}
			}
			if tt.wantField != "" && !strings.Contains(html.UnescapeString(p.Body), tt.wantField) {
				t.Errorf("page lacks the message %q", tt.wantField)
			}
		})
	}

	t.Run("stored as given and deletable", func(t *testing.T) {
		var scheme, sg, ig string
		var sid int64
		err := a.Owner.Pool.QueryRow(context.Background(), `SELECT id, scheme, source_grade, information_grade FROM product_source
			WHERE product_id = $1 AND description = 'SIENA message 4471'`, id).Scan(&sid, &scheme, &sg, &ig)
		if err != nil || scheme != "EUROPOL" || sg != "X" || ig != "4" {
			t.Fatalf("stored grade %s %s%s: %v", scheme, sg, ig, err)
		}
		before := count()
		p := b.post("/products/"+id+"/sources/"+itoa(sid)+"/delete", nil)
		if p.Status != http.StatusOK || count() != before-1 || strings.Contains(p.Body, "SIENA message 4471") {
			t.Errorf("delete: %d, %d sources", p.Status, count())
		}
		if p := b.post("/products/"+id+"/sources/"+itoa(sid)+"/delete", nil); p.Status != http.StatusNotFound {
			t.Errorf("second delete: %d, want 404", p.Status)
		}
	})

	t.Run("others cannot cite or delete", func(t *testing.T) {
		o := a.browser(t)
		o.signIn("analyst2@hstc")
		if p := o.post("/products/"+id+"/sources", src("Planted", "ADMIRALTY", "A", "1", "")); p.Status != http.StatusNotFound {
			t.Errorf("non-author add: %d", p.Status)
		}
	})
}

func TestSourceCoAuthorJoinsTheDraft(t *testing.T) {
	a := newTestApp(t)
	b := a.browser(t)
	b.signIn("analyst@hstc")
	id, ed := b.newDraft("SA", "Smuggling finance outlook 2026")
	if !strings.Contains(ed.Body, `data-testid="authors-panel"`) || !strings.Contains(ed.Body, "Marcus Oyelaran") {
		t.Fatal("authors panel does not offer the other analyst")
	}
	if strings.Contains(ed.Body, `>Elena Sokolova<`) {
		t.Error("a reviewer is offered as co-author")
	}
	o := a.browser(t)
	o.signIn("analyst2@hstc")
	if p := o.get("/products/" + id + "/versions"); p.Status != http.StatusNotFound {
		t.Fatalf("before joining: %d", p.Status)
	}
	// Only active analysts of the agency can be added: a reviewer or another agency's user is refused.
	for _, subject := range []string{"reviewer@hstc", "liaison@ice"} {
		p := b.post("/products/"+id+"/authors", url.Values{"author_id": {itoa(a.userID(t, subject))}})
		if p.Status != http.StatusUnprocessableEntity || !strings.Contains(p.Body, "Choose an active analyst") {
			t.Errorf("adding %s: %d", subject, p.Status)
		}
	}
	if p := b.post("/products/"+id+"/authors", url.Values{"author_id": {"x"}}); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("malformed author: %d", p.Status)
	}
	p := b.post("/products/"+id+"/authors", url.Values{"author_id": {itoa(a.userID(t, "analyst2@hstc"))}})
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "Co-author added") {
		t.Fatalf("add co-author: %d", p.Status)
	}
	if n := a.countRows(t, `SELECT count(*) FROM product_author WHERE product_id = $1`, id); n != 2 {
		t.Errorf("authors = %d", n)
	}
	if p := o.get("/products/" + id + "/versions"); p.Status != http.StatusOK {
		t.Errorf("co-author reads the history: %d", p.Status)
	}
	if p := o.post("/products/"+id+"/sources", url.Values{"description": {"Co-author's source"}, "scheme": {"ADMIRALTY"},
		"source_grade": {"B"}, "information_grade": {"3"}}); p.Status != http.StatusOK {
		t.Errorf("co-author cites a source: %d", p.Status)
	}
}
