package main

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// hxPost posts a form as htmx does (same origin, HX-Request), without following redirects away.
func (b *browser) hxPost(path string, form url.Values) page {
	b.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, b.app.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", b.app.URL)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	req.Header.Set("HX-Request", "true")
	return b.do(req)
}

// commentThread returns the comment thread with the element id in a page, up to the next thread.
func commentThread(body, id string) string {
	i := strings.Index(body, `<div id="`+id+`"`)
	if i < 0 {
		return ""
	}
	rest := body[i:]
	if j := strings.Index(rest[1:], `<div id="comments-`); j >= 0 {
		rest = rest[:j+1]
	}
	return rest
}

// commentID returns the id of the only top-level comment matching the condition.
func (a *testApp) commentID(t *testing.T, where string, args ...any) string {
	t.Helper()
	return itoa(int64(a.countRows(t, `SELECT min(id) FROM review_comment WHERE parent_id IS NULL AND `+where, args...)))
}

// submittedBulletin creates a bulletin as analyst@hstc, submits it to peer review and returns its
// id and portion ids.
func submittedBulletin(t *testing.T, dana *browser, title string) (string, []string) {
	t.Helper()
	id := dana.readyDraft("IB", title)
	ids, _ := portions(dana.get("/products/" + id + "/edit").Body)
	if p := dana.act(id, "submit", ""); p.Status != http.StatusOK || !strings.Contains(p.Body, "peer review") {
		t.Fatalf("submit: %d", p.Status)
	}
	return id, ids
}

