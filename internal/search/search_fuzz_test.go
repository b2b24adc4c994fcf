package search_test

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"tearline/internal/search"
)

// FuzzParse feeds arbitrary query strings to the search parameter parser and the product-number
// recogniser: no panic, a bounded query text, a first page of at least 1 and a non-negative offset.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"q=smuggling&type=IB&page=2", "q=HSTC-IB-2026-00042+rev+2", "q=%22exact+phrase%22+-noise+OR+x&sort=date",
		"page=-9223372036854775808&year=2026&region=mex", "q=" + strings.Repeat("%E2%80%AE", 300), "topic=human-smuggling&office=%00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		v, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		q := search.Parse(v.Get)
		if q.Page < 1 || q.Offset() < 0 {
			t.Fatalf("page %d offset %d from %q", q.Page, q.Offset(), raw)
		}
		if n := utf8.RuneCountInString(q.Text); n > search.MaxTextRunes {
			t.Fatalf("query text of %d runes kept", n)
		}
		if num, rev, ok := search.ParseNumber(v.Get("q")); ok && (num != strings.ToUpper(num) || rev < 0) {
			t.Fatalf("ParseNumber(%q) = %q, %d", v.Get("q"), num, rev)
		}
	})
}

// FuzzHighlight splits arbitrary ts_headline output: the text survives exactly, minus the markers,
// and no segment is empty.
func FuzzHighlight(f *testing.F) {
	for _, s := range []string{"a \uE000b\uE001 c", "\uE001\uE001\uE000", "<script>\uE000x\uE001</script>", "\xff\uE000"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		segs := search.Highlight(s)
		var want strings.Builder
		for _, r := range s {
			if r != '\uE000' && r != '\uE001' {
				want.WriteRune(r)
			}
		}
		if got := search.Plain(segs); got != want.String() {
			t.Fatalf("Plain(Highlight(%q)) = %q, want %q", s, got, want.String())
		}
		for _, sg := range segs {
			if sg.Text == "" {
				t.Fatalf("empty segment from %q", s)
			}
		}
	})
}
