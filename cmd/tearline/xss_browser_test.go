package main

import (
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"golang.org/x/net/html"
)

// xssCorpus are the stored-XSS payloads; T stands for the field's tag, so a canary that runs says
// where it came from (window.__xss = "<tag>"). Script tags, attribute and element breakers, event
// handlers, javascript: URLs (plain, in HTML and in Markdown), srcdoc, CSS, template syntax and the
// 0xsobky polyglot.
var xssCorpus = []string{
	`<script>window.__xss='T';alert('T')</script>`,
	`"><svg/onload=window.__xss='T'>`,
	`<img src=x onerror="window.__xss='T'">`,
	`[x](javascript:window.__xss='T') ![y](javascript:alert('T'))`,
	`javascript:window.__xss='T'`,
	`'-alert('T')-'`,
	`</textarea></title><script>window.__xss='T'</script>`,
	`<a href="javascript:window.__xss='T'">a</a>`,
	`<iframe srcdoc="<script>parent.__xss='T'</script>"></iframe>`,
	`<details open ontoggle="window.__xss='T'">`,
	`{{7*7}}${7*7}<%=7*7%>`,
	`<style>*{background:url(//css.invalid/T)}</style>`,
	"jaVasCript:/*-/*`/*\\`/*'/*\"/**/(/* */oNcliCk=alert('T') )//%0D%0A%0d%0a//</stYle/</titLe/</teXtarEa/</scRipt/--!>\\x3csVg/<sVg/oNloAd=window.__xss='T'//>\\x3e",
}

// xssPayload joins as many payloads of the corpus as fit in max characters, tagged with tag.
func xssPayload(tag string, max int) string {
	var b strings.Builder
	for _, p := range xssCorpus {
		p = strings.ReplaceAll(p, "'T'", "'"+tag+"'")
		p = strings.ReplaceAll(p, "/T)", "/"+tag+")")
		if b.Len() > 0 {
			p = " " + p
		}
		if utf8.RuneCountInString(b.String()+p) > max {
			continue
		}
		b.WriteString(p)
	}
	return b.String()
}

// activeContent returns what in an HTML page could run script that the page did not mean to: an
// event-handler attribute, a javascript: URL, a script or style without the response's nonce, a
// script mentioning the canary, an iframe, object or embed.
func activeContent(body string) []string {
	var out []string
	z := html.NewTokenizer(strings.NewReader(body))
	inScript := false
	for {
		tt := z.Next()
		switch tt {
		case html.ErrorToken:
			return out
		case html.TextToken:
			if inScript && strings.Contains(string(z.Text()), "__xss") {
				out = append(out, "script text with the canary")
			}
		case html.StartTagToken, html.SelfClosingTagToken:
			tok := z.Token()
			inScript = tok.Data == "script"
			nonce := false
			for _, at := range tok.Attr {
				k := strings.ToLower(at.Key)
				v := strings.ToLower(strings.Map(func(r rune) rune {
					if r <= ' ' {
						return -1
					}
					return r
				}, at.Val))
				switch {
				case strings.HasPrefix(k, "on"):
					out = append(out, "<"+tok.Data+" "+at.Key+"=…>")
				case (k == "href" || k == "src" || k == "action" || k == "formaction" || k == "xlink:href" || k == "data") && strings.HasPrefix(v, "javascript:"):
					out = append(out, "<"+tok.Data+" "+at.Key+"="+at.Val+">")
				case k == "srcdoc":
					out = append(out, "<"+tok.Data+" srcdoc>")
				case k == "nonce" && at.Val != "":
					nonce = true
				}
			}
			switch tok.Data {
			case "script", "style":
				if !nonce && !(tok.Data == "script" && hasAttr(tok, "src")) {
					out = append(out, "<"+tok.Data+"> without the nonce")
				}
			case "iframe", "object", "embed", "frame", "base":
				out = append(out, "<"+tok.Data+">")
			}
		case html.EndTagToken:
			inScript = false
		}
	}
}

