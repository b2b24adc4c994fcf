package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"golang.org/x/net/html"
)

// baseliner gives sqlmap runs a plain request the portal accepts (2xx/3xx), so that the injected
// values are judged against a page the handler produced after reading them, not against a refusal
// (docs/security.md, "Accepted plain requests"):
//   - Forms with an optimistic lock (a draft's details and portions carry rev, the user form its
//     updated time) get an object of their own per run and sqlmap's --csrf-token, which reads the
//     lock's current value from the edit page before every request (with --csrf-method=GET, and
//     without --method POST, which sqlmap applies to every request to the host, the token page's
//     too). The lock field itself gets a run of its own without that (sqlmap would overwrite its
//     payloads with the fresh value).
//   - Adding a portion or a source, and updating an agency or a list, get an object of their own.
//   - Create forms with a unique field get a unique sample per run and, when that field is not the
//     one injected, sqlmap's --eval draws a new value for every request, so each one can be stored.
//   - Forms whose crawled sample values fail validation get valid ones (agencies, users, sources).
//   - One-shot actions (a transition, a release to an agency, completing a sign-in request) get a
//     fresh object per run: their first request is accepted, and later ones are refused once it is
//     used up, as in production.
type baseliner struct {
	p         *portal
	sessions  map[string]*session
	targets   map[string]*target // crawled shapes; POST /products makes the drafts
	routes    []route
	db        *pgx.Conn
	inUse     map[string]bool // product ids some planned request uses: never moved on
	n         int
	nextID    int                 // next seeded product to try for a transition
	unheld    map[string][]string // edition path → allowed recipients not yet handed to a run
	rescinded map[string]bool     // editions a rescind run withdraws ("/editions/8")
}

func newBaseliner(ctx context.Context, p *portal, sessions map[string]*session, targets map[string]*target, routes []route, plan []*target) (*baseliner, error) {
	db, err := pgx.Connect(ctx, p.dbURL)
	if err != nil {
		return nil, err
	}
	b := &baseliner{p: p, sessions: sessions, targets: targets, routes: routes, db: db, inUse: map[string]bool{},
		nextID: 1, unheld: map[string][]string{}, rescinded: map[string]bool{}}
	for _, t := range plan {
		if t.key() == "POST /editions/{id}/rescind" {
			b.rescinded[strings.TrimSuffix(t.URL.Path, "/rescind")] = true
		}
		if rest, ok := strings.CutPrefix(t.URL.Path, "/products/"); ok {
			id, _, _ := strings.Cut(rest, "/")
			b.inUse[id] = true
		}
	}
	return b, nil
}

func (b *baseliner) Close() { _ = b.db.Close(context.Background()) }

// lockField names the optimistic-lock field of a route's form ("" for none).
func lockField(key string) string {
	switch key {
	case "POST /products/{id}/details", "POST /products/{id}/portions/{pid}":
		return "rev"
	case "POST /admin/users/{id}":
		return "updated"
	}
	return ""
}

