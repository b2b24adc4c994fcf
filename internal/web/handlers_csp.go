package web

import (
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strings"
)

// cspReportPath is where browsers send Content Security Policy violation reports: the policy's
// report-uri names it.
//
// The policy has report-uri and no report-to on purpose: when report-to is present Chromium ignores
// report-uri and delivers through the Reporting API, which batches reports for up to a minute. The
// endpoint already accepts the Reporting API's format, so switching needs only the header.
const cspReportPath = "/csp-report"

// maxCSPReportBytes bounds one report body; a browser's report is well under 4 KiB.
const maxCSPReportBytes = 16 << 10

// maxCSPReports bounds the reports counted from one Reporting API batch.
const maxCSPReports = 20

// cspViolation is the part of a violation report that is logged: the fields both report formats have.
type cspViolation struct {
	Document  string
	Directive string
	Blocked   string
	Source    string
	Line      int
}

// handleCSPReport logs and counts the violation reports a browser sends. It keeps no other state and
// answers 204; anything but a report (another content type, a body over maxCSPReportBytes, JSON of
// another shape) is refused.
func (s *Server) handleCSPReport(w http.ResponseWriter, r *http.Request) {
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if ct != "application/csp-report" && ct != "application/reports+json" {
		http.Error(w, "unsupported media type", http.StatusUnsupportedMediaType)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxCSPReportBytes))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			http.Error(w, "report too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "bad report", http.StatusBadRequest)
		return
	}
	vs, ok := parseCSPReport(ct, body)
	if !ok {
		http.Error(w, "bad report", http.StatusBadRequest)
		return
	}
	for _, v := range vs {
		s.metrics.cspReports.WithLabelValues(cspDirectiveLabel(v.Directive)).Inc()
		s.Logger.WarnContext(r.Context(), "csp violation", "request_id", requestID(r.Context()),
			"document", clip(v.Document), "directive", clip(v.Directive), "blocked", clip(v.Blocked),
			"source", clip(v.Source), "line", v.Line)
	}
	w.WriteHeader(http.StatusNoContent)
}

// parseCSPReport reads a report-uri body ({"csp-report": {...}}) or a Reporting API batch
// ([{"type": "csp-violation", "body": {...}}, ...]).
func parseCSPReport(contentType string, body []byte) ([]cspViolation, bool) {
	if contentType == "application/csp-report" {
		var rep struct {
			Report *struct {
				Document  string `json:"document-uri"`
				Violated  string `json:"violated-directive"`
				Effective string `json:"effective-directive"`
				Blocked   string `json:"blocked-uri"`
				Source    string `json:"source-file"`
				Line      int    `json:"line-number"`
			} `json:"csp-report"`
		}
		if json.Unmarshal(body, &rep) != nil || rep.Report == nil {
			return nil, false
		}
		d := rep.Report.Effective
		if d == "" {
			d, _, _ = strings.Cut(rep.Report.Violated, " ")
		}
		return []cspViolation{{rep.Report.Document, d, rep.Report.Blocked, rep.Report.Source, rep.Report.Line}}, true
	}
	var batch []struct {
		Type string `json:"type"`
		Body struct {
			Document  string `json:"documentURL"`
			Effective string `json:"effectiveDirective"`
			Blocked   string `json:"blockedURL"`
			Source    string `json:"sourceFile"`
			Line      int    `json:"lineNumber"`
		} `json:"body"`
	}
	if json.Unmarshal(body, &batch) != nil {
		return nil, false
	}
	var out []cspViolation
	for _, b := range batch {
		if b.Type != "csp-violation" || len(out) == maxCSPReports {
			continue
		}
		out = append(out, cspViolation{b.Body.Document, b.Body.Effective, b.Body.Blocked, b.Body.Source, b.Body.Line})
	}
	return out, true
}

// cspDirectiveLabel keeps the metric's label set fixed whatever a client sends.
func cspDirectiveLabel(d string) string {
	switch d {
	case "default-src", "script-src", "script-src-elem", "script-src-attr", "style-src", "style-src-elem",
		"style-src-attr", "img-src", "font-src", "connect-src", "object-src", "base-uri", "frame-ancestors",
		"form-action", "frame-src", "child-src", "worker-src", "media-src", "manifest-src":
		return d
	}
	return "other"
}

// clip bounds a client-supplied string before it is logged.
func clip(s string) string {
	const n = 300
	if len(s) > n {
		return strings.ToValidUTF8(s[:n], "") + "…"
	}
	return s
}

// csrfExceptReports is the cross-origin check (s.csrf) for every request but a CSP report. Browsers
// send violation reports on their own, without the page's involvement, and not always with a
// same-origin Sec-Fetch-Site or Origin (Reporting API uploads come from the browser's network
// service), so the check could drop genuine reports. Exempting the endpoint gives a forger nothing:
// it is an infra route (no session is loaded, so no cookie lends it authority), it accepts only the
// two report media types (which a cross-site form cannot send, and fetch cannot without a CORS
// preflight the portal never grants), its body is bounded, and its only effect is a log line and a
// counter — which any client could produce by posting directly.
func (s *Server) csrfExceptReports(next http.Handler) http.Handler {
	checked := s.csrf(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == cspReportPath {
			next.ServeHTTP(w, r)
			return
		}
		checked.ServeHTTP(w, r)
	})
}
