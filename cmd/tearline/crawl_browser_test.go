package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"

	"tearline/internal/demo"
)

// crawlMaxPages bounds one persona's crawl.
const crawlMaxPages = 150

// crawlPerShape bounds the pages of one shape (path with its numbers taken out, plus the names of its
// query parameters) a crawl visits: the eighth edition page finds little the first seven did not.
const crawlPerShape = 6

// crawlTimeout bounds one persona's crawl, sign-in included.
const crawlTimeout = 3 * time.Minute

// crawlSkip are links the crawl never follows: sign-in and sign-out (which end or restart the
// persona's session), the identity provider, and downloads (which a browser saves instead of showing;
// their headers are checked by the route table tests).
var crawlSkip = regexp.MustCompile(`^/(auth/|demo-idp/|static/|csp-report)|/attachments/\d+$|^/audit\.csv`)

// crawlEvents adds to the session's problems, from the tab's events, what the crawl asserts never
// happens: JavaScript dialogs (dismissed by a helper goroutine so the page does not stall) and failed
// or refused requests.
type crawlEvents struct {
	s       *browserSession
	dialogs chan string
}

func (c *crawlEvents) record(ev any) {
	var p string
	switch ev := ev.(type) {
	case *cdppage.EventJavascriptDialogOpening:
		p = fmt.Sprintf("JavaScript %s dialog: %q", ev.Type, ev.Message)
		select {
		case c.dialogs <- ev.Message:
		default:
		}
	case *network.EventResponseReceived:
		if ev.Response.Status >= 400 {
			p = fmt.Sprintf("request failed: %d %s", ev.Response.Status, ev.Response.URL)
		}
	case *network.EventLoadingFailed:
		if ev.Canceled {
			return
		}
		p = fmt.Sprintf("request failed: %s %s", ev.ErrorText, ev.BlockedReason)
	}
	if p != "" {
		c.s.addProblem(p)
	}
}

// newCrawlSession is a browser session with the crawl's deadline, network events and a dialog
// watcher: every dialog is recorded as a problem and dismissed.
func newCrawlSession(t *testing.T, browser context.Context, a *testApp) *browserSession {
	t.Helper()
	ev := &crawlEvents{dialogs: make(chan string, 16)}
	s := openBrowserSession(t, browser, a, crawlTimeout, func(e any) { ev.record(e) })
	ev.s = s
	ctx := s.ctx
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("enable network events: %v", err)
	}
	go func() {
		for {
			select {
			case <-ctx.Done():
				return
			case <-ev.dialogs:
				_, _ = chromedp.Call(ctx, cdppage.HandleJavaScriptDialog, cdppage.HandleJavaScriptDialogParams{Accept: false})
			}
		}
	}()
	return s
}

// crawlPage is what the crawl reads from each loaded page.
type crawlPage struct {
	CSP   []string `json:"csp"`
	XSS   any      `json:"xss"`
	Links []string `json:"links"`
}

const crawlPageJS = `({
	csp: window.__csp || [],
	xss: window.__xss === undefined ? null : String(window.__xss),
	links: [...document.querySelectorAll('a[href]')].map(a => a.href),
})`

// crawlShape is the page's path with numbers replaced and its query reduced to parameter names.
func crawlShape(u *url.URL) string {
	keys := make([]string, 0, len(u.Query()))
	for k := range u.Query() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return regexp.MustCompile(`\d+`).ReplaceAllString(u.Path, "N") + "?" + strings.Join(keys, "&")
}

// crawl signs the persona in and follows every same-origin link from the home page, breadth first,
// GET only (links, never forms), up to max pages. Every page must answer 200 and load without a CSP
// violation, JavaScript error, console error, failed request, dialog or canary (window.__xss). It
// returns the paths visited. Seeds are visited first, after the home page.
func crawl(t *testing.T, browser context.Context, a *testApp, hint string, max int, seeds ...string) []string {
	t.Helper()
	s := newCrawlSession(t, browser, a)
	s.signIn(hint, "")
	base, _ := url.Parse(a.URL)
	queue, shapes := []string{"/"}, map[string]int{}
	from := map[string]string{"/": "sign-in"} // the page that first linked each queued path
	for _, sd := range seeds {
		if _, ok := from[sd]; !ok {
			queue, from[sd] = append(queue, sd), "the test"
		}
	}
	var visited []string
	for len(queue) > 0 && len(visited) < max {
		path := queue[0]
		queue = queue[1:]
		resp, err := chromedp.Run(s.ctx, chromedp.NavigateResponse(a.URL+path))
		if err != nil {
			t.Errorf("%s: GET %s: %v", hint, path, err)
			continue
		}
		visited = append(visited, path)
		if resp.Status != 200 && !(resp.Status == http.StatusGone && strings.HasPrefix(path, "/editions/")) {
			t.Errorf("%s: GET %s (linked from %s) answered %d", hint, path, from[path], resp.Status)
		}
		pg := browserEval[crawlPage](s, crawlPageJS)
		if len(pg.CSP) > 0 {
			t.Errorf("%s: %s: Content Security Policy violations: %q", hint, path, pg.CSP)
		}
		if pg.XSS != nil {
			t.Errorf("%s: %s: an injected script ran (window.__xss = %v)", hint, path, pg.XSS)
		}
		if p := pageProblems(path, resp.Status, s.takeProblems()); len(p) > 0 {
			t.Errorf("%s: %s: the browser reported problems:\n\t%s", hint, path, strings.Join(p, "\n\t"))
		}
		for _, l := range pg.Links {
			u, err := url.Parse(l)
			if err != nil || u.Scheme != base.Scheme || u.Host != base.Host || crawlSkip.MatchString(u.Path) {
				continue
			}
			u.Fragment = ""
			next := u.RequestURI()
			if _, ok := from[next]; ok || shapes[crawlShape(u)] >= crawlPerShape {
				continue
			}
			from[next] = path
			shapes[crawlShape(u)]++
			queue = append(queue, next)
		}
	}
	// Events of the last page's requests may still be on their way.
	time.Sleep(100 * time.Millisecond)
	if p := s.takeProblems(); len(p) > 0 {
		t.Errorf("%s: the browser reported problems after the crawl:\n\t%s", hint, strings.Join(p, "\n\t"))
	}
	return visited
}

