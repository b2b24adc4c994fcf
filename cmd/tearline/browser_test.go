package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/log"
	cdppage "github.com/chromedp/cdproto/page"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromiumPath is Debian's chromium, which `make test` installs when it is missing.
const chromiumPath = "/usr/bin/chromium"

// browserTimeout bounds one browser context (one persona's whole walk), so a hang fails the test.
const browserTimeout = 60 * time.Second

// screenshotDir is where every browser test writes its screenshots: test-output/ at the
// repository root, which git ignores. The test runs in cmd/tearline.
const screenshotDir = "../../test-output/screenshots"

// docsScreenshotDir holds the committed screenshots the README shows; the test refreshes them only
// when TEARLINE_UPDATE_SCREENSHOTS=1.
const docsScreenshotDir = "../../docs/screenshots"

// cspRecorder runs in every document before the page's own scripts and records each Content
// Security Policy violation, so a test can read them back with window.__csp.
const cspRecorder = `document.addEventListener('securitypolicyviolation', e => {
	window.__csp = (window.__csp || []).concat([e.violatedDirective + ' ' + e.blockedURI]);
});`

// newChromium starts headless Chromium for the test and returns the context of its browser.
// Open a tab with (*browserSession).
func newChromium(t *testing.T) context.Context {
	t.Helper()
	if _, err := os.Stat(chromiumPath); err != nil {
		t.Fatalf("the browser tests need headless Chromium at %s (run `make test`, which installs Debian's chromium package, or `apt-get install chromium`): %v", chromiumPath, err)
	}
	profile, err := os.MkdirTemp("", "tearline-chromium-")
	if err != nil {
		t.Fatalf("chromium profile directory: %v", err)
	}
	// Registered first, so it runs after the browser has exited (cleanups run last-in first-out).
	t.Cleanup(func() { _ = os.RemoveAll(profile) })

	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromiumPath),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(profile),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	browserCtx, cancelBrowser := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelBrowser()
		cancelAlloc()
	})

	// The first Do starts the browser and binds it to browserCtx, which has no deadline; wait for
	// it here with one, so a browser that never answers fails the test instead of hanging it.
	started := make(chan error, 1)
	go func() { started <- chromedp.Do(browserCtx) }()
	select {
	case err := <-started:
		if err != nil {
			t.Fatalf("start %s: %v", chromiumPath, err)
		}
	case <-time.After(browserTimeout):
		cancelBrowser()
		t.Fatalf("%s did not start within %s", chromiumPath, browserTimeout)
	}
	return browserCtx
}

// browserSession is one tab in a browser context of its own (its own cookies), with a deadline,
// and a record of the JavaScript exceptions and console errors the pages produced.
type browserSession struct {
	t    *testing.T
	ctx  context.Context
	base string

	mu       sync.Mutex
	problems []string
}

// newBrowserSession opens a fresh browser context (an incognito-like profile: no cookies shared
// with other sessions) and a tab in it; everything it does must finish within browserTimeout.
func newBrowserSession(t *testing.T, browser context.Context, a *testApp) *browserSession {
	t.Helper()
	return openBrowserSession(t, browser, a, browserTimeout)
}

// openBrowserSession is newBrowserSession with its own deadline and more event listeners.
func openBrowserSession(t *testing.T, browser context.Context, a *testApp, timeout time.Duration, listeners ...func(any)) *browserSession {
	t.Helper()
	s := &browserSession{t: t, base: a.URL}
	deadline, cancelDeadline := context.WithTimeout(browser, timeout)
	opts := []chromedp.ContextOption{chromedp.WithNewBrowserContext(), chromedp.WithListener(s.record)}
	for _, l := range listeners {
		opts = append(opts, chromedp.WithListener(l))
	}
	ctx, cancelTab := chromedp.NewContext(deadline, opts...)
	t.Cleanup(func() {
		cancelTab()
		cancelDeadline()
	})
	s.ctx = ctx
	if _, err := chromedp.Call(ctx, cdppage.AddScriptToEvaluateOnNewDocument, cdppage.AddScriptToEvaluateOnNewDocumentParams{Source: cspRecorder}); err != nil {
		t.Fatalf("open a tab: %v", err)
	}
	return s
}

