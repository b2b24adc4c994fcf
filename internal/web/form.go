package web

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/go-chi/chi/v5"

	"tearline/internal/apperr"
)

// Form size limits. A portion may hold product.MaxPortionBody characters, which URL-encode to up to
// 9 bytes each (a 3-byte UTF-8 character as three %XX escapes), plus its marking fields.
const (
	maxFormBytes        = 64 << 10
	maxPortionFormBytes = 9*100_000 + 64<<10
)

// parseForm reads a POST form of bounded size.
func parseForm(w http.ResponseWriter, r *http.Request) error {
	return parseFormLimit(w, r, maxFormBytes)
}

// parseFormLimit reads a POST form of at most limit bytes.
func parseFormLimit(w http.ResponseWriter, r *http.Request, limit int64) error {
	r.Body = http.MaxBytesReader(w, r.Body, limit)
	if err := r.ParseForm(); err != nil {
		return apperr.Errorf(apperr.EINVALID, "The form could not be read. Please try again.")
	}
	return storableValues(r.PostForm, errUnstorableForm) // the query: refuseUnstorableQuery
}

// PostgreSQL text cannot hold a NUL character or bytes that are not UTF-8; such input is refused
// with a message before any handler sees it, rather than failing in the database.
var (
	errUnstorableForm = apperr.Errorf(apperr.EINVALID,
		"The form contains a character that cannot be stored (a NUL character or text that is not valid UTF-8). Nothing was saved; remove it and try again.")
	errUnstorableQuery = apperr.Errorf(apperr.EINVALID,
		"The address contains a character that cannot be used (a NUL character or text that is not valid UTF-8).")
)

// storable reports whether s can be stored as PostgreSQL text.
func storable(s string) bool { return utf8.ValidString(s) && !strings.ContainsRune(s, 0) }

// storableValues returns refusal when a name or value of vs cannot be stored, nil otherwise.
func storableValues(vs url.Values, refusal error) error {
	for k, list := range vs {
		if !storable(k) {
			return refusal
		}
		for _, v := range list {
			if !storable(v) {
				return refusal
			}
		}
	}
	return nil
}

// refuseUnstorableQuery answers 422 to a query string with a NUL character or invalid UTF-8 in a
// name or value, for every route (handlers read the query without parseForm).
func (s *Server) refuseUnstorableQuery(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.RawQuery != "" {
			if err := storableValues(r.URL.Query(), errUnstorableQuery); err != nil {
				s.renderError(w, r, err)
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

func formBool(r *http.Request, name string) bool { return r.PostForm.Get(name) == "on" }

func formString(r *http.Request, name string) string { return strings.TrimSpace(r.PostForm.Get(name)) }

// idParam reads a positive integer URL parameter; anything else is not found.
func idParam(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(chi.URLParam(r, name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFound()
	}
	return id, nil
}
