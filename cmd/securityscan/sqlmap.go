package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"
)

// sqlmapJob is one sqlmap run: one request shape, every parameter of it marked as an injection point.
type sqlmapJob struct {
	Name    string   // "POST /products/{id}/details"
	Persona string   // who the request runs as ("" for the anonymous visitor)
	Points  []string // the parameters tested, in marker order
	Profile string   // deep or quick (points.go)
	Setup   string   // what was done so the plain request is accepted (baseline.go)
	args    []string
}

// sqlmapResult is what one run found.
type sqlmapResult struct {
	Job          string        `json:"job"`
	Persona      string        `json:"persona"`
	Points       []string      `json:"points"`
	Profile      string        `json:"profile"`
	Setup        string        `json:"setup,omitempty"`
	Verdict      string        `json:"verdict"` // not-injectable, INJECTABLE, server-errors, error, timeout
	Detail       string        `json:"detail,omitempty"`
	ServerErrors int           `json:"server_errors,omitempty"`
	Duration     time.Duration `json:"duration_ns"`
}

func (r sqlmapResult) ok() bool { return r.Verdict == "not-injectable" }

// stage orders the jobs: routes that remove what other jobs still use run after the rest, and
// routes that move a product or an edition on (so its forms close) run last.
func stage(pattern string) int {
	for _, s := range []string{"/transitions", "/rescind", "/decision", "/disseminate", "/deactivate", "/reactivate", "/steering"} {
		if strings.HasSuffix(pattern, s) {
			return 2
		}
	}
	for _, s := range []string{"/delete", "/restore"} {
		if strings.HasSuffix(pattern, s) {
			return 1
		}
	}
	return 0
}

// sqlmapArgs are the options every run shares, then the profile's level and risk.
//
// Techniques: boolean-based blind, error-based, stacked queries and time-based blind (BEST), the
// four that find an injection into a PostgreSQL statement built from input; UNION and inline-query
// tests need the injected statement's result rendered in the page and would only repeat what the
// boolean tests see, at many requests per parameter. --time-sec 2: the portal answers in
// milliseconds on loopback, and sqlmap confirms every delay it sees with further requests.
func sqlmapArgs(prof scanProfile) []string {
	return []string{"--batch", "--dbms=PostgreSQL", "--technique=BEST", "--time-sec=2",
		"--level=" + strconv.Itoa(prof.Level), "--risk=" + strconv.Itoa(prof.Risk),
		"--flush-session", "--keep-alive", "--timeout=30", "--retries=1", "--disable-coloring",
		// the portal has no WAF; sqlmap's WAF probe is one more request per run
		"--skip-waf", "--text-only",
		// the sign-in callback answers a made-up code with 401, which sqlmap otherwise takes for a
		// credentials problem and stops; here it is the answer to judge
		"--ignore-code=401",
		// POST → 303: judge the answer itself; following it doubles the requests and compares pages
		// the injected value never reaches. A --csrf-token pattern (baseline.go) is a regular
		// expression, which sqlmap asks about.
		"--answers=follow=N,regular expression=Y"}
}

// buildJob marks the named path variables ("path#1", …) and parameters of t with sqlmap's custom
// injection marker; the others are sent with their plain values.
func buildJob(t *target, base *url.URL, s *session, names []string, prof scanProfile) sqlmapJob {
	j := sqlmapJob{Name: t.key(), Persona: t.Persona, Profile: prof.Name}
	_, vars := match([]route{*t.Route}, t.Method, t.URL.Path)
	path := t.URL.Path
	var marked strings.Builder
	last := 0
	for i, v := range vars {
		if t.Route.Pattern == "/static/*" {
			break
		}
		name := fmt.Sprintf("path#%d", i+1)
		if !containsName(names, name) {
			continue
		}
		marked.WriteString(path[last:v[1]])
		marked.WriteString("*")
		last = v[1]
		j.Points = append(j.Points, name)
	}
	marked.WriteString(path[last:])
	mark := func(f field) string {
		if containsName(names, f.Name) {
			j.Points = append(j.Points, f.Name)
			return "*"
		}
		return ""
	}
	var body []string
	var multi strings.Builder
	const boundary = "----tearlinescan7MA4YWxkTrZu0gW"
	for _, f := range t.Fields {
		m := mark(f)
		body = append(body, url.QueryEscape(f.Name)+"="+url.QueryEscape(f.Value)+m)
		fmt.Fprintf(&multi, "--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s%s\r\n", boundary, f.Name, f.Value, m)
	}
	args := sqlmapArgs(prof)
	if s.header() != "" {
		args = append(args, "--cookie", s.header())
	}
	if t.Method == "GET" {
		u := base.String() + marked.String()
		if len(body) > 0 {
			u += "?" + strings.Join(body, "&")
		}
		j.args = append(args, "-u", u)
		return j
	}
	var payload string
	ctype := "application/x-www-form-urlencoded"
	if t.Multipart {
		ctype = "multipart/form-data; boundary=" + boundary
		b := &multi
		if t.FileField != "" {
			fmt.Fprintf(b, "--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"scan.txt\"\r\nContent-Type: text/plain\r\n\r\nscanner attachment\r\n", boundary, t.FileField)
		}
		fmt.Fprintf(b, "--%s--\r\n", boundary)
		payload = b.String()
	} else {
		payload = strings.Join(body, "&")
	}
	if payload == "" {
		payload = "scan=1" // sqlmap needs a body to send a POST; the handlers ignore unknown fields
	}
	j.args = append(args, "-u", base.String()+marked.String(), "--method", "POST", "--data", payload, "--headers", "Content-Type: "+ctype)
	return j
}

