package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/go-chi/chi/v5"

	"tearline/internal/apperr"
	"tearline/internal/authz"
	"tearline/internal/product"
	"tearline/internal/user"
	"tearline/internal/web/views"
)

// diffContext is how many unchanged lines a diff shows on each side of a change.
const diffContext = 3

// draftVersions loads the draft in the URL (read access) and its versions, newest first.
func (s *Server) draftVersions(w http.ResponseWriter, r *http.Request) (product.Product, []product.Version, bool) {
	d, ok := s.loadDraft(w, r, authz.ActRead)
	if !ok {
		return d, nil, false
	}
	vs, err := s.Store.FindVersions(r.Context(), user.PrincipalFrom(r.Context()).AgencyID, d.ID)
	if err != nil {
		s.renderError(w, r, err)
		return d, nil, false
	}
	return d, vs, true
}

func (s *Server) handleVersionList(w http.ResponseWriter, r *http.Request) {
	d, vs, ok := s.draftVersions(w, r)
	if !ok || !s.recordView(w, r, "product", d.ID, map[string]any{"page": "versions"}) {
		return
	}
	p := user.PrincipalFrom(r.Context())
	v := views.VersionListView{Product: d, Versions: vs,
		CanRestore: s.Authz.Can(r.Context(), p, authz.ActUpdate, authz.Authored(authz.TypeDraft, d.OwnerAgencyID, d.IsAuthor(p.UserID)))}
	if len(vs) > 1 {
		v.From, v.To = vs[1].Number, vs[0].Number
	}
	s.render(w, r, http.StatusOK, views.VersionList(s.page(r, "Version history: "+d.Title, "drafts"), v))
}

// handleVersionCompare shows the difference between versions ?from=N and ?to=M; an unknown number is 404.
func (s *Server) handleVersionCompare(w http.ResponseWriter, r *http.Request) {
	d, vs, ok := s.draftVersions(w, r)
	if !ok {
		return
	}
	from, okFrom := findVersion(vs, r.URL.Query().Get("from"))
	to, okTo := findVersion(vs, r.URL.Query().Get("to"))
	if !okFrom || !okTo {
		s.renderError(w, r, apperr.NotFound())
		return
	}
	if !s.recordView(w, r, "product", d.ID, map[string]any{"page": "compare", "from": from.Number, "to": to.Number}) {
		return
	}
	p := user.PrincipalFrom(r.Context())
	v := views.VersionCompareView{Product: d, Versions: vs, From: from, To: to,
		Diff: foldDiff(product.Diff(from.Snapshot, to.Snapshot), diffContext), Changed: product.Changed(from.Snapshot, to.Snapshot),
		CanEdit: s.Authz.Can(r.Context(), p, authz.ActUpdate, authz.Authored(authz.TypeDraft, d.OwnerAgencyID, d.IsAuthor(p.UserID)))}
	title := "Version " + strconv.Itoa(from.Number) + " and " + strconv.Itoa(to.Number) + ": " + d.Title
	s.render(w, r, http.StatusOK, views.VersionCompare(s.page(r, title, "drafts"), v))
}

func findVersion(vs []product.Version, number string) (product.Version, bool) {
	n, err := strconv.Atoi(number)
	if err != nil {
		return product.Version{}, false
	}
	for _, v := range vs {
		if v.Number == n {
			return v, true
		}
	}
	return product.Version{}, false
}

// foldDiff turns diff operations into display blocks, folding unchanged stretches longer than
// 2×context+1 lines to their first and last context lines (only the lines next to a change at the
// start and the end of the text).
func foldDiff(ops []product.DiffOp, context int) []views.DiffBlock {
	out := make([]views.DiffBlock, 0, len(ops))
	add := func(op, text string) {
		if text = strings.TrimSuffix(text, "\n"); text != "" || op != "equal" {
			out = append(out, views.DiffBlock{Op: op, Text: text})
		}
	}
	for i, op := range ops {
		if op.Op != "equal" {
			add(op.Op, op.Text)
			continue
		}
		lines := strings.SplitAfter(op.Text, "\n")
		if lines[len(lines)-1] == "" {
			lines = lines[:len(lines)-1]
		}
		head, tail := context, context
		if i == 0 {
			head = 0
		}
		if i == len(ops)-1 {
			tail = 0
		}
		if len(ops) == 1 || len(lines) <= head+tail+1 {
			add("equal", op.Text)
			continue
		}
		add("equal", strings.Join(lines[:head], ""))
		out = append(out, views.DiffBlock{Op: "equal", Skipped: len(lines) - head - tail})
		add("equal", strings.Join(lines[len(lines)-tail:], ""))
	}
	return out
}

// handleVersionRestore makes an old version's content current again, kept as a new version.
func (s *Server) handleVersionRestore(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	p := user.PrincipalFrom(ctx)
	d, ok := s.loadDraft(w, r, authz.ActUpdate)
	if !ok {
		return
	}
	n, err := strconv.Atoi(chi.URLParam(r, "n"))
	if err != nil || n <= 0 {
		s.renderError(w, r, apperr.NotFound())
		return
	}
	if err := parseForm(w, r); err != nil {
		s.renderError(w, r, err)
		return
	}
	if err := s.Store.RestoreVersion(ctx, p.AgencyID, p.UserID, d.ID, n); err != nil {
		s.renderError(w, r, err)
		return
	}
	s.Auth.Flash(ctx, "Version "+strconv.Itoa(n)+" restored. It is now the current text, kept as a new version; nothing was deleted from the history.")
	http.Redirect(w, r, "/products/"+strconv.FormatInt(d.ID, 10)+"/edit", http.StatusSeeOther)
}
