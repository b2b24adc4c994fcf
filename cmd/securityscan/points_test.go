package main

import (
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestPathVariablesAreParsed keeps planPoints' reason for injecting each path variable on one route
// only: every chi.URLParam in internal/web is read through idParam's strconv.ParseInt, {n}'s
// strconv.Atoi or, for {provider}, the sign-in service's provider lookup (a single route). A new raw
// use fails here: parse it with idParam, or scan that route's variable (planPoints).
func TestPathVariablesAreParsed(t *testing.T) {
	files, err := filepath.Glob("../../internal/web/*.go")
	if err != nil || len(files) == 0 {
		t.Fatalf("no internal/web sources: %v", err)
	}
	allowed := []*regexp.Regexp{
		regexp.MustCompile(`strconv\.ParseInt\(chi\.URLParam\(r, name\), 10, 64\)`), // idParam
		regexp.MustCompile(`strconv\.Atoi\(chi\.URLParam\(r, "n"\)\)`),
		regexp.MustCompile(`chi\.URLParam\(r, "provider"\)`),
	}
	uses := 0
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		src, err := os.ReadFile(f) // #nosec G304 -- the repository's own sources
		if err != nil {
			t.Fatal(err)
		}
		for i, line := range strings.Split(string(src), "\n") {
			if !strings.Contains(line, "chi.URLParam(") {
				continue
			}
			uses++
			ok := false
			for _, re := range allowed {
				ok = ok || re.MatchString(line)
			}
			if !ok {
				t.Errorf("%s:%d reads a path variable without idParam: %s", f, i+1, strings.TrimSpace(line))
			}
		}
	}
	if uses == 0 {
		t.Fatal("found no chi.URLParam at all: has the router changed? revisit planPoints")
	}
}

func TestPlanPointsCoversEveryPointWithAnInjectedOne(t *testing.T) {
	mk := func(method, pattern, path string, fs ...field) *target {
		r := route{Method: method, Pattern: pattern, re: patternRE(pattern)}
		return &target{Route: &r, Method: method, URL: &url.URL{Path: path}, Fields: fs}
	}
	plan := []*target{
		mk("POST", "/products/{id}/portions/{pid}", "/products/1/portions/2",
			field{"body", "x", "text"}, field{"m_control", "CUI", "choice"}, field{"m_tlp", "", "choice"},
			field{"m_rel_to", "USA", "text"}, field{"m_dl_list", "", "text"}, field{"m_noforn", "on", "choice"},
			field{"m_categories", "PRVCY", "choice"}),
		mk("POST", "/products/{id}/attachments", "/products/1/attachments", field{"att_control", "U", "choice"}, field{"att_dl_only", "on", "choice"}),
		mk("GET", "/audit", "/audit", field{"user", "a", "text"}, field{"page", "1", "number"}),
		mk("GET", "/audit.csv", "/audit.csv", field{"user", "a", "text"}),
		mk("POST", "/products/{id}/comments/{cid}/resolve", "/products/1/comments/3/resolve", field{"from", "edit", "hidden"}),
	}
	points := planPoints(plan)
	injected := map[string]bool{}
	for _, tg := range plan {
		for _, g := range groupPoints(points[tg]) {
			for _, n := range g.names {
				injected[tg.key()+" "+n] = true
			}
		}
	}
	want := []string{
		"POST /products/{id}/portions/{pid} path#1", "POST /products/{id}/portions/{pid} path#2",
		"POST /products/{id}/portions/{pid} body", "POST /products/{id}/portions/{pid} m_control",
		"POST /products/{id}/portions/{pid} m_rel_to", "POST /products/{id}/portions/{pid} m_noforn",
		"POST /products/{id}/portions/{pid} m_categories", "GET /audit user", "GET /audit page",
		"POST /products/{id}/comments/{cid}/resolve path#2", "POST /products/{id}/comments/{cid}/resolve from",
	}
	for _, w := range want {
		if !injected[w] {
			t.Errorf("%s is not injected", w)
		}
	}
	if len(injected) != len(want) {
		t.Errorf("injected %d points, want %d: %v", len(injected), len(want), injected)
	}
	for _, tg := range plan {
		for _, p := range points[tg] {
			if p.Covered == "" {
				continue
			}
			// the covering point is named in the reason and is itself injected
			found := false
			for k := range injected {
				route, name, _ := strings.Cut(k, " ")
				_, name, _ = strings.Cut(name, " ")
				if strings.Contains(p.Covered, route) && (strings.Contains(p.Covered, name) || p.Var != "") {
					found = true
				}
			}
			if !found {
				t.Errorf("%s %s is covered by %q, which no job injects", tg.key(), p.Name, p.Covered)
			}
		}
	}
	if got := profileOf("text"); got.Name != deep.Name {
		t.Errorf("free text gets %s", got.Name)
	}
	if got := profileOf(""); got.Name != deep.Name {
		t.Errorf("a parameter of unknown kind gets %s, want the deep profile", got.Name)
	}
	for _, k := range []string{"choice", "hidden", "number", "date", "path"} {
		if got := profileOf(k); got.Name != quick.Name {
			t.Errorf("%s gets %s", k, got.Name)
		}
	}
}
