package web

import "net/http"

// refuseTrace answers TRACE and TRACK with 405 on every path, routed or not, before any handler or
// session sees the request (no cross-site tracing, and no 404 that would tell routed paths apart).
func (s *Server) refuseTrace(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodTrace || r.Method == "TRACK" {
			w.Header().Set("Allow", "GET, HEAD, POST")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		next.ServeHTTP(w, r)
	})
}
