package web

import (
	"fmt"
	"net/http"

	"github.com/alexedwards/scs/v2"
)

// sessionGuard is the writer the session middleware writes through. scs commits the session when
// the handler first writes; if that commit fails (the database went away after the handler had
// read what it needed), scs calls its ErrorFunc with this writer and then lets the handler's own
// status and body through. The guard makes the error page the whole answer: once it is written,
// everything else is dropped.
type sessionGuard struct {
	http.ResponseWriter
	failed bool
}

func (g *sessionGuard) WriteHeader(code int) {
	if !g.failed {
		g.ResponseWriter.WriteHeader(code)
	}
}

func (g *sessionGuard) Write(b []byte) (int, error) {
	if g.failed {
		return len(b), nil
	}
	return g.ResponseWriter.Write(b)
}

func (g *sessionGuard) Unwrap() http.ResponseWriter { return g.ResponseWriter }

// withSessions loads and saves the session around h; a session store that cannot be read or
// written answers like any other database failure (503 when it is unavailable), never with content.
func (s *Server) withSessions(sessions *scs.SessionManager, h http.Handler) http.Handler {
	inner := sessions.LoadAndSave(h)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		inner.ServeHTTP(&sessionGuard{ResponseWriter: w}, r)
	})
}

// sessionError is the session manager's ErrorFunc.
func (s *Server) sessionError(w http.ResponseWriter, r *http.Request, err error) {
	s.renderError(w, r, fmt.Errorf("session store: %w", err))
	if g, ok := w.(*sessionGuard); ok {
		g.failed = true
	}
}
