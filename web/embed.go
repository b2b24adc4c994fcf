// Package web holds the static assets (vendored USWDS and htmx, our own CSS and JS) and serves
// them with content-hashed URLs and long-lived cache headers.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"strings"
)

//go:embed static
var staticFS embed.FS

// Assets serves the static files and names them with their content hash.
type Assets struct {
	fsys   fs.FS
	hashes map[string]string
}

// NewAssets hashes every embedded file.
func NewAssets() (*Assets, error) {
	sub, err := fs.Sub(staticFS, "static")
	if err != nil {
		return nil, err
	}
	a := &Assets{fsys: sub, hashes: map[string]string{}}
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(sub, p)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		a.hashes[p] = hex.EncodeToString(sum[:])[:12]
		return nil
	})
	return a, err
}

// Path returns the URL of a static file with its content hash, e.g. /static/css/app.css?v=1a2b3c4d5e6f.
func (a *Assets) Path(name string) string {
	return "/static/" + name + "?v=" + a.hashes[name]
}

// Handler serves /static/...; a request carrying the current content hash is cacheable for a year.
func (a *Assets) Handler() http.Handler {
	files := http.StripPrefix("/static/", http.FileServerFS(a.fsys))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := strings.TrimPrefix(r.URL.Path, "/static/")
		if h, ok := a.hashes[name]; ok && r.URL.Query().Get("v") == h {
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		} else {
			w.Header().Set("Cache-Control", "public, max-age=3600")
		}
		if strings.HasSuffix(name, "/") || name == "" {
			http.NotFound(w, r)
			return
		}
		files.ServeHTTP(w, r)
	})
}
