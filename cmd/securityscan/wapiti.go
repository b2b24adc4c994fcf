package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// wapitiModules are the attack modules that run offline (nikto and wapp download their databases).
const wapitiModules = "xss,permanentxss,sql,blindsql,exec,file,crlf,redirect,ssrf,csrf,methods,csp,http_headers,cookieflags"

// wapitiFinding is one entry of a wapiti JSON report section.
type wapitiFinding struct {
	Category  string `json:"-"`
	Method    string `json:"method"`
	Path      string `json:"path"`
	Info      string `json:"info"`
	Level     int    `json:"level"`
	Parameter string `json:"parameter"`
	Request   string `json:"http_request"`
	Waived    string `json:"waived,omitempty"`
}

type wapitiReport struct {
	Vulnerabilities map[string][]wapitiFinding `json:"vulnerabilities"`
	Anomalies       map[string][]wapitiFinding `json:"anomalies"`
}

// findings flattens a report section in a stable order.
func findings(sec map[string][]wapitiFinding) []wapitiFinding {
	var out []wapitiFinding
	cats := make([]string, 0, len(sec))
	for c := range sec {
		cats = append(cats, c)
	}
	slices.Sort(cats)
	for _, c := range cats {
		for _, f := range sec[c] {
			f.Category = c
			out = append(out, f)
		}
	}
	return out
}

// ssrfCanary is a loopback stand-in for wapiti's SSRF endpoint: the payloads point here, and a
// request that arrives means the portal fetched a URL it was given.
type ssrfCanary struct {
	mu   sync.Mutex
	hits map[string]map[string]map[string][]map[string]string // session → path id → hex param → requests
	srv  *http.Server
	url  string
}

func startSSRFCanary() (*ssrfCanary, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	c := &ssrfCanary{hits: map[string]map[string]map[string][]map[string]string{}, url: "http://" + ln.Addr().String() + "/"}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /get_ssrf.php", func(w http.ResponseWriter, r *http.Request) {
		c.mu.Lock()
		defer c.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		hits := c.hits[r.URL.Query().Get("id")]
		if hits == nil {
			hits = map[string]map[string][]map[string]string{}
		}
		_ = json.NewEncoder(w).Encode(hits)
	})
	mux.HandleFunc("/ssrf/", func(w http.ResponseWriter, r *http.Request) {
		// ssrf/{session}/{path id}/{hex param}/
		parts := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/ssrf/"), "/"), "/")
		if len(parts) >= 3 {
			c.mu.Lock()
			s := c.hits[parts[0]]
			if s == nil {
				s = map[string]map[string][]map[string]string{}
				c.hits[parts[0]] = s
			}
			if s[parts[1]] == nil {
				s[parts[1]] = map[string][]map[string]string{}
			}
			s[parts[1]][parts[2]] = append(s[parts[1]][parts[2]], map[string]string{
				"method": r.Method, "url": r.URL.String(), "ip": r.RemoteAddr, "date": time.Now().UTC().Format(time.RFC3339), "size": "0"})
			c.mu.Unlock()
		}
		w.WriteHeader(http.StatusOK)
	})
	c.srv = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() { _ = c.srv.Serve(ln) }()
	return c, nil
}

func (c *ssrfCanary) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := 0
	for _, s := range c.hits {
		for _, p := range s {
			for _, reqs := range p {
				n += len(reqs)
			}
		}
	}
	return n
}

// runWapiti scans the portal as one persona and returns the findings that are not waived.
func runWapiti(ctx context.Context, p *portal, s *session, dir string, scanTime time.Duration, canary *ssrfCanary, log io.Writer) (vulns, anomalies []wapitiFinding, err error) {
	out := filepath.Join(dir, "wapiti-"+safeName(s.persona)+".json")
	// Never sign the scanner out, nor let it wander into the sign-in flow: its front answers those
	// paths 404 (signed-in pages link neither the identity provider nor sign-in anyway).
	front, stop, err := p.guardedFront(func(r *http.Request) bool {
		return strings.HasPrefix(r.URL.Path, "/auth/") || strings.HasPrefix(r.URL.Path, "/demo-idp/")
	})
	if err != nil {
		return nil, nil, err
	}
	defer stop()
	base := front.String()
	args := []string{
		"-u", base + "/", "--scope", "folder", "-m", wapitiModules,
		"-H", "Cookie: " + s.header(),
		"-f", "json", "-o", out,
		"--flush-session", "--no-bugreport", "--verify-ssl", "0",
		"--store-session", filepath.Join(dir, "wapiti-session-"+safeName(s.persona)),
		"--store-config", filepath.Join(dir, "wapiti-config"),
		"--endpoint", canary.url,
		"--max-scan-time", strconv.Itoa(int(scanTime.Seconds())),
		"--max-attack-time", strconv.Itoa(int(scanTime.Seconds()) / 4),
		"-d", "4", "--max-links-per-page", "40", "--max-files-per-dir", "30", "-t", "20",
	}
	cmd := exec.CommandContext(ctx, "wapiti", args...) // #nosec G204 -- fixed program and our own arguments
	cmd.Env = append(os.Environ(), "HOME="+dir, "TERM=dumb")
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		return nil, nil, fmt.Errorf("wapiti as %s: %w", s.persona, err)
	}
	raw, err := os.ReadFile(out) // #nosec G304 -- our own output file
	if err != nil {
		return nil, nil, fmt.Errorf("wapiti as %s wrote no report: %w", s.persona, err)
	}
	var rep wapitiReport
	if err := json.Unmarshal(raw, &rep); err != nil {
		return nil, nil, fmt.Errorf("wapiti report: %w", err)
	}
	for _, f := range findings(rep.Vulnerabilities) {
		if w := waiveCSRF(p, s, f); w != "" {
			f.Waived = w
		} else if w := waiveXSSAuditor(p, s, f); w != "" {
			f.Waived = w
		}
		vulns = append(vulns, f)
	}
	return vulns, findings(rep.Anomalies), nil
}

