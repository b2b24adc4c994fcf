package web

import (
	"net/http"
	"strconv"
	"strings"

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
	return nil
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
