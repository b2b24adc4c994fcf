// Command securityscan is the portal's dynamic security scan (docs/security.md, S16): it starts the
// server in demo mode on a fresh database behind a loopback TLS front, signs personas in, derives
// every query and form parameter from the route table and the pages each persona can reach, runs
// Debian's sqlmap on each of them and wapiti's offline modules over the site, and fails on any finding.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "securityscan:", err)
		stop()
		os.Exit(1)
	}
}

type options struct {
	binary, out, personas, only  string
	workers                      int
	sqlmapBudget, jobTimeout     time.Duration
	wapitiTime                   time.Duration
	skipSqlmap, skipWapiti, list bool
}

func run(ctx context.Context, args []string, getenv func(string) string, stdout io.Writer) error {
	var o options
	fs := flag.NewFlagSet("securityscan", flag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.StringVar(&o.binary, "binary", "bin/tearline", "the portal binary to scan")
	fs.StringVar(&o.out, "out", "security-results", "folder for reports and scanner logs")
	fs.StringVar(&o.personas, "personas", "liaison@ice,analyst@hstc,reviewer@hstc,steering@dos,admin@hstc",
		"demo personas in the order they claim routes: each route is scanned as the first persona whose pages reach it")
	fs.StringVar(&o.only, "only", "", "scan only sqlmap jobs whose route contains this text (for development)")
	// A sqlmap process spends most of its time waiting for the portal and uses about a quarter of a
	// core, so six keep two cores busy next to the server, PostgreSQL and wapiti.
	fs.IntVar(&o.workers, "workers", 6, "sqlmap processes at once")
	fs.DurationVar(&o.sqlmapBudget, "sqlmap-budget", 10*time.Minute, "wall time for all sqlmap jobs; an unfinished job fails the scan")
	fs.DurationVar(&o.jobTimeout, "job-timeout", 5*time.Minute, "wall time for one sqlmap job")
	fs.DurationVar(&o.wapitiTime, "wapiti-time", 4*time.Minute, "wapiti's --max-scan-time")
	fs.IntVar(&deep.Level, "deep-level", deep.Level, "sqlmap --level for free-text points")
	fs.IntVar(&deep.Risk, "deep-risk", deep.Risk, "sqlmap --risk for free-text points")
	fs.BoolVar(&o.skipSqlmap, "no-sqlmap", false, "skip sqlmap")
	fs.BoolVar(&o.skipWapiti, "no-wapiti", false, "skip wapiti")
	fs.BoolVar(&o.list, "list", false, "print the sqlmap jobs and stop")
	if err := fs.Parse(args); err != nil {
		return err
	}
	for _, tool := range []string{"sqlmap", "wapiti"} {
		if _, err := exec.LookPath(tool); err != nil {
			return fmt.Errorf("%s is not installed (make security-deps installs Debian's package)", tool)
		}
	}
	dsn := getenv("DATABASE_URL")
	if dsn == "" {
		dsn = "postgres://postgres@127.0.0.1:5432/tearline?sslmode=disable"
	}
	out, err := filepath.Abs(o.out)
	if err != nil {
		return err
	}
	_ = os.RemoveAll(out)
	if err := os.MkdirAll(out, 0o750); err != nil {
		return err
	}
	start := time.Now()

	table, err := exec.CommandContext(ctx, o.binary, "routes").Output() // #nosec G204 -- our own build
	if err != nil {
		return fmt.Errorf("%s routes: %w", o.binary, err)
	}
	routes, err := parseRoutes(table)
	if err != nil {
		return err
	}
	logFile, err := os.Create(filepath.Join(out, "server.log")) // #nosec G304 -- our own output folder
	if err != nil {
		return err
	}
	defer func() { _ = logFile.Close() }()
	p, err := startPortal(ctx, o.binary, dsn, out, logFile)
	if err != nil {
		return err
	}
	defer p.Close()
	fmt.Fprintf(stdout, "portal up at %s (database dropped afterwards), %d routes\n", p.base, len(routes))

	sessions := map[string]*session{}
	personas := append(strings.Split(o.personas, ","), "")
	for _, persona := range personas {
		if sessions[persona], err = p.signIn(persona); err != nil {
			return err
		}
	}
	targets, err := crawlAll(p, routes, personas, sessions)
	if err != nil {
		return err
	}
	// Make the objects whose pages the seed lacks (a subscription, a list, an attachment, comments),
	// then look again.
	if err := setUp(p, sessions, targets); err != nil {
		return err
	}
	if targets, err = crawlAll(p, routes, personas, sessions); err != nil {
		return err
	}
	addSiblings(routes, targets)
	addKnownQueries(routes, targets)
	plan, uncovered := planScan(routes, targets)
	fmt.Fprintf(stdout, "crawled as %s: %d request shapes to scan\n", o.personas, len(plan))
	failed := len(uncovered) > 0
	for _, u := range uncovered {
		fmt.Fprintf(stdout, "NOT COVERED %s\n", u)
	}

	points := planPoints(plan)
	rep := report{Base: p.base.String(), Uncovered: uncovered, Covered: coveredPoints(plan, points)}
	for _, r := range routes {
		if why, ok := excluded(r); ok {
			rep.Excluded = append(rep.Excluded, r.Method+" "+r.Pattern+": "+why)
		}
	}

	var bl *baseliner
	if !o.skipSqlmap {
		if bl, err = newBaseliner(ctx, p, sessions, targets, routes, plan); err != nil {
			return err
		}
		defer bl.Close()
	}
	if o.list {
		jobs := sqlmapJobs(plan, points, p, sessions, o.only, bl, stdout)
		for _, j := range jobs {
			fmt.Fprintf(stdout, "%-55s %-14s %-5s %-30s %s\n", j.Name, orDefault(j.Persona, "anonymous"), j.Profile, strings.Join(j.Points, ","), j.Setup)
		}
		for _, c := range rep.Covered {
			fmt.Fprintf(stdout, "covered: %s\n", c)
		}
		fmt.Fprintf(stdout, "%d sqlmap runs inject %d points; %d points are covered by those\n", len(jobs), countPoints(jobs), len(rep.Covered))
		return nil
	}
	wapitiDone := make(chan error, 1)
	var wapitiTook, sqlmapTook time.Duration
	if o.skipWapiti {
		wapitiDone <- nil
	} else {
		go func() {
			t0 := time.Now()
			err := runWapitiScans(ctx, p, sessions, out, o.wapitiTime, &rep)
			wapitiTook = time.Since(t0)
			wapitiDone <- err
		}()
	}
	var jobs []sqlmapJob
	if !o.skipSqlmap {
		jobs = sqlmapJobs(plan, points, p, sessions, o.only, bl, stdout)
		fmt.Fprintf(stdout, "sqlmap: %d runs inject %d points (%d more covered by those), %d workers, budget %s\n",
			len(jobs), countPoints(jobs), len(rep.Covered), o.workers, o.sqlmapBudget)
		t0 := time.Now()
		sctx, cancel := context.WithTimeout(ctx, o.sqlmapBudget)
		rep.Sqlmap = runSqlmap(sctx, jobs, o.workers, filepath.Join(out, "sqlmap"), o.jobTimeout)
		cancel()
		sqlmapTook = time.Since(t0)
		tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
		fmt.Fprintln(tw, "VERDICT\tREQUEST\tPERSONA\tPARAMETERS\tTIME\tDETAIL")
		for _, r := range rep.Sqlmap {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Verdict, r.Job, orDefault(r.Persona, "anonymous"), strings.Join(r.Points, ","),
				r.Duration.Round(time.Second), r.Detail)
			failed = failed || !r.ok()
		}
		_ = tw.Flush()
	}
	if err := <-wapitiDone; err != nil {
		fmt.Fprintln(stdout, "wapiti:", err)
		failed = true
	}
	for _, f := range rep.Wapiti {
		state := "FINDING"
		if f.Waived != "" {
			state = "waived (" + f.Waived + ")"
		} else {
			failed = true
		}
		fmt.Fprintf(stdout, "wapiti %s: %s %s %s [%s] — %s\n", f.Category, f.Method, f.Path, f.Parameter, state, firstText(f.Info))
	}
	for _, f := range rep.WapitiAnomalies {
		failed = true
		fmt.Fprintf(stdout, "wapiti anomaly %s: %s %s %s — %s\n", f.Category, f.Method, f.Path, f.Parameter, firstText(f.Info))
	}
	if !o.skipWapiti {
		fmt.Fprintf(stdout, "wapiti: %d vulnerabilities (%d waived after verification), %d anomalies, %d SSRF canary hits\n",
			len(rep.Wapiti), countWaived(rep.Wapiti), len(rep.WapitiAnomalies), rep.SSRFHits)
	}
	rep.Seconds = time.Since(start).Seconds()
	rep.SqlmapSeconds, rep.WapitiSeconds = sqlmapTook.Seconds(), wapitiTook.Seconds()
	raw, _ := json.MarshalIndent(rep, "", "  ")
	if err := os.WriteFile(filepath.Join(out, "report.json"), raw, 0o600); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "security scan finished in %s; report in %s\n", time.Since(start).Round(time.Second), filepath.Join(o.out, "report.json"))
	fmt.Fprint(stdout, summary(rep, jobs, o, failed))
	if failed {
		return errors.New("the scan found problems (see above)")
	}
	return nil
}

