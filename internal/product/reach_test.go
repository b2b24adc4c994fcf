package product_test

import (
	"slices"
	"strings"
	"testing"

	"tearline/internal/apperr"
	"tearline/internal/product"
)

func TestFeedbackValidation(t *testing.T) {
	ok := product.Feedback{Relevance: 1, Timeliness: 5, Actionability: 3, Action: product.ActionNone}
	if err := ok.Validate(); err != nil {
		t.Fatalf("valid feedback refused: %v", err)
	}
	tests := []struct {
		name   string
		change func(*product.Feedback)
		fields []string
	}{
		{"relevance 0", func(f *product.Feedback) { f.Relevance = 0 }, []string{"relevance"}},
		{"timeliness 6", func(f *product.Feedback) { f.Timeliness = 6 }, []string{"timeliness"}},
		{"actionability -1", func(f *product.Feedback) { f.Actionability = -1 }, []string{"actionability"}},
		{"unknown action", func(f *product.Feedback) { f.Action = "arrested everyone" }, []string{"action"}},
		{"no action", func(f *product.Feedback) { f.Action = "" }, []string{"action"}},
		{"other without a comment", func(f *product.Feedback) { f.Action = product.ActionOther }, []string{"comment"}},
		{"comment too long", func(f *product.Feedback) { f.Comment = strings.Repeat("é", product.MaxFeedbackComment+1) }, []string{"comment"}},
		{"everything", func(f *product.Feedback) { *f = product.Feedback{Action: "x"} },
			[]string{"action", "actionability", "relevance", "timeliness"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := ok
			tt.change(&f)
			err := f.Validate()
			if apperr.Code(err) != apperr.EINVALID {
				t.Fatalf("err = %v, want invalid", err)
			}
			var got []string
			for k := range apperr.FieldErrors(err) {
				got = append(got, k)
			}
			slices.Sort(got)
			if !slices.Equal(got, tt.fields) {
				t.Errorf("fields = %v, want %v", got, tt.fields)
			}
		})
	}
	long := ok
	long.Action, long.Comment = product.ActionOther, strings.Repeat("é", product.MaxFeedbackComment)
	if err := long.Validate(); err != nil {
		t.Errorf("a comment of exactly %d characters is refused: %v", product.MaxFeedbackComment, err)
	}
	for _, a := range product.ActionsTaken {
		if !a.Valid() || a.Label() == string(a) {
			t.Errorf("action %q: valid %v, label %q", a, a.Valid(), a.Label())
		}
	}
}