// prepare returns the request shape one run should use for the points names, and the sqlmap
// options it needs; note says what was done, for --list and the report.
func (b *baseliner) prepare(t *target, names []string) (nt *target, args []string, note string, err error) {
	b.n++
	n := b.n
	s := b.sessions[t.Persona]
	injects := func(name string) bool { return slices.Contains(names, name) }
	nt = t
	switch key := t.key(); key {
	case "POST /products/{id}/details", "POST /products/{id}/portions", "POST /products/{id}/portions/{pid}",
		"POST /products/{id}/sources":
		id, err := b.newDraft(s, n)
		if err != nil {
			return t, nil, "", err
		}
		edit := "/products/" + id + "/edit"
		fresh, err := b.form(s, edit, key)
		if err != nil {
			return t, nil, "", err
		}
		nt = withValues(t, fresh)
		if key == "POST /products/{id}/sources" {
			// Europol with handling code H3 is the one grading that keeps a restriction text, so every
			// field of the form carries a value the handler stores
			nt = withSamples(nt, map[string]string{"scheme": "EUROPOL", "source_grade": "B", "information_grade": "2",
				"handling": "H3", "handling_text": "Not for onward release", "date": "2026-01-15", "description": "Scanner source"})
		}
		note = "own draft " + id
		if lock := lockField(key); lock != "" && !injects(lock) {
			token := lock
			if key == "POST /products/{id}/portions/{pid}" {
				// the edit page has a rev input per form: the details' first, then one per portion
				// (id="rev-<pid>"); sqlmap takes the first input whose name matches, so the pattern
				// names this portion's by what precedes it, and also matches "rev=" in the body
				pid := nt.URL.Path[strings.LastIndex(nt.URL.Path, "/")+1:]
				token = `rev(?<=id="rev-` + pid + `" name="rev)|(?<![\w])rev(?==)`
			}
			args = append(args, "--csrf-token="+token, "--csrf-url="+b.p.base.String()+edit, "--csrf-method=GET")
			note += ", rev read from its edit page before each request"
		}
	case "POST /products/{id}/transitions":
		action := valueOf(t, "action")
		id, err := b.productFor(s, action)
		if err != nil {
			return t, nil, "", err
		}
		nt = copyTarget(t)
		nt.URL = urlPath("/products/" + id + "/transitions")
		note = "own product " + id + " (a transition happens once: later requests find it done)"
	case "POST /admin/agencies":
		nt = withSamples(t, agencySample("SCANC"+strconv.Itoa(n), n))
		if !injects("code") {
			args = append(args, `--eval=import random; code="SCAN-%08d" % random.randrange(10**8)`)
			note = "a new code for every request"
		}
	case "POST /admin/agencies/{id}":
		code := "SCANU" + strconv.Itoa(n)
		sample := agencySample(code, n)
		if err := b.post(b.sessions[t.Persona], "/admin/agencies", formOf(sample)); err != nil {
			return t, nil, "", err
		}
		id, err := b.lookup("SELECT id FROM agency WHERE code = $1", code)
		if err != nil {
			return t, nil, "", err
		}
		nt = withSamples(t, sample)
		nt.URL = urlPath("/admin/agencies/" + id)
		note = "own agency " + code
	case "POST /admin/users":
		nt = withSamples(t, b.userSample(t, "scanner-create-"+strconv.Itoa(n), n))
		if !injects("subject") {
			args = append(args, `--eval=import random; subject="scanner-%012d" % random.randrange(10**12)`)
			note = "a new subject for every request"
		}
	case "POST /admin/users/{id}":
		subject := "scanner-update-" + strconv.Itoa(n)
		ct, ok := b.targets["POST /admin/users"]
		if !ok {
			return t, nil, "", fmt.Errorf("no new-user form was crawled")
		}
		if err := b.post(s, "/admin/users", valuesOf(withSamples(ct, b.userSample(ct, subject, n)))); err != nil {
			return t, nil, "", err
		}
		id, err := b.lookup("SELECT id FROM app_user WHERE subject = $1", subject)
		if err != nil {
			return t, nil, "", err
		}
		edit := "/admin/users/" + id + "/edit"
		fresh, err := b.form(s, edit, t.key())
		if err != nil {
			return t, nil, "", err
		}
		nt = withValues(t, fresh)
		note = "own user " + subject
		if !injects("updated") {
			args = append(args, "--csrf-token=updated", "--csrf-url="+b.p.base.String()+edit, "--csrf-method=GET")
			note += ", updated read from its edit page before each request"
		}
	case "POST /admin/lists":
		nt = withSamples(t, map[string]string{"name": "scanner-list-c" + strconv.Itoa(n), "description": "Made by the security scan"})
		if !injects("name") {
			args = append(args, `--eval=import random; name="scanner-list-%012d" % random.randrange(10**12)`)
			note = "a new name for every request"
		}
	case "POST /admin/lists/{id}":
		name := "scanner-list-u" + strconv.Itoa(n)
		form := url.Values{"name": {name}, "description": {"Made by the security scan"}, "members": {valueOf(t, "members")}}
		if err := b.post(s, "/admin/lists", form); err != nil {
			return t, nil, "", err
		}
		id, err := b.lookup("SELECT id FROM distribution_list WHERE name = $1", name)
		if err != nil {
			return t, nil, "", err
		}
		fresh, err := b.form(s, "/admin/lists/"+id+"/edit", t.key())
		if err != nil {
			return t, nil, "", err
		}
		nt = withValues(t, fresh)
		note = "own list " + name
	case "POST /editions/{id}/disseminate":
		path, agency, err := b.release(s, t.URL.Path)
		if err != nil {
			return t, nil, "", err
		}
		// list 0 names no list: the handler reads it and finds nothing to add
		nt = withSamples(t, map[string]string{"agency": agency, "list": "0",
			"justification": "Need to know: joint investigation (security scan)"})
		nt.URL = urlPath(path)
		note = "its own recipient agency " + agency + " of " + strings.TrimSuffix(path, "/disseminate") +
			" (a release to an agency happens once)"
	case "GET /demo-idp/login", "POST /demo-idp/login":
		id, err := b.authRequest()
		if err != nil {
			return t, nil, "", err
		}
		nt = withSamples(t, map[string]string{"authRequestID": id})
		note = "its own pending sign-in request"
	}
	return nt, args, note, nil
}