func TestReviewCommentsAnchoredToPortions(t *testing.T) {
	a := newTestApp(t)
	dana, marcus, elena := a.browser(t), a.browser(t), a.browser(t)
	dana.signIn("analyst@hstc")
	marcus.signIn("analyst2@hstc")
	elena.signIn("reviewer@hstc")
	id, ids := submittedBulletin(t, dana, "Go-fast departures shift to the Gulf of Honduras")
	portion2 := ids[1]

	// The peer sees a Comment affordance under each portion and comments on portion 2 (plain form).
	reader := marcus.get("/products/" + id)
	if !strings.Contains(commentThread(reader.Body, "comments-portion-"+portion2), `data-testid="comment-affordance"`) {
		t.Fatal("the peer's reader page has no Comment affordance on portion 2")
	}
	p := marcus.post("/products/"+id+"/comments", url.Values{"portion_id": {portion2}, "body": {"Cite the USCG boarding report for this departure."}})
	if p.Status != http.StatusOK || p.URL.Path != "/products/"+id {
		t.Fatalf("comment: %d at %s", p.Status, p.URL)
	}
	th := commentThread(p.Body, "comments-portion-"+portion2)
	if !strings.Contains(th, "Cite the USCG boarding report") || !strings.Contains(th, `data-state="open"`) || !strings.Contains(th, "Marcus Oyelaran") {
		t.Errorf("portion 2's thread lacks the open comment:\n%.2000s", th)
	}
	cid := a.commentID(t, `portion_id = $1`, portion2)
	if n := a.countRows(t, `SELECT count(*) FROM review_comment WHERE id = $1 AND quote = $2 AND state = 'open' AND on_portion`, cid, "Portion text "+portion2); n != 1 {
		t.Error("the comment does not keep the portion's text as its quote")
	}
	// The releasing official comments on the product as a whole through htmx: the answer is the thread alone.
	p = elena.hxPost("/products/"+id+"/comments", url.Values{"body": {"The outlook needs a likelihood statement."}})
	if p.Status != http.StatusOK || strings.Contains(p.Body, "<html") || !strings.HasPrefix(strings.TrimSpace(p.Body), `<div id="comments-product"`) ||
		!strings.Contains(p.Body, "likelihood statement") {
		t.Errorf("htmx comment: %d\n%.1500s", p.Status, p.Body)
	}
	// An empty comment is refused in the thread, for htmx with a 422 the page swaps.
	if p := marcus.hxPost("/products/"+id+"/comments", url.Values{"portion_id": {portion2}, "body": {"   "}}); p.Status != http.StatusUnprocessableEntity ||
		!strings.Contains(p.Body, "Write a comment") {
		t.Errorf("empty comment: %d", p.Status)
	}
	if p := marcus.post("/products/"+id+"/comments", url.Values{"body": {strings.Repeat("é", 4001)}}); p.Status != http.StatusUnprocessableEntity {
		t.Errorf("4,001-character comment: %d, want 422", p.Status)
	}
	// An author cannot raise a comment on her own product.
	if p := dana.post("/products/"+id+"/comments", url.Values{"portion_id": {portion2}, "body": {"Self-review"}}); p.Status == http.StatusOK {
		t.Error("an author commented on her own product")
	}
	// Hostile markup in a comment is shown as text.
	xss := `<script>alert("xss")</script><img src=x onerror=alert(1)>`
	marcus.post("/products/"+id+"/comments", url.Values{"portion_id": {ids[3]}, "body": {xss}})
	reader = elena.get("/products/" + id)
	if strings.Contains(reader.Body, `<script>alert(`) || strings.Contains(reader.Body, `<img src=x`) || !strings.Contains(reader.Body, `&lt;script&gt;alert(`) {
		t.Error("a comment's markup was not escaped")
	}
	if !strings.Contains(reader.Body, `data-testid="comment-count" data-open="3"`) {
		t.Error("the review panel does not count 3 open comments")
	}
	q := marcus.get("/reviews")
	if !strings.Contains(q.Body, "Assigned to me / waiting for my role") || !strings.Contains(q.Body, `data-testid="queue-open-comments">3<`) {
		t.Errorf("the queue does not show the open comments of the product:\n%.3000s", q.Body)
	}

	// The peer returns the draft; the author sees the open comment next to portion 2 in the editor.
	marcus.act(id, "return", "See my comments.") // back to draft: the peer no longer sees it
	if n := a.countRows(t, `SELECT count(*) FROM product WHERE id = $1 AND state = 'draft'`, id); n != 1 {
		t.Fatal("return did not move the product back to draft")
	}
	ed := dana.get("/products/" + id + "/edit")
	th = commentThread(ed.Body, "comments-portion-"+portion2)
	if ed.Status != http.StatusOK || !strings.Contains(th, "Cite the USCG boarding report") || !strings.Contains(th, `data-state="open"`) ||
		!strings.Contains(th, "/comments/"+cid+"/answers") || !strings.Contains(th, "/comments/"+cid+"/resolve") {
		t.Fatalf("the editor does not show the open comment with answer and resolve:\n%.3000s", th)
	}
	if strings.Contains(th, `data-testid="comment-affordance"`) {
		t.Error("the author is offered to raise comments in the editor")
	}
	if q := dana.get("/reviews"); !strings.Contains(q.Body, `data-testid="open-comments"`) || !strings.Contains(q.Body, "/products/"+id+"/edit") {
		t.Error("the author's queue does not list her draft with open comments")
	}
	// She answers (plain form, back to the editor) and resolves (htmx).
	p = dana.post("/products/"+id+"/comments/"+cid+"/answers", url.Values{"body": {"Added: USCG boarding report of 3 March."}, "from": {"edit"}})
	if p.Status != http.StatusOK || p.URL.Path != "/products/"+id+"/edit" || !strings.Contains(commentThread(p.Body, "comments-portion-"+portion2), "USCG boarding report of 3 March") {
		t.Fatalf("answer: %d at %s", p.Status, p.URL)
	}
	p = dana.hxPost("/products/"+id+"/comments/"+cid+"/resolve", url.Values{"from": {"edit"}})
	if p.Status != http.StatusOK || !strings.Contains(p.Body, `id="comment-`+cid+`" class="tl-comment tl-comment--resolved"`) || !strings.Contains(p.Body, "Resolved by Dana Whitfield") {
		t.Fatalf("resolve: %d\n%.2000s", p.Status, p.Body)
	}
	if p := dana.hxPost("/products/"+id+"/comments/"+cid+"/resolve", url.Values{"from": {"edit"}}); p.Status != http.StatusConflict {
		t.Errorf("resolving twice: %d, want 409", p.Status)
	}
	if n := a.countRows(t, `SELECT count(*) FROM review_comment WHERE id = $1 AND state = 'resolved' AND resolved_by = $2`, cid, a.userID(t, "analyst@hstc")); n != 1 {
		t.Error("the comment is not resolved by the author")
	}

	// Two comments are still open: submitting warns but is allowed.
	if p := dana.get("/products/" + id); !strings.Contains(p.Body, `data-testid="open-comments-warning"`) {
		t.Error("the review panel does not warn of open comments before submitting")
	}
	p = dana.act(id, "submit", "")
	if p.Status != http.StatusOK || !strings.Contains(p.Body, "2 review comments are still open") {
		t.Errorf("resubmitting with open comments: %d", p.Status)
	}
	if n := a.countRows(t, `SELECT count(*) FROM product WHERE id = $1 AND state = 'peer_review'`, id); n != 1 {
		t.Error("open comments blocked the submission")
	}

	// The reviewer sees the thread resolved, with the answer; only the product's authors or the
	// comment's author resolve or reopen it.
	reader = marcus.get("/products/" + id)
	th = commentThread(reader.Body, "comments-portion-"+portion2)
	if !strings.Contains(th, `data-state="resolved"`) || !strings.Contains(th, "USCG boarding report of 3 March") || strings.Contains(th, `data-state="open"`) {
		t.Errorf("the reviewer does not see the thread resolved:\n%.3000s", th)
	}
	if p := elena.post("/products/"+id+"/comments/"+cid+"/reopen", nil); p.Status != http.StatusNotFound {
		t.Errorf("a releasing official reopened another's comment: %d, want 404", p.Status)
	}
	if p := marcus.hxPost("/products/"+id+"/comments/"+cid+"/reopen", nil); p.Status != http.StatusOK || !strings.Contains(p.Body, `data-state="open"`) {
		t.Errorf("the reviewer reopening his comment: %d", p.Status)
	}
	for action, want := range map[string]int{"comment.add": 3, "comment.answer": 1, "comment.resolve": 1, "comment.reopen": 1} {
		if n := a.countRows(t, `SELECT count(*) FROM audit_event WHERE action = $1 AND object_id = $2`, action, id); n != want {
			t.Errorf("%s audited %d times, want %d", action, n, want)
		}
	}
}