type report struct {
	Base            string          `json:"base"`
	Seconds         float64         `json:"seconds"`
	SqlmapSeconds   float64         `json:"sqlmap_seconds"`
	WapitiSeconds   float64         `json:"wapiti_seconds"`
	Uncovered       []string        `json:"uncovered"`
	Covered         []string        `json:"covered_by_representative"`
	Excluded        []string        `json:"excluded"`
	Sqlmap          []sqlmapResult  `json:"sqlmap"`
	Wapiti          []wapitiFinding `json:"wapiti_vulnerabilities"`
	WapitiAnomalies []wapitiFinding `json:"wapiti_anomalies"`
	SSRFHits        int             `json:"ssrf_canary_hits"`
}

func runWapitiScans(ctx context.Context, p *portal, sessions map[string]*session, out string, d time.Duration, rep *report) error {
	canary, err := startSSRFCanary()
	if err != nil {
		return err
	}
	defer func() { _ = canary.srv.Close() }()
	log, err := os.Create(filepath.Join(out, "wapiti.log")) // #nosec G304 -- our own output folder
	if err != nil {
		return err
	}
	defer func() { _ = log.Close() }()
	v, a, err := runWapiti(ctx, p, sessions["liaison@ice"], out, d, canary, log)
	rep.Wapiti, rep.WapitiAnomalies, rep.SSRFHits = v, a, canary.count()
	if err == nil && rep.SSRFHits > 0 {
		err = fmt.Errorf("the portal fetched %d SSRF canary URLs", rep.SSRFHits)
	}
	return err
}