// record runs in the tab's event loop: it must return fast and send no command.
func (s *browserSession) record(ev any) {
	var p string
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		p = "uncaught exception: " + d.Text
		if d.Exception != nil && d.Exception.Description != "" {
			p += " " + d.Exception.Description
		}
		p += fmt.Sprintf(" at %s:%d", d.URL, d.LineNumber+1)
	case *runtime.EventConsoleAPICalled:
		if ev.Type != runtime.ConsoleAPICalledTypeError && ev.Type != runtime.ConsoleAPICalledTypeAssert {
			return
		}
		var parts []string
		for _, a := range ev.Args {
			if len(a.Value) > 0 {
				parts = append(parts, string(a.Value))
			} else {
				parts = append(parts, a.Description)
			}
		}
		p = "console." + string(ev.Type) + ": " + strings.Join(parts, " ")
	case *log.EventEntryAdded:
		// The browser's own log: failed resource loads (a missing font or icon), CSP refusals, …
		if ev.Entry.Level != log.EntryLevelError {
			return
		}
		p = "browser log (" + string(ev.Entry.Source) + "): " + ev.Entry.Text
		if ev.Entry.URL != "" {
			p += " " + ev.Entry.URL
		}
	default:
		return
	}
	s.addProblem(p)
}

// addProblem records a problem for takeProblems; safe from event listeners.
func (s *browserSession) addProblem(p string) {
	s.mu.Lock()
	s.problems = append(s.problems, p)
	s.mu.Unlock()
}

// takeProblems returns and clears what record collected.
func (s *browserSession) takeProblems() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.problems
	s.problems = nil
	return p
}

