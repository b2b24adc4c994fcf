package main

import (
	"io"
	"net/http"
	"regexp"
	"runtime"
	"strings"
	"testing"
)

// leakRE matches what an error answer must never show: stack traces, Go source positions, SQL and
// driver errors, and the names and versions of the software underneath.
var leakRE = regexp.MustCompile(`goroutine \d+ \[|panic: |runtime/debug|runtime\.gopanic|\.go:\d+|\bgo1\.\d+|` +
	regexp.QuoteMeta(runtime.Version()) + `|SQLSTATE|jackc/pgx|pgconn|pq: |ERROR: .* \(SQLSTATE|\bSELECT [^<]{0,200} FROM |` +
	`\bINSERT INTO |\bUPDATE [a-z_]+ SET |syntax error at|strconv\.Parse|: invalid syntax|go-chi/chi|a-h/templ|casbin/|` +
	`alexedwards/scs|zitadel/|Go-http-client|net/http: `)

// No error answer shows a stack trace, SQL or software versions, in its body or its headers; no
// response names the server software; TRACE is refused on every path; pprof, .git and .env are not
// served; and a panic in a handler becomes the generic 500 page (see internal/web TestPanicIsAGeneric500).
func TestNoInformationLeakage(t *testing.T) {
	for _, leak := range []string{"goroutine 7 [running]:", "ERROR: syntax error at or near \"x\" (SQLSTATE 42601)", "handlers_product.go:42", runtime.Version()} {
		if !leakRE.MatchString(leak) {
			t.Fatalf("leakRE does not catch %q", leak)
		}
	}
	a := newTestApp(t)
	seedDemoEditions(t, a)
	anon := a.browser(t)
	dana := a.browser(t)
	dana.signIn("analyst@hstc")
	noRedirect := func(b *browser) *http.Client {
		c := *b.c
		c.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
		return &c
	}

	check := func(who string, c *http.Client, req *http.Request, want int) {
		t.Helper()
		resp, err := c.Do(req)
		if err != nil {
			t.Fatalf("%s %s: %v", req.Method, req.URL, err)
		}
		defer resp.Body.Close()
		buf := new(strings.Builder)
		_, _ = bufCopy(buf, resp)
		where := who + " " + req.Method + " " + req.URL.RequestURI()
		if want != 0 && resp.StatusCode != want {
			t.Errorf("%s: status %d, want %d", where, resp.StatusCode, want)
		}
		if m := leakRE.FindString(buf.String()); m != "" {
			t.Errorf("%s: the body gives away %.200q", where, m)
		}
		for k, vs := range resp.Header {
			if k == "Content-Security-Policy" {
				continue
			}
			for _, v := range vs {
				if m := leakRE.FindString(v); m != "" {
					t.Errorf("%s: header %s gives away %q", where, k, m)
				}
			}
		}
		if resp.Header.Get("Server") != "" || resp.Header.Get("X-Powered-By") != "" || resp.Header.Get("X-AspNet-Version") != "" {
			t.Errorf("%s: the response names its software: %v", where, resp.Header)
		}
	}
	req := func(method, path, contentType, body string) *http.Request {
		r, _ := http.NewRequest(method, a.URL+path, strings.NewReader(body))
		if contentType != "" {
			r.Header.Set("Content-Type", contentType)
		}
		if method == http.MethodPost {
			r.Header.Set("Origin", a.URL)
			r.Header.Set("Sec-Fetch-Site", "same-origin")
		}
		return r
	}

	t.Run("forced errors", func(t *testing.T) {
		draft := itoa(int64(a.countRows(t, `SELECT min(p.id) FROM product p JOIN product_author pa ON pa.product_id = p.id
			JOIN app_user u ON u.id = pa.user_id WHERE u.subject = 'analyst@hstc' AND p.state = 'draft'`)))
		cases := []struct {
			method, path, ct, body string
			want                   int
		}{
			{"GET", "/products/abc", "", "", 404},
			{"GET", "/products/99999999999999999999999999", "", "", 404},
			{"GET", "/products/-1", "", "", 404},
			{"GET", "/products/0x10", "", "", 404},
			{"GET", "/products/9223372036854775807", "", "", 404},
			{"GET", "/editions/1e9", "", "", 404},
			{"GET", "/editions/99999999999999999999/attachments/1", "", "", 404},
			{"GET", "/products/" + draft + "/versions/compare?from=x&to=99999999999999999999", "", "", 0},
			{"GET", "/products/" + draft + "/attachments/99999999999999999999", "", "", 404},
			{"GET", "/search?q=" + strings.Repeat("%22a+OR+-", 200), "", "", 0},
			{"GET", "/search?q=%00%27%22%5C%3B--&type=%00&from=9999-99-99&page=-1", "", "", 0},
			{"GET", "/inbox?from=2026-13-45&page=99999999999999999999", "", "", 0},
			{"GET", "/audit?from=not-a-date&before=-5&user_id=1%27", "", "", 0},
			{"GET", "/admin/users?agency=%27%3BDROP", "", "", 0},
			{"POST", "/products/" + draft + "/details", "application/x-www-form-urlencoded", "rev=%zz&title=%", 0},
			{"POST", "/products/" + draft + "/details", "application/x-www-form-urlencoded", "rev=99999999999999999999&title=x", 0},
			{"POST", "/products/" + draft + "/portions/99999999999999999999", "application/x-www-form-urlencoded", "rev=1&kind=%00", 404},
			{"POST", "/products/" + draft + "/attachments", "multipart/form-data; boundary=nope", "--broken\r\n", 0},
			{"POST", "/products/" + draft + "/attachments", "multipart/form-data", "", 0},
			{"POST", "/products", "application/x-www-form-urlencoded", "type=ZZ&title=" + strings.Repeat("x", 1000), 0},
			{"POST", "/products/" + draft + "/transitions", "application/x-www-form-urlencoded", "action=%27%3B", 0},
			{"POST", "/products/" + draft + "/sources", "application/json", `{"x":1}`, 0},
			{"POST", "/notice", "application/x-www-form-urlencoded", strings.Repeat("a=b&", 30000), 0},
			{"GET", "/nonexistent/%2e%2e/%2e%2e/etc/passwd", "", "", 404},
		}
		for _, c := range cases {
			check("analyst", noRedirect(dana), req(c.method, c.path, c.ct, c.body), c.want)
		}
		if strings.Contains(a.Logs.String(), `"msg":"panic"`) {
			t.Errorf("a forced error panicked:\n%s", grepLines(a.Logs.String(), `"panic"`))
		}
	})

	t.Run("no debug or repository paths", func(t *testing.T) {
		for _, p := range []string{"/debug/pprof/", "/debug/pprof/heap", "/debug/pprof/goroutine?debug=2", "/debug/vars", "/metrics",
			"/.git/config", "/.git/HEAD", "/.env", "/static/.env", "/static/../.env", "/static/.git/config", "/go.mod",
			"/static/../../go.mod", "/server-status", "/.well-known/security.txt~", "/backup.sql"} {
			for who, b := range map[string]*browser{"anonymous": anon, "analyst": dana} {
				check(who, noRedirect(b), req("GET", p, "", ""), http.StatusNotFound)
			}
		}
	})

	t.Run("TRACE refused everywhere", func(t *testing.T) {
		paths := []string{"/nonexistent", "/debug/pprof/", "/.git/config"}
		for _, r := range a.app.server.Routes() {
			paths = append(paths, concrete(r.Pattern))
		}
		for _, p := range paths {
			for _, m := range []string{http.MethodTrace, "TRACK"} {
				r := req(m, p, "", "")
				r.Header.Set("X-Probe", "echo-me")
				resp, err := noRedirect(dana).Do(r)
				if err != nil {
					t.Fatal(err)
				}
				body := new(strings.Builder)
				_, _ = bufCopy(body, resp)
				resp.Body.Close()
				if resp.StatusCode != http.StatusMethodNotAllowed || strings.Contains(body.String(), "echo-me") {
					t.Errorf("%s %s: status %d (want 405), echoes headers %v", m, p, resp.StatusCode, strings.Contains(body.String(), "echo-me"))
				}
			}
		}
	})
}

// bufCopy reads the response body into b, at most 1 MiB.
func bufCopy(b *strings.Builder, resp *http.Response) (int64, error) {
	return io.Copy(b, io.LimitReader(resp.Body, 1<<20))
}