func agencySample(code string, n int) map[string]string {
	return map[string]string{"code": code, "name": "Scanner agency " + strconv.Itoa(n), "kind": "member", "country": "USA",
		"federal": "on", "state_local": "off", "foreign": "off", "intl_org": "off"}
}

// userSample is a valid new user of the administrator's own agency (the form's preselected one),
// with a role that agency's kind allows.
func (b *baseliner) userSample(t *target, subject string, n int) map[string]string {
	m := map[string]string{"display_name": "Scanner user " + strconv.Itoa(n), "email": "scanner" + strconv.Itoa(n) + "@example.org",
		"subject": subject}
	if iss := valueOf(t, "issuer"); !strings.HasPrefix(iss, "http") {
		m["issuer"] = "https://idp.example.org"
	}
	// auditor: a role that puts the hundreds of users the create runs make on no page the other
	// runs load (analysts would all become author candidates on every edit page)
	if kind, err := b.lookup("SELECT kind FROM agency WHERE id::text = $1", valueOf(t, "agency_id")); err == nil {
		m["roles"] = map[string]string{"center": "auditor", "member": "liaison", "partner": "liaison"}[kind]
	}
	return m
}

func (b *baseliner) lookup(query, arg string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var v any
	if err := b.db.QueryRow(ctx, query, arg).Scan(&v); err != nil {
		return "", fmt.Errorf("%s [%s]: %w", query, arg, err)
	}
	return fmt.Sprint(v), nil
}

// newDraft creates a draft with the new-product form's crawled values and returns its id.
func (b *baseliner) newDraft(s *session, n int) (string, error) {
	t, ok := b.targets["POST /products"]
	if !ok {
		return "", fmt.Errorf("no new-product form was crawled")
	}
	form := url.Values{}
	for _, f := range t.Fields {
		form.Add(f.Name, f.Value)
	}
	form.Set("title", "Security scan draft "+strconv.Itoa(n))
	resp, err := b.send(s, "/products", form)
	if err != nil {
		return "", err
	}
	rest, ok := strings.CutPrefix(resp.Request.URL.Path, "/products/")
	id, _, _ := strings.Cut(rest, "/")
	if !ok || resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("new draft: %d at %s", resp.StatusCode, resp.Request.URL.Path)
	}
	b.inUse[id] = true
	return id, nil
}

// productFor returns a seeded draft of the persona's, moved to where action applies: in review for
// withdraw, back in draft otherwise. Drafts other requests use are left alone, and some seeded
// drafts carry deliberate marking problems that keep them from review.
func (b *baseliner) productFor(s *session, action string) (string, error) {
	for ; b.nextID <= 60; b.nextID++ {
		id := strconv.Itoa(b.nextID)
		if b.inUse[id] {
			continue
		}
		path := "/products/" + id + "/transitions"
		if b.post(s, path, url.Values{"action": {"submit"}, "comment": {"For the security scan"}}) != nil {
			continue
		}
		b.inUse[id] = true
		if action != "withdraw" {
			if err := b.post(s, path, url.Values{"action": {"withdraw"}, "comment": {"For the security scan"}}); err != nil {
				return "", err
			}
		}
		b.nextID++
		return id, nil
	}
	return "", fmt.Errorf("no seeded draft of %s can be submitted", s.persona)
}

// release picks, for one run, an edition the persona may release that no rescind run withdraws
// (the crawled one first) and an agency it may still go to.
func (b *baseliner) release(s *session, crawled string) (path, agency string, err error) {
	candidates := []string{crawled}
	for id := 1; id <= 30; id++ {
		candidates = append(candidates, "/editions/"+strconv.Itoa(id)+"/disseminate")
	}
	for _, path := range candidates {
		if b.rescinded[strings.TrimSuffix(path, "/disseminate")] {
			continue
		}
		if agency, err := b.recipient(s, path); err == nil {
			return path, agency, nil
		}
	}
	return "", "", fmt.Errorf("no edition left that %s may release to another agency", s.persona)
}

