package main

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestBrowserReviewComments raises a comment on a portion in Chromium through htmx (the page is not
// reloaded), then the author answers and resolves it in the editor.
func TestBrowserReviewComments(t *testing.T) {
	a := newTestApp(t)
	prep := a.browser(t)
	prep.signIn("analyst@hstc")
	id, ids := submittedBulletin(t, prep, "Night departures from Puerto Cortés")
	sel := "#comments-portion-" + ids[1]
	browser := newChromium(t)

	marcus := newBrowserSession(t, browser, a)
	marcus.signIn("analyst2@hstc", "")
	marcus.navigate("/products/" + id)
	marcus.run("comment on portion 2",
		chromedp.Evaluate[chromedp.Void](`window.__sameDocument = true`),
		chromedp.Click(chromedp.CSS(sel+` [data-testid=comment-affordance]`), chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.CSS(sel+`-body`), "Which boarding report? Cite it.", chromedp.NodeVisible),
		chromedp.Click(chromedp.CSS(sel+` .tl-comment-form button`), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.CSS(sel+` [data-state=open]`)),
	)
	marcus.wantContains(sel, "Which boarding report? Cite it.", "Marcus Oyelaran")
	if !browserEval[bool](marcus, `window.__sameDocument === true`) || marcus.path() != "/products/"+id {
		t.Error("adding a comment reloaded the page instead of swapping the thread")
	}
	marcus.wantContains("[data-testid=comment-count]", "1 open review comment")
	marcus.checkPage("review-comment")
	marcus.navigate("/reviews")
	marcus.wantContains("[data-testid=review-queue]", "Night departures from Puerto Cortés")
	marcus.wantContains("[data-testid=open-comments]", "Night departures from Puerto Cortés")
	marcus.checkPage("review-queue-comments")

	// Back to the author, who answers and resolves it next to the portion in the editor.
	back := a.browser(t)
	back.signIn("analyst2@hstc")
	back.act(id, "return", "See my comment on portion 2.")
	cid := a.commentID(t, `product_id = $1`, id)
	dana := newBrowserSession(t, browser, a)
	dana.signIn("analyst@hstc", "")
	dana.navigate("/products/" + id + "/edit")
	dana.wantContains(sel, "Which boarding report? Cite it.")
	dana.wantContains("[data-testid=comment-count]", "1 open review comment")
	dana.run("answer and resolve",
		chromedp.Click(chromedp.CSS(sel+` .tl-comment-answer summary`), chromedp.NodeVisible),
		chromedp.SendKeys(chromedp.CSS(`#answer-`+cid), "USCG boarding report of 3 March, now cited.", chromedp.NodeVisible),
		chromedp.Click(chromedp.CSS(sel+` .tl-comment-answer button`), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.CSS(sel+` [data-testid=answer]`)),
		chromedp.Click(chromedp.CSS(sel+` [data-comment-action=resolve]`), chromedp.NodeVisible),
		chromedp.WaitVisible(chromedp.CSS(`#comment-`+cid+`[data-state=resolved]`)),
	)
	if got := dana.text(`#comment-` + cid + ` summary`); !strings.Contains(strings.ToLower(got), "resolved") {
		t.Errorf("resolved comment summary %q", got)
	}
	dana.wantContains("[data-testid=comment-count]", "0 open review comments · 1 resolved")
	dana.checkPage("editor-comment-resolved")
	if n := a.countRows(t, `SELECT count(*) FROM review_comment WHERE product_id = $1 AND parent_id IS NOT NULL`, id); n != 1 {
		t.Errorf("answers saved: %d", n)
	}
}