// summary is the scan's closing block: what was tested, what was found, how long it took.
func summary(rep report, jobs []sqlmapJob, o options, failed bool) string {
	var b strings.Builder
	verdict := "PASS"
	if failed {
		verdict = "FAIL"
	}
	injectable, other, refused := 0, 0, 0
	for _, r := range rep.Sqlmap {
		if strings.HasPrefix(r.Detail, "plain request answered") {
			refused++
		}
		switch {
		case r.Verdict == "INJECTABLE":
			injectable += len(r.Points)
		case !r.ok():
			other++
		}
	}
	deepN := 0
	for _, j := range jobs {
		if j.Profile == deep.Name {
			deepN += len(j.Points)
		}
	}
	fmt.Fprintf(&b, "\n== security scan summary: %s ==\n", verdict)
	if o.skipSqlmap {
		fmt.Fprintln(&b, "sqlmap:  skipped")
	} else {
		fmt.Fprintf(&b, "sqlmap:  %d points injected (%d deep, %d quick) in %d runs, %d covered by a representative; "+
			"%d injectable, %d runs with 500s/errors/timeouts; %s\n", countPoints(jobs), deepN, countPoints(jobs)-deepN, len(jobs),
			len(rep.Covered), injectable, other, time.Duration(rep.SqlmapSeconds*float64(time.Second)).Round(time.Second))
		if refused > 0 {
			fmt.Fprintf(&b, "         %d of %d runs started from a refused plain request (4xx: their payloads may not reach the query; see DETAIL)\n", refused, len(rep.Sqlmap))
		} else {
			fmt.Fprintf(&b, "         every run's plain request was accepted (2xx/3xx)\n")
		}
	}
	if o.skipWapiti {
		fmt.Fprintln(&b, "wapiti:  skipped")
	} else {
		fmt.Fprintf(&b, "wapiti:  %d findings (%d waived after verification), %d anomalies, %d SSRF canary hits; %s\n",
			len(rep.Wapiti)-countWaived(rep.Wapiti), countWaived(rep.Wapiti), len(rep.WapitiAnomalies), rep.SSRFHits,
			time.Duration(rep.WapitiSeconds*float64(time.Second)).Round(time.Second))
	}
	fmt.Fprintf(&b, "routes not covered: %d; total %s (sqlmap and wapiti run side by side)\n", len(rep.Uncovered),
		time.Duration(rep.Seconds*float64(time.Second)).Round(time.Second))
	return b.String()
}