// run runs the actions in the tab and fails the test on an error.
func (s *browserSession) run(what string, steps ...chromedp.Action[chromedp.Void]) {
	s.t.Helper()
	if err := chromedp.Do(s.ctx, steps...); err != nil {
		s.t.Fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression (awaiting a promise) and fails the test on an error.
func browserEval[T any](s *browserSession, expr string) T {
	s.t.Helper()
	v, err := chromedp.Run(s.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		s.t.Fatalf("evaluate %s: %v", expr, err)
	}
	return v
}

// navigate loads a path and waits for the page to load.
func (s *browserSession) navigate(path string) {
	s.t.Helper()
	s.run("navigate to "+path, chromedp.Navigate(s.base+path))
}

// click clicks the element and waits for the navigation it causes to load.
func (s *browserSession) click(sel string) {
	s.t.Helper()
	if _, err := chromedp.RunResponse(s.ctx, chromedp.Click(chromedp.CSS(sel), chromedp.NodeVisible)); err != nil {
		s.t.Fatalf("click %s: %v", sel, err)
	}
}

// path is the path of the page the tab shows.
func (s *browserSession) path() string {
	s.t.Helper()
	loc, err := chromedp.Run(s.ctx, chromedp.Location())
	if err != nil {
		s.t.Fatalf("location: %v", err)
	}
	u, err := url.Parse(loc)
	if err != nil {
		s.t.Fatalf("location %q: %v", loc, err)
	}
	return u.Path
}

// text is the visible text of the first element matching the CSS selector, waiting for it.
func (s *browserSession) text(sel string) string {
	s.t.Helper()
	v, err := chromedp.Run(s.ctx, chromedp.Text(chromedp.CSS(sel), chromedp.NodeVisible))
	if err != nil {
		s.t.Fatalf("text of %s: %v", sel, err)
	}
	return v
}

// navLinks lists the labels of the primary navigation links.
func (s *browserSession) navLinks() []string {
	s.t.Helper()
	return browserEval[[]string](s, `[...document.querySelectorAll('.usa-nav__primary a')].map(a => a.textContent.trim())`)
}

// pageHealth is what checkPage reads from a loaded page.
type pageHealth struct {
	CSP         []string `json:"csp"`
	StyleSheets int      `json:"styleSheets"`
	USWDSRules  int      `json:"uswdsRules"`
	BodyFont    string   `json:"bodyFont"`
	Fonts       []string `json:"fonts"`
	FailedFonts []string `json:"failedFonts"`
	MenuButton  string   `json:"menuButton"`
}

// pageHealthJS waits for the web fonts, then reports CSP violations, the loaded style sheets and
// fonts, and whether the mobile menu button is displayed.
const pageHealthJS = `document.fonts.ready.then(() => {
	const sheets = [...document.styleSheets];
	const uswds = sheets.find(s => (s.href || '').includes('/vendor/uswds/css/uswds.min.css'));
	let rules = 0;
	try { rules = uswds ? uswds.cssRules.length : 0; } catch (e) { rules = -1; }
	const btn = document.querySelector('.usa-menu-btn');
	const fonts = [...document.fonts];
	return {
		csp: window.__csp || [],
		styleSheets: sheets.length,
		uswdsRules: rules,
		bodyFont: getComputedStyle(document.body).fontFamily,
		fonts: [...new Set(fonts.filter(f => f.status === 'loaded').map(f => f.family.replace(/"/g, '')))],
		failedFonts: fonts.filter(f => f.status === 'error').map(f => f.family + ' ' + f.weight + ' ' + f.style),
		menuButton: btn ? getComputedStyle(btn).display : '',
	};
})`

// checkPage asserts the loaded page is healthy: no CSP violations, no JavaScript exceptions or
// console errors, USWDS's style sheet and web fonts loaded, and no mobile menu button at desktop
// width. Then it saves a full-page screenshot under name.
func (s *browserSession) checkPage(name string) {
	s.t.Helper()
	h := browserEval[pageHealth](s, pageHealthJS)
	if len(h.CSP) > 0 {
		s.t.Errorf("%s: Content Security Policy violations: %q", name, h.CSP)
	}
	if h.StyleSheets < 2 || h.USWDSRules < 100 {
		s.t.Errorf("%s: USWDS CSS did not load: %d style sheets, %d USWDS rules", name, h.StyleSheets, h.USWDSRules)
	}
	if !strings.Contains(h.BodyFont, "Source Sans Pro Web") {
		s.t.Errorf("%s: body font-family is %q, want USWDS's Source Sans Pro Web", name, h.BodyFont)
	}
	if !slices.Contains(h.Fonts, "Source Sans Pro Web") || len(h.FailedFonts) > 0 {
		s.t.Errorf("%s: web fonts loaded %q, failed %q", name, h.Fonts, h.FailedFonts)
	}
	if h.MenuButton != "" && h.MenuButton != "none" {
		s.t.Errorf("%s: the mobile menu button is displayed (%s) at desktop width", name, h.MenuButton)
	}
	// Give the browser log a moment to deliver events of the page's last requests.
	time.Sleep(100 * time.Millisecond)
	if p := s.takeProblems(); len(p) > 0 {
		s.t.Errorf("%s: the browser reported problems:\n\t%s", name, strings.Join(p, "\n\t"))
	}
	s.screenshot(name)
}

// screenshot saves a full-page PNG of the tab as test-output/screenshots/<name>.png.
func (s *browserSession) screenshot(name string) {
	s.t.Helper()
	// chromedp encodes quality 100 as PNG; any other quality gives JPEG.
	buf, err := chromedp.Run(s.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		s.t.Fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(screenshotDir, 0o755); err != nil {
		s.t.Fatalf("screenshot directory: %v", err)
	}
	file := filepath.Join(screenshotDir, name+".png")
	if err := os.WriteFile(file, buf, 0o644); err != nil {
		s.t.Fatalf("save screenshot: %v", err)
	}
	abs, _ := filepath.Abs(file)
	s.t.Logf("screenshot %s", abs)
}

// signIn signs a demo persona in through login_hint and acknowledges the system-use notice,
// screenshotting the notice as noticeShot when that is not empty.
func (s *browserSession) signIn(hint, noticeShot string) {
	s.t.Helper()
	s.navigate("/auth/login?login_hint=" + url.QueryEscape(hint))
	if p := s.path(); p != "/notice" {
		s.t.Fatalf("sign in %s: at %s, want the notice page", hint, p)
	}
	if noticeShot != "" {
		s.checkPage(noticeShot)
	}
	s.click("[data-testid=acknowledge]")
	s.run("wait for the home page", chromedp.WaitVisible(chromedp.CSS("[data-testid=identity]")))
	if p := s.path(); p != "/" {
		s.t.Fatalf("acknowledge the notice as %s: at %s, want /", hint, p)
	}
}

// wantContains fails the test unless each of want is in the text of the element sel.
func (s *browserSession) wantContains(sel string, want ...string) {
	s.t.Helper()
	got := s.text(sel)
	for _, w := range want {
		if !strings.Contains(got, w) {
			s.t.Errorf("%s reads %q, want it to contain %q", sel, got, w)
		}
	}
}

func TestBrowserSignInHomePages(t *testing.T) {
	start := time.Now()
	a := newTestApp(t)
	browser := newChromium(t)
	t.Cleanup(func() { t.Logf("browser test took %s", time.Since(start).Round(time.Millisecond)) })

	t.Run("signed out", func(t *testing.T) {
		s := newBrowserSession(t, browser, a)
		s.navigate("/")
		s.wantContains("h1", "Sign in to Tearline")
		s.wantContains("[data-testid=demo-banner]", "DEMO")
		if got := s.navLinks(); len(got) != 0 {
			t.Errorf("signed-out navigation shows %q", got)
		}
		s.checkPage("landing")

		s.navigate("/auth/login")
		if p := s.path(); p != "/demo-idp/login" {
			t.Fatalf("/auth/login without a hint: at %s, want the persona picker", p)
		}
		s.run("wait for the personas", chromedp.WaitVisible(chromedp.CSS(`[data-persona="analyst@hstc"]`)))
		s.wantContains(`[data-persona="liaison@ice"]`, "Rosa Delgado")
		s.checkPage("demo-picker")
	})

	personas := []struct {
		hint, name, agency, role, shot string
		noNav                          []string // navigation links the persona must not see
	}{
		// The policy lets center analysts list the agency directory, but not users.
		{"analyst@hstc", "Dana Whitfield", "HSTC", "Analyst", "home-analyst", []string{"Users"}},
		{"liaison@ice", "Rosa Delgado", "ICE", "Agency liaison", "home-liaison", []string{"Users", "Agencies"}},
	}
	for i, p := range personas {
		t.Run(p.hint, func(t *testing.T) {
			s := newBrowserSession(t, browser, a)
			notice := ""
			if i == 0 {
				notice = "notice"
			}
			s.signIn(p.hint, notice)
			s.wantContains("h1", "Welcome, "+p.name)
			s.wantContains("[data-testid=identity]", p.name, p.agency, p.role)
			s.wantContains("[data-testid=role-card]", p.role)
			s.wantContains("[data-testid=whoami]", p.name, p.agency, p.role)
			s.wantContains("[data-testid=demo-banner]", "DEMO")
			nav := s.navLinks()
			if !slices.Contains(nav, "Home") {
				t.Errorf("navigation %q has no Home link", nav)
			}
			for _, l := range p.noNav {
				if slices.Contains(nav, l) {
					t.Errorf("%s sees a %q navigation link: %q", p.hint, l, nav)
				}
			}
			s.checkPage(p.shot)
		})
	}

	t.Run("admin@hstc", func(t *testing.T) {
		s := newBrowserSession(t, browser, a)
		s.signIn("admin@hstc", "")
		s.wantContains("[data-testid=whoami]", "Priya Raman", "HSTC", "Center administrator")
		nav := s.navLinks()
		for _, l := range []string{"Home", "Users", "Agencies"} {
			if !slices.Contains(nav, l) {
				t.Errorf("the center administrator's navigation %q has no %q link", nav, l)
			}
		}
		s.checkPage("home-admin")

		s.click(`.usa-nav__primary a[href="/admin/users"]`)
		if p := s.path(); p != "/admin/users" {
			t.Fatalf("the Users link led to %s", p)
		}
		s.wantContains("h1", "Users")
		s.wantContains("[data-testid=user-table] tbody", "Rosa Delgado", "Dana Whitfield", "Priya Raman")
		s.checkPage("admin-users")

		edit := browserEval[string](s, `[...document.querySelectorAll('[data-testid=user-table] tbody tr')]
			.filter(r => r.querySelector('th').textContent.trim() === 'Rosa Delgado')
			.map(r => r.querySelector('a[href$="/edit"]').getAttribute('href'))[0] || ''`)
		if edit == "" {
			t.Fatal("no Edit link for Rosa Delgado")
		}
		s.click(`[data-testid=user-table] a[href="` + edit + `"]`)
		if p := s.path(); p != edit {
			t.Fatalf("the Edit link led to %s, want %s", p, edit)
		}
		s.wantContains("h1", "Edit Rosa Delgado")
		if v := browserEval[string](s, `document.getElementById('display_name').value`); v != "Rosa Delgado" {
			t.Errorf("the name field holds %q", v)
		}
		s.checkPage("admin-user-edit")
	})

	if os.Getenv("TEARLINE_UPDATE_SCREENSHOTS") == "1" && !t.Failed() {
		updateDocsScreenshots(t, "home-analyst", "home-liaison", "demo-picker", "admin-users")
	}
}

// updateDocsScreenshots copies the named screenshots into docs/screenshots for the README.
func updateDocsScreenshots(t *testing.T, names ...string) {
	t.Helper()
	if err := os.MkdirAll(docsScreenshotDir, 0o755); err != nil {
		t.Fatalf("docs screenshot directory: %v", err)
	}
	for _, n := range names {
		b, err := os.ReadFile(filepath.Join(screenshotDir, n+".png"))
		if errors.Is(err, os.ErrNotExist) {
			t.Fatalf("no screenshot %s to copy into %s", n, docsScreenshotDir)
		} else if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(docsScreenshotDir, n+".png"), b, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("updated %s", filepath.Join("docs/screenshots", n+".png"))
	}
}
