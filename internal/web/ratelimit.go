package web

import (
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/go-chi/httprate"

	"tearline/internal/user"
	"tearline/internal/web/views"
)

// Limit is a request budget: at most Requests per Window and key. Zero Requests means no limit.
type Limit struct {
	Requests int
	Window   time.Duration
}

// Limits are the budgets of the route classes attackers automate. Each is counted per signed-in
// user, or per client address before sign-in.
type Limits struct {
	SignIn Limit // /auth/login and the identity providers' callbacks
	Search Limit // /search
	Export Limit // the audit CSV export and attachment downloads
}

// limitClass names the budget a route draws on.
type limitClass string

const (
	limitSignIn limitClass = "sign-in"
	limitSearch limitClass = "search"
	limitExport limitClass = "export"
)

// limitClassOf says which budget, if any, a route of the table draws on.
func limitClassOf(method, pattern string) limitClass {
	switch method + " " + pattern {
	case "GET /auth/login", "GET /auth/callback/{provider}":
		return limitSignIn
	case "GET /search":
		return limitSearch
	case "GET /audit.csv", "GET /products/{id}/attachments/{aid}", "GET /editions/{id}/attachments/{aid}":
		return limitExport
	}
	return ""
}

// rateLimiters builds one in-memory limiter per configured budget (httprate: a sliding window per
// key; old windows are dropped, so memory stays bounded by the keys active in two windows).
func (s *Server) rateLimiters() map[limitClass]*httprate.RateLimiter {
	out := map[limitClass]*httprate.RateLimiter{}
	for class, l := range map[limitClass]Limit{limitSignIn: s.Limits.SignIn, limitSearch: s.Limits.Search, limitExport: s.Limits.Export} {
		if l.Requests > 0 && l.Window > 0 {
			out[class] = httprate.NewRateLimiter(l.Requests, l.Window,
				httprate.WithKeyFuncs(rateKey), httprate.WithLimitHandler(s.tooManyRequests(class)),
				httprate.WithResponseHeaders(httprate.ResponseHeaders{RetryAfter: "Retry-After"}))
		}
	}
	return out
}

// rateLimit draws the request from the route's budget, if it has one; over budget it answers 429.
// It runs after the principal is loaded, so a signed-in user is counted as the user wherever they
// connect from, and before the route's gate and handler do any work.
func (s *Server) rateLimit(limiters map[limitClass]*httprate.RateLimiter, method, pattern string, next http.Handler) http.Handler {
	l, ok := limiters[limitClassOf(method, pattern)]
	if !ok {
		return next
	}
	return l.Handler(next)
}

// rateKey is the signed-in user, or the client address before sign-in (IPv6 by its /64).
func rateKey(r *http.Request) (string, error) {
	if p := user.PrincipalFrom(r.Context()); p != nil {
		return "user:" + strconv.FormatInt(p.UserID, 10), nil
	}
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	return "addr:" + httprate.CanonicalizeIP(host), nil
}

// tooManyRequests answers a request over its budget: 429 with Retry-After (set by the limiter)
// and a page that says when to try again.
func (s *Server) tooManyRequests(class limitClass) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key, _ := rateKey(r)
		s.Logger.WarnContext(r.Context(), "rate limit reached", "request_id", requestID(r.Context()),
			"limit", string(class), "key", key, "path", r.URL.Path)
		wait := w.Header().Get("Retry-After")
		if wait == "" {
			wait = "60"
			w.Header().Set("Retry-After", wait)
		}
		msg := "Too many " + string(class) + " requests in a short time. Wait " + wait + " seconds, then try again."
		s.render(w, r, http.StatusTooManyRequests, views.ErrorPage(s.page(r, "Too many requests", ""), http.StatusTooManyRequests, "Too many requests", msg))
	}
}