func TestCommentRoutesAreHiddenFromOthers(t *testing.T) {
	a := newTestApp(t)
	dana, marcus := a.browser(t), a.browser(t)
	dana.signIn("analyst@hstc")
	marcus.signIn("analyst2@hstc")
	id, ids := submittedBulletin(t, dana, "Hawala brokers in the Western Balkans")
	marcus.post("/products/"+id+"/comments", url.Values{"portion_id": {ids[1]}, "body": {"Which brokers?"}})
	cid := a.commentID(t, `product_id = $1`, id)
	before := a.countRows(t, `SELECT count(*) FROM review_comment`)
	routes := []string{"/products/" + id + "/comments", "/products/" + id + "/comments/" + cid + "/answers",
		"/products/" + id + "/comments/" + cid + "/resolve", "/products/" + id + "/comments/" + cid + "/reopen"}
	form := url.Values{"portion_id": {ids[1]}, "body": {"Intruder"}}
	for _, hint := range []string{"liaison@ice", "admin@hstc", "steering@dos"} {
		b := a.browser(t)
		b.signIn(hint)
		for _, r := range routes {
			if p := b.post(r, form); p.Status != http.StatusNotFound {
				t.Errorf("%s POST %s: %d, want 404", hint, r, p.Status)
			}
		}
		if p := b.get("/products/" + id); p.Status != http.StatusNotFound || strings.Contains(p.Body, "Which brokers?") {
			t.Errorf("%s reads the product or its comments: %d", hint, p.Status)
		}
	}
	// Back in draft, the product (and its comments) is hidden from the peer again.
	marcus.act(id, "return", "See my comment.")
	if p := marcus.post(routes[1], url.Values{"body": {"Still there?"}}); p.Status != http.StatusNotFound {
		t.Errorf("peer answering on a draft he cannot read: %d, want 404", p.Status)
	}
	if n := a.countRows(t, `SELECT count(*) FROM review_comment`); n != before {
		t.Errorf("comments went from %d to %d", before, n)
	}
	if n := a.countRows(t, `SELECT count(*) FROM audit_event WHERE action = 'authz.deny' AND object_type = 'comment'`); n == 0 {
		t.Error("refused comment requests are not audited as denials")
	}
}

func TestCommentSurvivesDeletionOfItsPortion(t *testing.T) {
	a := newTestApp(t)
	dana, marcus := a.browser(t), a.browser(t)
	dana.signIn("analyst@hstc")
	marcus.signIn("analyst2@hstc")
	id, ids := submittedBulletin(t, dana, "Victims moved through Tapachula")
	pid := ids[3]
	marcus.post("/products/"+id+"/comments", url.Values{"portion_id": {pid}, "body": {"This paragraph contradicts the key points."}})
	cid := a.commentID(t, `portion_id = $1`, pid)
	marcus.act(id, "return", "One comment.")
	if p := dana.post("/products/"+id+"/portions/"+pid+"/delete", nil); p.Status != http.StatusOK {
		t.Fatalf("delete portion: %d", p.Status)
	}
	if n := a.countRows(t, `SELECT count(*) FROM review_comment WHERE id = $1 AND portion_id IS NULL AND on_portion AND quote = $2`, cid, "Portion text "+pid); n != 1 {
		t.Fatal("the comment did not survive the deletion of its portion with its quote")
	}
	ed := dana.get("/products/" + id + "/edit")
	th := commentThread(ed.Body, "comments-product")
	for _, want := range []string{"This paragraph contradicts the key points.", "on a deleted portion", "Text of the deleted portion", "Portion text " + pid, "(CUI//LEI)"} {
		if !strings.Contains(th, want) {
			t.Errorf("the editor's product thread lacks %q:\n%.3000s", want, th)
		}
	}
	if p := dana.hxPost("/products/"+id+"/comments/"+cid+"/resolve", url.Values{"from": {"edit"}}); p.Status != http.StatusOK || !strings.Contains(p.Body, `data-state="resolved"`) {
		t.Errorf("resolving a comment on a deleted portion: %d", p.Status)
	}
}
