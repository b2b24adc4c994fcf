package product_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"tearline/internal/apperr"
	"tearline/internal/product"
)

func TestCommentBody(t *testing.T) {
	if got := product.NormalizeCommentBody("  line one\r\nline two \n"); got != "line one\nline two" {
		t.Errorf("normalised body %q", got)
	}
	for _, tt := range []struct {
		body string
		ok   bool
	}{
		{"", false},
		{"x", true},
		{strings.Repeat("é", product.MaxCommentBody), true},
		{strings.Repeat("é", product.MaxCommentBody+1), false},
		{"bad \xff byte", false},
		{"nul \x00 byte", false},
	} {
		err := product.ValidateCommentBody(tt.body)
		if (err == nil) != tt.ok {
			t.Errorf("ValidateCommentBody(%d characters) = %v, want ok=%v", utf8.RuneCountInString(tt.body), err, tt.ok)
		}
		if err != nil && (apperr.Code(err) != apperr.EINVALID || apperr.FieldErrors(err)["body"] == "") {
			t.Errorf("error %v is not an invalid body field", err)
		}
	}
}

func TestQuoteOf(t *testing.T) {
	if got := product.QuoteOf("  short \n"); got != "short" {
		t.Errorf("QuoteOf short = %q", got)
	}
	long := product.QuoteOf(strings.Repeat("ж", product.MaxQuote+10))
	if utf8.RuneCountInString(long) != product.MaxQuote || !strings.HasSuffix(long, "…") {
		t.Errorf("QuoteOf long: %d characters", utf8.RuneCountInString(long))
	}
}

func TestCommentableStates(t *testing.T) {
	for s, want := range map[product.State]bool{
		product.StateDraft: false, product.StatePeerReview: true, product.StateSupervisoryReview: true,
		product.StateLegalReview: true, product.StateSteeringReview: true, product.StateApproved: true, product.StateReleased: false,
	} {
		if product.Commentable(s) != want {
			t.Errorf("Commentable(%s) = %v", s, !want)
		}
		if product.ThreadsActive(s) == (s == product.StateReleased) {
			t.Errorf("ThreadsActive(%s) = %v", s, product.ThreadsActive(s))
		}
	}
}

func TestGroupComments(t *testing.T) {
	p1, p2 := int64(1), int64(2)
	cs := []product.Comment{
		{ID: 10, PortionID: &p1, OnPortion: true, State: product.CommentOpen},
		{ID: 11, PortionID: &p1, OnPortion: true, State: product.CommentResolved},
		{ID: 12, PortionID: &p2, OnPortion: true, State: product.CommentOpen},
		{ID: 13, State: product.CommentOpen},
		{ID: 14, OnPortion: true, State: product.CommentResolved}, // its portion was deleted
	}
	g := product.GroupComments(cs)
	if len(g.ByPortion[p1]) != 2 || len(g.ByPortion[p2]) != 1 || len(g.General) != 1 || g.General[0].ID != 13 ||
		len(g.Orphaned) != 1 || g.Orphaned[0].ID != 14 || !g.Orphaned[0].Orphaned() {
		t.Errorf("groups = %+v", g)
	}
	if g.Open != 3 || g.Resolved != 2 {
		t.Errorf("open %d resolved %d, want 3 and 2", g.Open, g.Resolved)
	}
}
