package main

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/net/html"
)

// route is one line of `tearline routes`.
type route struct {
	Method, Pattern, Access string
	re                      *regexp.Regexp
}

// parseRoutes reads the route table `tearline routes` prints.
func parseRoutes(out []byte) ([]route, error) {
	var rs []route
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 3 || f[0] == "METHOD" {
			continue
		}
		r := route{Method: f[0], Pattern: f[1], Access: strings.Join(f[2:], " ")}
		r.re = patternRE(r.Pattern)
		rs = append(rs, r)
	}
	if len(rs) == 0 {
		return nil, fmt.Errorf("route table is empty")
	}
	return rs, sc.Err()
}

// patternRE turns a chi pattern into a regexp over request paths.
func patternRE(p string) *regexp.Regexp {
	var b strings.Builder
	b.WriteString("^")
	for i := 0; i < len(p); i++ {
		switch c := p[i]; c {
		case '{':
			j := strings.IndexByte(p[i:], '}')
			b.WriteString("([^/]+)")
			i += j
		case '*':
			b.WriteString("(.*)")
		default:
			b.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// match finds the route a request would take (static segments win over variables, as in chi).
func match(routes []route, method, path string) (*route, [][]int) {
	var best *route
	var bestVars [][]int
	for i := range routes {
		r := &routes[i]
		if r.Method != method {
			continue
		}
		m := r.re.FindStringSubmatchIndex(path)
		if m == nil {
			continue
		}
		var vars [][]int
		for k := 2; k+1 < len(m); k += 2 {
			vars = append(vars, []int{m[k], m[k+1]})
		}
		if best == nil || len(vars) < len(bestVars) {
			best, bestVars = r, vars
		}
	}
	return best, bestVars
}

// field is one form or query parameter with the value a person would send, and the kind of control
// it comes from, which sets how hard sqlmap tries it (sqlmap.go, pointLevel): "text" for free text
// (text, search and email inputs, textareas), "choice" for selects, radios and checkboxes, "hidden",
// "number", "date", and "" for a query parameter only a link showed (treated as free text).
type field struct{ Name, Value, Kind string }

// target is a request shape found on the portal: a route, a concrete URL and its parameters.
type target struct {
	Route     *route
	Persona   string
	Method    string
	URL       *url.URL // path with concrete ids; query parameters of GETs are in Fields
	Fields    []field
	Multipart bool
	FileField string // a file input of a multipart form
}

func (t *target) key() string { return t.Route.Method + " " + t.Route.Pattern }

// addFields merges parameters, keeping the first value of each name.
func (t *target) addFields(fs []field) {
	for _, f := range fs {
		i := slices.IndexFunc(t.Fields, func(g field) bool { return g.Name == f.Name })
		switch {
		case i < 0:
			t.Fields = append(t.Fields, f)
		case t.Fields[i].Kind == "":
			t.Fields[i].Kind = f.Kind // a link showed it first; the form or the handler list knows its kind
		}
	}
}

// crawler walks the HTML pages one persona can reach and records every form and query it finds.
type crawler struct {
	s        *session
	base     *url.URL
	routes   []route
	skip     func(path string) bool
	maxPages int
	perRoute int
	targets  map[string]*target
	seen     map[string]bool
	visits   map[string]int
}

func (c *crawler) run() error {
	queue := []string{"/"}
	pages := 0
	for len(queue) > 0 && pages < c.maxPages {
		u := queue[0]
		queue = queue[1:]
		if c.seen[u] {
			continue
		}
		c.seen[u] = true
		ref, err := url.Parse(u)
		if err != nil {
			continue
		}
		r, _ := match(c.routes, http.MethodGet, ref.Path)
		if r == nil || c.skip(ref.Path) {
			continue
		}
		if c.visits[r.Pattern] >= c.perRoute {
			continue
		}
		c.record(http.MethodGet, ref, queryFields(ref.Query()), false, "")
		resp, err := c.s.client.Get(c.base.ResolveReference(ref).String())
		if err != nil {
			return fmt.Errorf("crawl %s as %s: %w", u, c.s.persona, err)
		}
		body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
		_ = resp.Body.Close()
		if err != nil {
			return err
		}
		pages++
		before := c.found()
		if mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type")); mt == "text/html" {
			queue = append(queue, c.parse(resp.Request.URL, body)...)
		}
		if c.found() == before {
			// only pages that show nothing new count against the route's quota: one draft in review
			// shows the comment forms that ten drafts in preparation do not
			c.visits[r.Pattern]++
		}
	}
	return nil
}

// found counts the request shapes and parameters recorded so far.
func (c *crawler) found() int {
	n := 0
	for _, t := range c.targets {
		n += 1 + len(t.Fields)
	}
	return n
}

func queryFields(q url.Values) []field {
	var fs []field
	for k, vs := range q {
		fs = append(fs, field{k, vs[0], ""})
	}
	slices.SortFunc(fs, func(a, b field) int { return strings.Compare(a.Name, b.Name) })
	return fs
}

// record keeps the request shape under its route, for the first persona that reached it.
func (c *crawler) record(method string, u *url.URL, fs []field, multipart bool, file string) {
	if c.skip(u.Path) {
		return
	}
	r, _ := match(c.routes, method, u.Path)
	if r == nil {
		return
	}
	k := r.Method + " " + r.Pattern
	t, ok := c.targets[k]
	if !ok || t.Persona != c.s.persona && len(fs) > len(t.Fields) {
		// the first persona to reach a route scans it, unless a later one sees more of its parameters
		t = &target{Route: r, Persona: c.s.persona, Method: method, URL: &url.URL{Path: u.Path}, Multipart: multipart, FileField: file}
		c.targets[k] = t
	}
	if t.Persona == c.s.persona {
		t.addFields(fs)
	}
}

// parse records the page's forms and returns its same-site links.
func (c *crawler) parse(page *url.URL, body []byte) []string {
	doc, err := html.Parse(bytes.NewReader(body))
	if err != nil {
		return nil
	}
	var links []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "a":
				if u := c.local(page, attr(n, "href")); u != nil {
					links = append(links, u.RequestURI())
				}
			case "form":
				c.form(page, n)
				return
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(doc)
	return links
}

// local resolves a link and keeps it only when it stays on the portal.
func (c *crawler) local(page *url.URL, href string) *url.URL {
	if href == "" || strings.HasPrefix(href, "#") {
		return nil
	}
	ref, err := url.Parse(href)
	if err != nil {
		return nil
	}
	u := page.ResolveReference(ref)
	if u.Host != c.base.Host || u.Scheme != c.base.Scheme {
		return nil
	}
	u.Fragment = ""
	return u
}

func (c *crawler) form(page *url.URL, n *html.Node) {
	action := attr(n, "action")
	if action == "" {
		action = page.RequestURI()
	}
	u := c.local(page, action)
	if u == nil {
		return
	}
	method := strings.ToUpper(attr(n, "method"))
	if method == "" {
		method = http.MethodGet
	}
	multipart := strings.EqualFold(attr(n, "enctype"), "multipart/form-data")
	fs, file := formFields(n)
	if method == http.MethodGet {
		fs = append(queryFields(u.Query()), fs...)
	}
	c.record(method, u, fs, multipart, file)
}

// formFields lists the successful controls of a form with realistic values: the checked radio or
// the first one, every checkbox checked, the selected option or the first, and a plausible value
// for empty text controls (sqlmap needs a value to build payloads on).
func formFields(form *html.Node) ([]field, string) {
	var fs []field
	var file string
	radios := map[string]bool{}
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			name := attr(n, "name")
			switch n.Data {
			case "input":
				typ := strings.ToLower(attr(n, "type"))
				switch {
				case name == "":
				case typ == "file":
					file = name
				case typ == "submit" || typ == "image" || typ == "reset" || typ == "button":
				case typ == "radio":
					if !radios[name] {
						radios[name] = true
						fs = append(fs, field{name, orDefault(attr(n, "value"), "on"), "choice"})
					}
				case typ == "checkbox":
					fs = append(fs, field{name, orDefault(attr(n, "value"), "on"), "choice"})
				default:
					fs = append(fs, field{name, orDefault(attr(n, "value"), sample(typ, name)), inputKind(typ)})
				}
			case "textarea":
				if name != "" {
					fs = append(fs, field{name, orDefault(strings.TrimSpace(text(n)), "Scanner text"), "text"})
				}
			case "select":
				if name != "" {
					fs = append(fs, field{name, selected(n), "choice"})
				}
				return
			case "button":
				if name != "" && !slices.ContainsFunc(fs, func(f field) bool { return f.Name == name }) {
					fs = append(fs, field{name, attr(n, "value"), "choice"})
				}
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(form)
	return fs, file
}

// inputKind names the kind of an <input> type: hidden, number and date controls carry values the
// page set or the browser constrains; every other type (text, search, email, url, tel, none) is free text.
func inputKind(typ string) string {
	switch typ {
	case "hidden", "number", "date":
		return typ
	}
	return "text"
}

func sample(typ, name string) string {
	switch {
	case typ == "date" || strings.HasSuffix(name, "from") || strings.HasSuffix(name, "to"):
		return "2026-01-15"
	case typ == "number":
		return "1"
	case typ == "email":
		return "scanner@example.org"
	}
	return "test"
}

func orDefault(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func selected(sel *html.Node) string {
	var first, chosen string
	var found, have bool
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode && n.Data == "option" {
			v, ok := attrOK(n, "value")
			if !ok {
				v = strings.TrimSpace(text(n))
			}
			if !have && v != "" {
				first, have = v, true
			}
			if _, sel := attrOK(n, "selected"); sel && !found && v != "" {
				chosen, found = v, true
			}
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(sel)
	if found {
		return chosen
	}
	return orDefault(first, "test")
}

func attr(n *html.Node, key string) string {
	v, _ := attrOK(n, key)
	return v
}

func attrOK(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func text(n *html.Node) string {
	var b strings.Builder
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.TextNode {
			b.WriteString(n.Data)
		}
		for ch := n.FirstChild; ch != nil; ch = ch.NextSibling {
			walk(ch)
		}
	}
	walk(n)
	return b.String()
}

func urlPath(p string) *url.URL { return &url.URL{Path: p} }