// recipient hands out, one per run, the agencies the edition may still be released to.
func (b *baseliner) recipient(s *session, path string) (string, error) {
	if _, ok := b.unheld[path]; !ok {
		b.unheld[path] = nil
		body, _, err := b.get(s, path)
		if err != nil {
			return "", err
		}
		doc, err := html.Parse(strings.NewReader(body))
		if err != nil {
			return "", err
		}
		var ids []string
		var walk func(n *html.Node)
		walk = func(n *html.Node) {
			if n.Type == html.ElementNode && n.Data == "input" && attr(n, "name") == "agency" {
				if _, disabled := attrOK(n, "disabled"); !disabled {
					ids = append(ids, attr(n, "value"))
				}
			}
			for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
				walk(ch)
			}
		}
		walk(doc)
		b.unheld[path] = ids
	}
	ids := b.unheld[path]
	if len(ids) == 0 {
		return "", fmt.Errorf("%s: no agency left that may receive the edition", path)
	}
	b.unheld[path] = ids[1:]
	return ids[0], nil
}

// authRequest starts a sign-in at the demo provider without a login hint, which leaves a pending
// request at the persona picker, and returns its id.
func (b *baseliner) authRequest() (string, error) {
	jar, err := cookiejar.New(nil)
	if err != nil {
		return "", err
	}
	resp, err := b.p.client(jar).Get(b.p.base.String() + "/auth/login")
	if err != nil {
		return "", err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	id := resp.Request.URL.Query().Get("authRequestID")
	if resp.StatusCode != http.StatusOK || id == "" {
		return "", fmt.Errorf("sign-in request: %d at %s", resp.StatusCode, resp.Request.URL.Path)
	}
	return id, nil
}

// form reads the page and returns the request shape of its form for key (the first one).
func (b *baseliner) form(s *session, path, key string) (*target, error) {
	body, final, err := b.get(s, path)
	if err != nil {
		return nil, err
	}
	c := &crawler{s: s, base: b.p.base, routes: b.routes, skip: skipCrawl, targets: map[string]*target{}}
	c.parse(final, []byte(body))
	t, ok := c.targets[key]
	if !ok {
		return nil, fmt.Errorf("%s shows no form for %s", path, key)
	}
	return t, nil
}

func (b *baseliner) get(s *session, path string) (string, *url.URL, error) {
	resp, err := s.client.Get(b.p.base.String() + path)
	if err != nil {
		return "", nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err == nil && resp.StatusCode != http.StatusOK {
		err = fmt.Errorf("GET %s as %s: %d", path, s.persona, resp.StatusCode)
	}
	return string(body), resp.Request.URL, err
}

// send posts a form as the persona, following the redirect; the caller reads where it ended.
func (b *baseliner) send(s *session, path string, form url.Values) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodPost, b.p.base.String()+path, strings.NewReader(form.Encode()))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, err
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	return resp, nil
}

func (b *baseliner) post(s *session, path string, form url.Values) error {
	resp, err := b.send(s, path, form)
	if err != nil {
		return err
	}
	if resp.StatusCode >= 400 {
		return fmt.Errorf("POST %s as %s: %d", path, s.persona, resp.StatusCode)
	}
	return nil
}

func copyTarget(t *target) *target {
	nt := *t
	nt.Fields = slices.Clone(t.Fields)
	u := *t.URL
	nt.URL = &u
	return &nt
}

// withValues is t at fresh's URL, with fresh's value for every field both have.
func withValues(t, fresh *target) *target {
	nt := copyTarget(t)
	u := *fresh.URL
	nt.URL = &u
	for i, f := range nt.Fields {
		if j := slices.IndexFunc(fresh.Fields, func(g field) bool { return g.Name == f.Name }); j >= 0 {
			nt.Fields[i].Value = fresh.Fields[j].Value
		}
	}
	return nt
}

// withSamples is t with the given values for the fields it has.
func withSamples(t *target, values map[string]string) *target {
	nt := copyTarget(t)
	for i, f := range nt.Fields {
		if v, ok := values[f.Name]; ok {
			nt.Fields[i].Value = v
		}
	}
	return nt
}

func valueOf(t *target, name string) string {
	for _, f := range t.Fields {
		if f.Name == name {
			return f.Value
		}
	}
	return ""
}

func valuesOf(t *target) url.Values {
	v := url.Values{}
	for _, f := range t.Fields {
		v.Add(f.Name, f.Value)
	}
	return v
}

func formOf(m map[string]string) url.Values {
	v := url.Values{}
	for k, x := range m {
		v.Set(k, x)
	}
	return v
}