func firstText(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

func countWaived(fs []wapitiFinding) int {
	n := 0
	for _, f := range fs {
		if f.Waived != "" {
			n++
		}
	}
	return n
}

func countPoints(jobs []sqlmapJob) int {
	n := 0
	for _, j := range jobs {
		n += len(j.Points)
	}
	return n
}

// skipCrawl keeps the crawler off sign-out, the identity provider and static files.
func skipCrawl(path string) bool {
	return strings.HasPrefix(path, "/auth/") || strings.HasPrefix(path, "/demo-idp/") || strings.HasPrefix(path, "/static/")
}

// excluded names the routes sqlmap does not scan, and why.
func excluded(r route) (string, bool) {
	switch {
	case r.Method == "POST" && r.Pattern == "/auth/logout":
		return "takes no parameters; posting it would end the scanner's session", true
	case r.Pattern == "/static/*":
		return "embedded assets: the path is looked up in an embed.FS, never in SQL", true
	case r.Pattern == "/demo-idp/*":
		return "zitadel/oidc's protocol endpoints over in-memory storage (demo only); the portal's own sign-in code is scanned through /auth/callback/{provider} and /demo-idp/login", true
	}
	return "", false
}

// knownQuery lists the query parameters the handlers read (internal/web, internal/search), with
// realistic values, for the GET routes whose pages do not link every one of them.
type knownQuery struct {
	persona string
	fields  []field
}

func knownQueries() map[string]knownQuery {
	// Kinds as in field: "text" is free text a handler passes on (to SQL, the identity provider);
	// "choice" a closed set the handler checks; "number" and "date" values it parses before use.
	text := func(n, v string) field { return field{n, v, "text"} }
	choice := func(n, v string) field { return field{n, v, "choice"} }
	number := func(n, v string) field { return field{n, v, "number"} }
	date := func(n, v string) field { return field{n, v, "date"} }
	audit := []field{number("user_id", "1"), text("user", "analyst"), text("agency", "HSTC"), choice("object_type", "edition"),
		number("object_id", "1"), text("action", "edition.view"), choice("outcome", "allowed"), date("from", "2026-01-01"),
		date("to", "2026-12-31"), number("before", "100000")}
	return map[string]knownQuery{
		"GET /search": {"liaison@ice", []field{text("q", "smuggling"), choice("type", "IB"), choice("topic", "human-smuggling"),
			choice("region", "MEX"), choice("sort", "date"), number("page", "1"), number("year", "2026"), text("office", "HSTC")}},
		"GET /inbox": {"liaison@ice", []field{choice("type", "IB"), choice("topic", "human-smuggling"), choice("region", "MEX"),
			date("from", "2026-01-01"), date("to", "2026-12-31"), number("page", "1")}},
		"GET /products":                       {"analyst@hstc", []field{choice("type", "IB"), choice("state", "draft"), number("page", "1")}},
		"GET /products/new":                   {"analyst@hstc", []field{choice("type", "IB")}},
		"GET /products/{id}/versions/compare": {"analyst@hstc", []field{number("from", "1"), number("to", "2")}},
		"GET /audit":                          {"admin@hstc", audit},
		"GET /audit.csv":                      {"admin@hstc", audit},
		"GET /admin/users":                    {"admin@hstc", []field{number("agency", "1")}},
		"GET /auth/login":                     {"", []field{choice("provider", "demo"), text("login_hint", "liaison@ice")}},
		"GET /auth/callback/{provider}":       {"", []field{text("code", "scan-code"), text("state", "scan-state")}},
		"GET /demo-idp/login":                 {"", []field{text("authRequestID", "scan-request")}},
		"POST /demo-idp/login":                {"", []field{text("authRequestID", "scan-request"), choice("persona", "liaison@ice")}},
		"POST /notice":                        {"liaison@ice", nil}, // acknowledges the notice; reads no parameter
	}
}

// addKnownQueries adds the handlers' query parameters to what the crawl found, creating the
// request shape for routes no page links to (sign-in endpoints, exports).
func addKnownQueries(routes []route, targets map[string]*target) {
	for key, kq := range knownQueries() {
		t, ok := targets[key]
		if !ok {
			method, pattern, _ := strings.Cut(key, " ")
			i := slices.IndexFunc(routes, func(r route) bool { return r.Method == method && r.Pattern == pattern })
			if i < 0 || strings.Contains(pattern, "{id}") {
				continue // a route with ids must be reached by the crawl, which supplies real ids
			}
			path := strings.ReplaceAll(pattern, "{provider}", "demo")
			t = &target{Route: &routes[i], Persona: kq.persona, Method: method}
			t.URL = urlPath(path)
			targets[key] = t
		}
		t.addFields(kq.fields)
	}
}

// planScan pairs each route with what will scan it; routes with parameters that no persona
// reached come back as uncovered.
func planScan(routes []route, targets map[string]*target) (plan []*target, uncovered []string) {
	for i := range routes {
		r := &routes[i]
		if _, ok := excluded(*r); ok {
			continue
		}
		t, ok := targets[r.Method+" "+r.Pattern]
		switch {
		case r.Method+" "+r.Pattern == cspReportRoute:
			// scanned by its own job (sqlmapJobs)
		case ok && (len(t.Fields) > 0 || strings.Contains(r.Pattern, "{")):
			plan = append(plan, t)
		case ok:
			// reached, and takes neither a path variable nor a parameter: nothing to inject
		case strings.Contains(r.Pattern, "{") || r.Method == "POST":
			uncovered = append(uncovered, r.Method+" "+r.Pattern+" ("+r.Access+"): no persona's pages reach it")
		}
	}
	slices.SortStableFunc(plan, func(a, b *target) int { return stage(a.Route.Pattern) - stage(b.Route.Pattern) })
	return plan, uncovered
}

// sqlmapJobs builds the runs: for every planned request shape one run on its free-text points at
// the deep profile and one on the rest at the quick profile (points.go); one run on the User-Agent
// and Referer headers (the audit trail stores them) of a logged request; and one on the fields of a
// CSP violation report, the portal's only JSON body.
//
// b, when set, gives each run a plain request the portal accepts (baseline.go).
func sqlmapJobs(plan []*target, points map[*target][]point, p *portal, sessions map[string]*session, only string, b *baseliner, warn io.Writer) []sqlmapJob {
	var jobs []sqlmapJob
	for _, t := range plan {
		if only != "" && !strings.Contains(t.key(), only) {
			continue
		}
		for _, g := range groupPoints(points[t]) {
			// sqlmap tests a run's points one after the other: free-text points get a run each and the
			// quick ones go four to a run, so that no single run holds the workers up at the end
			size := 4
			if g.prof.Name == deep.Name {
				size = 1
			}
			names := g.names
			var chunks [][]string
			if lock := lockField(t.key()); lock != "" && slices.Contains(names, lock) {
				// the optimistic-lock field runs alone: the other runs keep it current (baseline.go)
				names = slices.DeleteFunc(slices.Clone(names), func(n string) bool { return n == lock })
				chunks = append(chunks, []string{lock})
			}
			chunks = append(slices.Collect(slices.Chunk(names, size)), chunks...)
			for _, chunk := range chunks {
				tt, extra, note := t, []string(nil), ""
				if b != nil {
					nt, args, n, err := b.prepare(t, chunk)
					if err != nil {
						fmt.Fprintf(warn, "baseline for %s %s: %v (scanned with the crawled values)\n", t.key(), strings.Join(chunk, ","), err)
					} else {
						tt, extra, note = nt, args, n
					}
				}
				j := buildJob(tt, p.base, sessions[t.Persona], chunk, g.prof)
				if slices.ContainsFunc(extra, func(a string) bool { return strings.HasPrefix(a, "--csrf-token") }) {
					// sqlmap sends every request to the target's host with --method's method, the
					// token page's GET included; with --data it posts the run's requests anyway
					if i := slices.Index(j.args, "--method"); i >= 0 {
						j.args = slices.Delete(j.args, i, i+2)
					}
				}
				j.args = append(j.args, extra...)
				j.Setup = note
				jobs = append(jobs, j)
			}
		}
	}
	if only == "" || strings.Contains("GET /search headers", only) {
		s := sessions["liaison@ice"]
		args := append(sqlmapArgs(deep), "--cookie", s.header(), "-p", "User-Agent,Referer",
			"-u", p.base.String()+"/search?q=smuggling")
		jobs = append([]sqlmapJob{{Name: "GET /search (User-Agent, Referer headers)", Persona: s.persona,
			Points: []string{"User-Agent", "Referer"}, Profile: deep.Name, args: args}}, jobs...)
	}
	if only == "" || strings.Contains(cspReportRoute, only) {
		// handleCSPReport only logs and counts, so the quick profile; sqlmap reads the JSON body and
		// injects where the markers are.
		body := `{"csp-report":{"document-uri":"` + p.base.String() + `/search*","violated-directive":"script-src-elem*",` +
			`"effective-directive":"script-src-elem*","blocked-uri":"inline*","source-file":"` + p.base.String() + `/static/app.js*",` +
			`"line-number":1}}`
		args := append(sqlmapArgs(quick), "-u", p.base.String()+"/csp-report", "--method", "POST", "--data", body,
			"--headers", "Content-Type: application/csp-report")
		jobs = append(jobs, sqlmapJob{Name: cspReportRoute + " (JSON report)", Points: []string{"document-uri", "violated-directive",
			"effective-directive", "blocked-uri", "source-file"}, Profile: quick.Name, args: args})
	}
	return jobs
}

// cspReportRoute takes a JSON violation report, which no page submits: sqlmapJobs builds its request.
const cspReportRoute = "POST /csp-report"

// addSiblings gives a route no page links to (reactivating a user when none is deactivated, say)
// the ids of a reached route that shares its variable prefix, as the persona that reached that one.
func addSiblings(routes []route, targets map[string]*target) {
	type known struct {
		path    []string
		persona string
	}
	prefixes := map[string]known{}
	for _, t := range targets {
		ps, cs := strings.Split(t.Route.Pattern, "/"), strings.Split(t.URL.Path, "/")
		if len(ps) != len(cs) || strings.Contains(t.Route.Pattern, "*") {
			continue
		}
		for k := 1; k <= len(ps); k++ {
			if strings.HasPrefix(ps[k-1], "{") {
				key := strings.Join(ps[:k], "/")
				if _, ok := prefixes[key]; !ok || t.Persona < prefixes[key].persona {
					prefixes[key] = known{cs[:k], t.Persona}
				}
			}
		}
	}
	for i := range routes {
		r := &routes[i]
		key := r.Method + " " + r.Pattern
		if _, ok := targets[key]; ok || !strings.Contains(r.Pattern, "{") {
			continue
		}
		ps := strings.Split(r.Pattern, "/")
		for k := len(ps); k >= 1; k-- {
			kn, ok := prefixes[strings.Join(ps[:k], "/")]
			if !ok || strings.Contains(strings.Join(ps[k:], "/"), "{") {
				continue
			}
			path := strings.Join(append(append([]string{}, kn.path...), ps[k:]...), "/")
			targets[key] = &target{Route: r, Persona: kn.persona, Method: r.Method, URL: urlPath(path)}
			break
		}
	}
}

func crawlAll(p *portal, routes []route, personas []string, sessions map[string]*session) (map[string]*target, error) {
	targets := map[string]*target{}
	for _, persona := range personas {
		c := &crawler{s: sessions[persona], base: p.base, routes: routes, skip: skipCrawl, maxPages: 200, perRoute: 6,
			targets: targets, seen: map[string]bool{}, visits: map[string]int{}}
		if err := c.run(); err != nil {
			return nil, err
		}
	}
	return targets, nil
}

// setUp submits, once each, the forms that create what the demo seed has none of, so the forms
// that act on those objects appear on the second crawl.
func setUp(p *portal, sessions map[string]*session, targets map[string]*target) error {
	for _, key := range []string{"POST /subscriptions", "POST /admin/lists", "POST /products/{id}/attachments",
		"POST /products/{id}/comments", "POST /products/{id}/details"} {
		t, ok := targets[key]
		if !ok {
			continue
		}
		s := sessions[t.Persona]
		var body bytes.Buffer
		ctype := "application/x-www-form-urlencoded"
		if t.Multipart {
			mw := multipart.NewWriter(&body)
			for _, f := range t.Fields {
				_ = mw.WriteField(f.Name, f.Value)
			}
			if t.FileField != "" {
				w, err := mw.CreateFormFile(t.FileField, "scan-fixture.pdf")
				if err != nil {
					return err
				}
				_, _ = w.Write([]byte("%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"))
			}
			_ = mw.Close()
			ctype = mw.FormDataContentType()
		} else {
			v := url.Values{}
			for _, f := range t.Fields {
				v.Add(f.Name, f.Value)
			}
			body.WriteString(v.Encode())
		}
		req, err := http.NewRequest(http.MethodPost, p.base.ResolveReference(t.URL).String(), &body)
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", ctype)
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		resp, err := s.client.Do(req)
		if err != nil {
			return fmt.Errorf("set up %s: %w", key, err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		_ = resp.Body.Close()
	}
	// A draft in review with a reviewer's comment shows its author the answer and resolve forms. Some
	// seeded drafts carry deliberate marking problems and cannot be submitted: take the first that can.
	if sessions["analyst@hstc"] != nil && sessions["reviewer@hstc"] != nil {
		for id := 1; id <= 40; id++ {
			path := "/products/" + strconv.Itoa(id)
			if post(p, sessions["analyst@hstc"], path+"/transitions", url.Values{"action": {"submit"}, "comment": {"For the security scan"}}) != nil {
				continue
			}
			return post(p, sessions["reviewer@hstc"], path+"/comments", url.Values{"body": {"Please source this paragraph."}})
		}
	}
	return nil
}

func post(p *portal, s *session, path string, form url.Values) error {
	req, err := http.NewRequest(http.MethodPost, p.base.String()+path, strings.NewReader(form.Encode()))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("set up %s: %w", path, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	_ = resp.Body.Close()
	if resp.StatusCode >= 400 {
		return fmt.Errorf("set up %s as %s: %d", path, s.persona, resp.StatusCode)
	}
	return nil
}