func hasAttr(tok html.Token, key string) bool {
	for _, at := range tok.Attr {
		if at.Key == key {
			return true
		}
	}
	return false
}

// pageText is the decoded text of an HTML page and its form values (what a reader sees, and what the
// payload must become).
func pageText(body string) string {
	var b strings.Builder
	z := html.NewTokenizer(strings.NewReader(body))
	for tt := z.Next(); tt != html.ErrorToken; tt = z.Next() {
		switch tt {
		case html.TextToken:
			b.Write(z.Text())
		case html.StartTagToken, html.SelfClosingTagToken:
			for _, at := range z.Token().Attr {
				if at.Key == "value" {
					b.WriteString(" " + at.Val + " ")
				}
			}
		}
	}
	return b.String()
}

// The stored-XSS canary: the corpus goes into every user-writable field through the real forms, by the
// personas who may write them — agency, user, list, draft title, summary and details, portions of each
// kind, sources, attachment filename, review and return comments, answers, steering comments,
// dissemination justification, feedback, rescind reason, subscriptions — and the search and audit
// pages reflect it from their query. Then every page that shows them is rendered in Chromium by each
// persona that sees them (a crawl from the home page plus the reflecting pages): no dialog may open, the
// canary (window.__xss) must stay undefined and no CSP violation may happen (an injected inline script
// or handler would be refused, and reported). The HTML itself must hold no active content, and the
// plain-text fields must come back as their text, escaped.
func TestXSSCanary(t *testing.T) {
	a := newTestApp(t)
	seedDemoEditions(t, a)
	P := xssPayload
	must := func(what string, p page, want int) page {
		t.Helper()
		if p.Status != want {
			t.Fatalf("%s: status %d, want %d\n%.1500s", what, p.Status, want, pageText(p.Body))
		}
		return p
	}

	admin, dana, marcus, elena, rosa, dos := a.browser(t), a.browser(t), a.browser(t), a.browser(t), a.browser(t), a.browser(t)
	for b, h := range map[*browser]string{admin: "admin@hstc", dana: "analyst@hstc", marcus: "analyst2@hstc", elena: "reviewer@hstc", dos: "steering@dos"} {
		b.signIn(h)
	}
	ice := itoa(a.agencyID(t, "ICE"))

	// Administration: an agency, a user and a distribution list; liaison@ice gets a hostile name.
	must("agency", admin.post("/admin/agencies", url.Values{"code": {"XSS-A"}, "kind": {"member"}, "name": {P("agency", 200)},
		"country": {"USA"}, "federal": {"on"}}), 200)
	must("user", admin.post("/admin/users", url.Values{"display_name": {P("username", 200)}, "agency_id": {ice},
		"issuer": {"https://idp.example/"}, "subject": {P("subject", 255)}, "roles": {"liaison"}}), 200)
	must("rename liaison@ice", admin.editUser(a.userID(t, "liaison@ice"), url.Values{"display_name": {P("display", 200)},
		"email": {"liaison@ice.demo.invalid"}, "agency_id": {ice}, "issuer": {a.URL + "/demo-idp"}, "subject": {"liaison@ice"},
		"roles": {"liaison"}}), 200)
	must("list", admin.post("/admin/lists", url.Values{"name": {P("list", 100)}, "description": {P("listdesc", 500)},
		"members": {ice}}), 200)
	rosa.signIn("liaison@ice")

	// A bulletin written with the corpus everywhere an analyst types.
	id, ed := dana.newDraft("IB", "Canary bulletin")
	ids, revs := portions(ed.Body)
	for i, pid := range ids {
		kind := []string{"heading", "paragraph", "list"}[i%3]
		form := url.Values{"rev": {revs[pid]}, "kind": {kind}, "body": {"- " + P("portion-"+kind, 5000)}, "m_control": {"CUI"}, "m_categories": {"LEI"}}
		must("portion "+pid, dana.savePortion(id, pid, form), 200)
	}
	rev := detailsRevRE.FindStringSubmatch(dana.get("/products/" + id + "/edit").Body)
	if rev == nil {
		t.Fatal("no details revision")
	}
	must("details", dana.post("/products/"+id+"/details", url.Values{"rev": {rev[1]}, "title": {"Canary " + P("title", 290)},
		"summary": {P("summary", 4000)}, "topics": {"organisations"}, "regions": {"MEX"}, "originating_office": {P("office", 200)},
		"controlled_by": {"HSTC"}, "poc": {P("poc", 200)}, "decontrol_event": {P("decontrol", 200)}}), 200)
	must("source", dana.post("/products/"+id+"/sources", url.Values{"description": {P("source", 500)}, "originating_agency": {P("srcagency", 200)},
		"scheme": {"ADMIRALTY"}, "source_grade": {"B"}, "information_grade": {"2"}}), 200)
	must("attachment", dana.upload(id, cuiLEI, uploadFile{quotedName(`"><img src=x onerror=window.__xss='file'>.png`), "image/png", pngBytes()}), 200)

	// Review: a comment on a portion and on the whole, a return with a comment, the author's answer.
	must("submit", dana.act(id, "submit", ""), 200)
	must("portion comment", marcus.post("/products/"+id+"/comments", url.Values{"portion_id": {ids[1]}, "body": {P("comment", 4000)}}), 200)
	must("product comment", marcus.post("/products/"+id+"/comments", url.Values{"body": {P("comment2", 4000)}}), 200)
	marcus.act(id, "return", P("return", 2000)) // back to draft: the peer lands on a page he may no longer see
	if st := a.state(t, id); st != "draft" {
		t.Fatalf("return: the product is %s", st)
	}
	cid := a.commentID(t, `product_id = $1 AND portion_id IS NOT NULL`, id)
	must("answer", dana.post("/products/"+id+"/comments/"+cid+"/answers", url.Values{"body": {P("answer", 4000)}}), 200)
	must("resubmit", dana.act(id, "submit", ""), 200)
	must("peer approve", marcus.act(id, "peer_approve", P("approve", 2000)), 200)
	must("supervise", elena.act(id, "supervise_approve", ""), 200)
	rel := must("release", elena.act(id, "release", ""), 200)
	if !strings.HasPrefix(rel.URL.Path, "/editions/") {
		t.Fatalf("release: at %s", rel.URL)
	}
	edition := rel.URL.Path

	// Dissemination, receipt, feedback; a demo edition ICE holds is rescinded with a hostile reason.
	must("disseminate", elena.post(edition+"/disseminate", url.Values{"agency": {ice}, "justification": {P("justification", 2000)}}), 200)
	must("read", rosa.get(edition), 200)
	must("acknowledge", rosa.post(edition+"/acknowledge", nil), 200)
	must("feedback", rosa.post(edition+"/feedback", url.Values{"relevance": {"4"}, "timeliness": {"4"}, "actionability": {"3"},
		"action": {"case"}, "comment": {P("feedback", 2000)}}), 200)
	held := itoa(int64(a.countRows(t, `SELECT min(l.edition_id) FROM release_ledger l JOIN agency g ON g.id = l.agency_id
		WHERE g.code = 'ICE' AND l.edition_id <> $1 AND NOT EXISTS (SELECT 1 FROM edition_rescission r WHERE r.edition_id = l.edition_id)`,
		strings.TrimPrefix(edition, "/editions/"))))
	must("rescind", elena.post("/editions/"+held+"/rescind", url.Values{"reason": {P("rescind", 1000)}}), 200)

	// Steering: a comment on a section of the demo assessment.
	steering := itoa(int64(a.countRows(t, `SELECT min(s.product_id) FROM steering_assignment s JOIN app_user u ON u.id = s.user_id
		JOIN product p ON p.id = s.product_id WHERE u.subject = 'steering@dos' AND p.state = 'steering_review'`)))
	sp := must("steering page", dos.get("/steering/"+steering), 200)
	sec := regexp.MustCompile(`name="section" value="([^"]+)"`).FindStringSubmatch(sp.Body)
	if sec == nil {
		t.Fatal("the steering page offers no section to comment on")
	}
	must("steering comment", dos.post("/steering/"+steering+"/comments", url.Values{"section": {sec[1]}, "body": {P("steering", 4000)}}), 200)

	// Subscriptions store a search; search and audit reflect their query.
	must("subscription", rosa.post("/subscriptions", url.Values{"kind": {"search"}, "value": {P("subscription", 200)}}), 200)
	search := "/search?" + url.Values{"q": {P("search", 300)}}.Encode()
	auditQ := "/audit?" + url.Values{"user": {P("audituser", 200)}, "agency": {P("auditagency", 100)}, "object_type": {P("audittype", 100)},
		"object_id": {P("auditid", 100)}, "action": {P("auditaction", 100)}}.Encode()
	inboxQ := "/inbox?" + url.Values{"topic": {P("topic", 100)}, "region": {P("region", 100)}}.Encode()
	if n := a.countRows(t, `SELECT count(*) FROM product WHERE title LIKE 'Canary <script>%'`); n != 1 {
		t.Fatalf("the canary title was not stored (%d)", n)
	}

	// The HTML: no active content anywhere; plain-text fields come back as their text.
	pages := []struct {
		b    *browser
		path string
		want []string // tags whose payload must appear as text
	}{
		{admin, "/admin/agencies", []string{"agency"}},
		{admin, "/admin/users?agency=" + ice, []string{"username", "subject", "display"}},
		{admin, "/admin/lists", []string{"list"}},
		{admin, auditQ, []string{"audituser"}},
		{dana, "/products", []string{"title"}},
		{dana, "/products/" + id, []string{"title", "summary", "source", "comment", "answer", "return"}},
		{dana, "/products/" + id + "/versions", nil},
		{elena, edition, []string{"title", "summary"}},
		{elena, edition + "/access", []string{"display"}},
		{elena, edition + "/disseminate", nil},
		{rosa, edition, []string{"title", "display"}},
		{rosa, "/inbox", []string{"title", "rescind"}},
		{rosa, inboxQ, nil},
		{rosa, "/editions/" + held, []string{"rescind"}},
		{rosa, "/notifications", []string{"subscription"}},
		{rosa, search, []string{"search"}},
		{dos, "/steering/" + steering, []string{"steering"}},
	}
	for _, pg := range pages {
		p := pg.b.get(pg.path)
		if p.Status >= 500 {
			t.Errorf("%s: %d", pg.path, p.Status)
		}
		if bad := activeContent(p.Body); len(bad) > 0 {
			t.Errorf("%s holds active content: %q", pg.path, bad)
		}
		text := pageText(p.Body)
		for _, tag := range pg.want {
			if want := "<script>window.__xss='" + tag + "'"; !strings.Contains(text, want) && !strings.Contains(text, `"><svg/onload=window.__xss='`+tag+`'>`) {
				t.Errorf("%s does not show the %s payload as text", pg.path, tag)
			}
		}
	}

	// Chromium: each persona crawls what it can reach, plus the pages that reflect the query.
	browser := newChromium(t)
	before := cspReports(t, a)
	for _, c := range []struct {
		hint  string
		seeds []string
	}{
		{"analyst@hstc", []string{"/products/" + id, "/products/" + id + "/versions"}},
		{"analyst2@hstc", nil},
		{"reviewer@hstc", []string{edition, edition + "/disseminate", edition + "/access"}},
		{"admin@hstc", []string{auditQ, "/admin/lists", "/admin/users?agency=" + ice}},
		{"liaison@ice", []string{edition, search, inboxQ, "/notifications", "/editions/" + held}},
		{"steering@dos", []string{"/steering/" + steering}},
		{"admin@ice", nil},
	} {
		t.Run(c.hint, func(t *testing.T) {
			crawl(t, browser, a, c.hint, 25, c.seeds...)
		})
	}
	if n := waitCSPReports(t, a, before+1, 500*time.Millisecond) - before; n != 0 {
		t.Errorf("rendering the payloads produced %d CSP violation reports:\n%s", n, grepLines(a.Logs.String(), `"csp violation"`))
	}
}
