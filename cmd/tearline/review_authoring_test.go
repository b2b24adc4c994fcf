package main

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
)

var detailsRevRE = regexp.MustCompile(`id="details-rev" name="rev" value="(\d+)"`)

// saveDetails posts the details form as htmx autosave does.
func (b *browser) saveDetails(productID string, form url.Values) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.app.URL+"/products/"+productID+"/details", strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.app.URL)
	req.Header.Set("HX-Request", "true")
	return b.do(req)
}

// A single analyst edits a portion (autosave), then the bottom line: the details save is refused
// as a conflict with nobody else involved, because every portion save bumps product.rev while the
// details form keeps the revision it was loaded with; the 409 answer does not refresh it either,
// so every later details save (autosave or the Save button) is refused until the page is reloaded.
func TestReviewDetailsSaveAfterOwnPortionSaveIsNotAConflict(t *testing.T) {
	a := newTestApp(t)
	b := a.browser(t)
	b.signIn("analyst@hstc")
	id, ed := b.newDraft("IB", "Go-fast boats in the Gulf of Honduras")
	m := detailsRevRE.FindStringSubmatch(ed.Body)
	if m == nil {
		t.Fatal("no details revision on the editor page")
	}
	detailsRev := m[1]
	ids, revs := portions(ed.Body)
	if p := b.savePortion(id, ids[1], url.Values{"rev": {revs[ids[1]]}, "kind": {"paragraph"}, "body": {"Two boats left at night."},
		"m_control": {"U"}}); p.Status != http.StatusOK {
		t.Fatalf("portion save: %d", p.Status)
	}
	details := url.Values{"rev": {detailsRev}, "title": {"Go-fast boats in the Gulf of Honduras"},
		"summary": {"BLUF typed after the portion: the network shifted to night departures."},
		"topics":  {"organisations"}, "regions": {"MEX, GTM"}, "controlled_by": {"HSTC"}, "poc": {"Dana"}}
	p := b.saveDetails(id, details)
	if p.Status != http.StatusOK {
		t.Errorf("details save after the author's own portion save: %d, want 200\n%.600s", p.Status, p.Body)
	}
	// The answer carries the new details revision (out of band), which the next save sends.
	m = detailsRevRE.FindStringSubmatch(p.Body)
	if m == nil {
		t.Fatal("the details save answer does not refresh the details revision")
	}
	details.Set("rev", m[1])
	if p := b.saveDetails(id, details); p.Status != http.StatusOK {
		t.Errorf("retrying the details save from the same page: %d, want 200 (stuck until reload)", p.Status)
	}
	if n := a.countRows(t, `SELECT count(*) FROM product WHERE id = $1 AND summary LIKE 'BLUF typed after%'`, id); n != 1 {
		t.Error("the bottom line typed by the only editor was not saved")
	}
}

// A portion of 16,000 Cyrillic characters (well under MaxPortionBody = 100,000) cannot be saved:
// parseForm caps the url-encoded form at 64 KiB, each such character is 6 encoded bytes, and the
// answer is a 422 error page; editor.js then clears the dirty flag, so leaving the page loses it.
func TestReviewLongPortionWithinLimitIsSaved(t *testing.T) {
	a := newTestApp(t)
	b := a.browser(t)
	b.signIn("analyst@hstc")
	id, ed := b.newDraft("AP", "Smuggling routes through the Balkans")
	ids, revs := portions(ed.Body)
	body := strings.Repeat("Маршрут ", 2000) // 16,000 characters
	p := b.savePortion(id, ids[1], url.Values{"rev": {revs[ids[1]]}, "kind": {"paragraph"}, "body": {body}, "m_control": {"U"}})
	if p.Status != http.StatusOK {
		t.Errorf("saving a 16,000-character portion: %d, want 200", p.Status)
	}
	if n := a.countRows(t, `SELECT count(*) FROM portion WHERE id = $1 AND length(body) > 15000`, ids[1]); n != 1 {
		t.Error("the long portion was not saved")
	}
}

// A co-author deletes a portion while another author is typing in it: the stale save is answered
// 404 (editor.js shows "connection problem, retrying" forever) and the typed text is not kept as a
// conflict copy, unlike every other stale save.
func TestReviewSaveOfPortionDeletedMeanwhileKeepsText(t *testing.T) {
	a := newTestApp(t)
	dana := a.browser(t)
	dana.signIn("analyst@hstc")
	id, ed := dana.newDraft("IR", "Hawala brokers in the Western Balkans")
	ids, revs := portions(ed.Body)
	dana.post("/products/"+id+"/authors", url.Values{"author_id": {itoa(a.userID(t, "analyst2@hstc"))}})
	marcus := a.browser(t)
	marcus.signIn("analyst2@hstc")
	pid := ids[1]
	dana.post("/products/"+id+"/portions/"+pid+"/delete", nil)
	p := marcus.savePortion(id, pid, url.Values{"rev": {revs[pid]}, "kind": {"paragraph"},
		"body": {"Marcus's paragraph: payments settle through exchange houses in Skopje."}, "m_control": {"U"}})
	if p.Status != http.StatusConflict {
		t.Errorf("save of a portion deleted meanwhile: %d, want 409 with a conflict message", p.Status)
	}
	if n := a.countRows(t, `SELECT count(*) FROM product_version WHERE product_id = $1 AND snapshot::text LIKE '%Skopje%'`, id); n != 1 {
		t.Error("the refused text was not kept anywhere on the server")
	}
}