// pageProblems drops the browser's report of the document's own status when that status is already
// judged by the crawl (a recalled edition answers 410 Gone with its recall notice, by design).
func pageProblems(path string, status int64, problems []string) []string {
	var out []string
	for _, p := range problems {
		if status >= 400 && strings.HasSuffix(p, path) && (strings.HasPrefix(p, "request failed: ") || strings.HasPrefix(p, "browser log (network)")) {
			continue
		}
		out = append(out, p)
	}
	return out
}

// cspReports is the number of CSP violation reports the portal has counted.
func cspReports(t *testing.T, a *testApp) int {
	t.Helper()
	rec := httptest.NewRecorder()
	a.app.server.MetricsHandler().ServeHTTP(rec, httptest.NewRequest("GET", "/metrics", nil))
	n := 0
	for _, m := range regexp.MustCompile(`(?m)^tearline_csp_reports_total\{[^}]*\} (\d+)$`).FindAllStringSubmatch(rec.Body.String(), -1) {
		v, _ := strconv.Atoi(m[1])
		n += v
	}
	return n
}

// waitCSPReports waits up to d for the count of CSP reports to reach want, and returns the count.
func waitCSPReports(t *testing.T, a *testApp, want int, d time.Duration) int {
	t.Helper()
	end := time.Now().Add(d)
	for {
		n := cspReports(t, a)
		if n >= want || time.Now().After(end) {
			return n
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Every demo persona crawls every page it can reach by links, from a portal with the demo's drafts,
// editions, steering reviews and dissemination. No page may break the Content Security Policy (the
// browser reports each violation to /csp-report, which counts it), log a JavaScript or console error,
// fail a request or open a dialog. A deliberate violation first proves the report pipeline works.
func TestCrawlAsEveryPersona(t *testing.T) {
	start := time.Now()
	a := newTestApp(t)
	seedDemoEditions(t, a)
	browser := newChromium(t)

	t.Run("report pipeline", func(t *testing.T) {
		s := newBrowserSession(t, browser, a)
		s.navigate("/")
		// An image from another origin breaks img-src 'self': the browser blocks it and reports it.
		browserEval[bool](s, `(() => { const i = document.createElement('img'); i.src = 'https://csp-probe.invalid/x.png'; document.body.append(i); return true; })()`)
		if n := waitCSPReports(t, a, 1, 5*time.Second); n != 1 {
			t.Fatalf("a deliberate violation produced %d reports at /csp-report, want 1", n)
		}
		if !strings.Contains(a.Logs.String(), `"msg":"csp violation"`) || !strings.Contains(a.Logs.String(), "csp-probe.invalid") {
			t.Error("the report was not logged with the blocked URL")
		}
		s.takeProblems()
	})
	before := cspReports(t, a)

	total := 0
	for _, p := range demo.Personas() {
		t.Run(p.Hint, func(t *testing.T) {
			snap := tableDigests(t, a)
			visited := crawl(t, browser, a, p.Hint, crawlMaxPages)
			total += len(visited)
			if len(visited) < 3 {
				t.Errorf("%s reached only %q", p.Hint, visited)
			}
			t.Logf("%s: %d pages", p.Hint, len(visited))
			// Following links changes nothing but the audit trail, sessions and first-view receipts.
			wantOnlyAllowedChanges(t, snap, tableDigests(t, a), p.Hint+" crawl")
		})
	}
	if n := waitCSPReports(t, a, before+1, 500*time.Millisecond) - before; n != 0 {
		t.Errorf("the crawl produced %d CSP violation reports:\n%s", n, grepLines(a.Logs.String(), `"csp violation"`))
	}
	t.Logf("crawled %d pages as %d personas in %s", total, len(demo.Personas()), time.Since(start).Round(time.Millisecond))
}

// grepLines returns the lines of s containing sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