// sqlmapOutput reads a run's console output.
type sqlmapOutput struct {
	injectable, clean, serverErrors, baseline *regexp.Regexp
}

func newSqlmapOutput() sqlmapOutput {
	return sqlmapOutput{
		// sqlmap's closing summary; "appears to be ... injectable" lines may be withdrawn as false positives
		injectable:   regexp.MustCompile(`(?m)identified the following injection point|^Parameter: .+\(.+\)\s*$`),
		clean:        regexp.MustCompile(`all tested parameters do not appear to be injectable`),
		serverErrors: regexp.MustCompile(`Internal Server Error \(500\) - (\d+) times`),
		baseline:     regexp.MustCompile(`the web server responded with an HTTP error code \((\d+)\)`),
	}
}

// verdict classifies one run's output.
func (o sqlmapOutput) verdict(out []byte) (verdict, detail string, errs int) {
	if m := o.serverErrors.FindSubmatch(out); m != nil {
		errs, _ = strconv.Atoi(string(m[1]))
	}
	switch {
	case o.injectable.Match(out):
		return "INJECTABLE", firstLine(out, o.injectable), errs
	case errs > 0:
		return "server-errors", "the portal answered 500 to injected input", errs
	case o.clean.Match(out):
		return "not-injectable", "", 0
	}
	return "error", lastCritical(out), 0
}

func firstLine(out []byte, re *regexp.Regexp) string {
	for _, l := range strings.Split(string(out), "\n") {
		if re.MatchString(l) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}

func lastCritical(out []byte) string {
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	for i := len(lines) - 1; i >= 0; i-- {
		if strings.Contains(lines[i], "[CRITICAL]") || strings.Contains(lines[i], "[ERROR]") {
			return strings.TrimSpace(lines[i])
		}
	}
	if len(lines) > 0 {
		return strings.TrimSpace(lines[len(lines)-1])
	}
	return "no output"
}

// runSqlmap runs the jobs on a few workers until done or until ctx ends; a job that could not finish
// is a failure, never a pass.
func runSqlmap(ctx context.Context, jobs []sqlmapJob, workers int, dir string, perJob time.Duration) []sqlmapResult {
	results := make([]sqlmapResult, len(jobs))
	next := make(chan int)
	var wg sync.WaitGroup
	out := newSqlmapOutput()
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				results[i] = runOne(ctx, jobs[i], i, dir, perJob, out)
			}
		}()
	}
	for i := range jobs {
		if ctx.Err() != nil {
			results[i] = sqlmapResult{Job: jobs[i].Name, Persona: jobs[i].Persona, Points: jobs[i].Points, Verdict: "timeout", Detail: "not started within the scan budget"}
			continue
		}
		select {
		case next <- i:
		case <-ctx.Done():
			results[i] = sqlmapResult{Job: jobs[i].Name, Persona: jobs[i].Persona, Points: jobs[i].Points, Verdict: "timeout", Detail: "not started within the scan budget"}
		}
	}
	close(next)
	wg.Wait()
	return results
}

func runOne(ctx context.Context, j sqlmapJob, i int, dir string, perJob time.Duration, o sqlmapOutput) sqlmapResult {
	res := sqlmapResult{Job: j.Name, Persona: j.Persona, Points: j.Points, Profile: j.Profile, Setup: j.Setup}
	jobDir := filepath.Join(dir, fmt.Sprintf("job%03d", i))
	if err := os.MkdirAll(jobDir, 0o750); err != nil {
		res.Verdict, res.Detail = "error", err.Error()
		return res
	}
	args := append([]string{}, j.args...)
	args = append(args, "--output-dir", jobDir)
	jctx, cancel := context.WithTimeout(ctx, perJob)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(jctx, "sqlmap", args...) // #nosec G204 -- fixed program; arguments are our own request shapes
	cmd.Env = append(os.Environ(), "TERM=dumb")
	output, err := cmd.CombinedOutput()
	res.Duration = time.Since(start)
	_ = os.WriteFile(filepath.Join(jobDir, "console.log"), output, 0o600)
	if jctx.Err() != nil {
		res.Verdict, res.Detail = "timeout", fmt.Sprintf("killed after %s", perJob)
		if errors.Is(ctx.Err(), context.DeadlineExceeded) {
			res.Detail = "the scan budget ran out"
		}
		return res
	}
	res.Verdict, res.Detail, res.ServerErrors = o.verdict(output)
	if m := o.baseline.FindSubmatch(output); m != nil && res.Detail == "" {
		// the request with the plain values was refused (a stale rev, a value the form rejects): the
		// injected values were judged against that answer, and may not have reached the query
		res.Detail = "plain request answered " + string(m[1])
	}
	if res.Verdict == "error" && err != nil {
		res.Detail += " (" + err.Error() + ")"
	}
	return res
}