// waiveCSRF accepts wapiti's "Lack of anti CSRF token" only when the very form refuses a
// cross-site submission: the portal defends with Fetch Metadata and Origin checks
// (http.CrossOriginProtection), which wapiti's token heuristic cannot see. Anything else stands.
func waiveCSRF(p *portal, s *session, f wapitiFinding) string {
	// wapiti 3.0.4 files these under "Cross Site Request Forgery"
	if cat := strings.ToLower(f.Category); !strings.Contains(cat, "csrf") && !strings.Contains(cat, "request forgery") ||
		!strings.Contains(f.Info, "Lack of anti CSRF token") {
		return ""
	}
	u, err := url.Parse(f.Path)
	if err != nil {
		return ""
	}
	target := p.base.ResolveReference(&url.URL{Path: u.Path, RawQuery: u.RawQuery}).String()
	for _, h := range []map[string]string{
		{"Sec-Fetch-Site": "cross-site", "Origin": "https://attacker.example"},
		{"Origin": "https://attacker.example"},
	} {
		req, err := http.NewRequest(strings.ToUpper(orDefault(f.Method, "POST")), target, strings.NewReader(requestBody(f.Request)))
		if err != nil {
			return ""
		}
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Cookie", s.header())
		for k, v := range h {
			req.Header.Set(k, v)
		}
		resp, err := p.client(nil).Do(req)
		if err != nil {
			return ""
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusForbidden {
			return ""
		}
	}
	return "verified: the same request sent cross-site (Sec-Fetch-Site, or a foreign Origin alone) is refused with 403"
}

// waiveXSSAuditor accepts wapiti 3.0.4's "X-XSS-Protection is not set" only when the page sends
// X-XSS-Protection: 0 and a CSP whose script-src allows nonced scripts and no inline ones. Wapiti
// wants a value containing "1" (turn the auditor on); current guidance (OWASP Secure Headers, MDN) is
// "0" or nothing, because the auditor is gone from current browsers and could be abused in old ones,
// and the defence is the CSP. Anything else stands.
func waiveXSSAuditor(p *portal, s *session, f wapitiFinding) string {
	if !strings.Contains(f.Info, "X-XSS-Protection is not set") {
		return ""
	}
	u, err := url.Parse(f.Path)
	if err != nil {
		return ""
	}
	req, err := http.NewRequest(http.MethodGet, p.base.ResolveReference(&url.URL{Path: u.Path, RawQuery: u.RawQuery}).String(), nil)
	if err != nil {
		return ""
	}
	req.Header.Set("Cookie", s.header())
	resp, err := p.client(nil).Do(req)
	if err != nil {
		return ""
	}
	_ = resp.Body.Close()
	csp := resp.Header.Get("Content-Security-Policy")
	script := ""
	for _, d := range strings.Split(csp, ";") {
		if d = strings.TrimSpace(d); strings.HasPrefix(d, "script-src ") {
			script = d
		}
	}
	if resp.Header.Get("X-XSS-Protection") != "0" || !strings.Contains(script, "'nonce-") ||
		strings.Contains(script, "'unsafe-inline'") || strings.Contains(script, "*") {
		return ""
	}
	return "verified: the page sends X-XSS-Protection: 0 (the legacy auditor off, as OWASP advises) and a CSP whose script-src is nonce-only; wapiti 3.0.4 wants the auditor on"
}

func requestBody(raw string) string {
	raw = strings.ReplaceAll(raw, "\r\n", "\n")
	if i := strings.Index(raw, "\n\n"); i >= 0 {
		return strings.TrimSpace(raw[i+2:])
	}
	return ""
}

func safeName(s string) string {
	if s == "" {
		return "anonymous"
	}
	return strings.NewReplacer("@", "_at_", "/", "_", ".", "_").Replace(s)
}
