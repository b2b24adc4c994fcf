package search_test

import (
	"net/url"
	"testing"

	"tearline/internal/search"
)

func TestParseNumber(t *testing.T) {
	for _, tc := range []struct {
		in     string
		number string
		rev    int
		ok     bool
	}{
		{"HSTC-IB-2026-00042", "HSTC-IB-2026-00042", 0, true},
		{"  hstc-ir-2026-00001 rev 2 ", "HSTC-IR-2026-00001", 2, true},
		{"HSTC-IN-2026-00007 r3", "HSTC-IN-2026-00007", 3, true},
		{"HSTC-IB-2026-00042 rev 0", "", 0, false},
		{"HSTC-XX-2026-00042", "", 0, false},
		{"see HSTC-IB-2026-00042", "", 0, false},
		{"HSTC-IB-2026-0004", "", 0, false},
	} {
		n, r, ok := search.ParseNumber(tc.in)
		if n != tc.number || r != tc.rev || ok != tc.ok {
			t.Errorf("ParseNumber(%q) = %q, %d, %v; want %q, %d, %v", tc.in, n, r, ok, tc.number, tc.rev, tc.ok)
		}
	}
}

func TestHighlight(t *testing.T) {
	got := search.Highlight("a \uE000<b>x</b>\uE001 b \uE001c\uE000d")
	want := []search.Segment{{"a ", false}, {"<b>x</b>", true}, {" b ", false}, {"c", false}, {"d", true}}
	if len(got) != len(want) {
		t.Fatalf("Highlight = %+v", got)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("segment %d = %+v, want %+v", i, got[i], want[i])
		}
	}
}

func TestParseDropsBadFilters(t *testing.T) {
	v := url.Values{"q": {"  cayo\x00  verde \uE000 "}, "type": {"XX"}, "topic": {"weather"}, "region": {"mex"},
		"year": {"1850"}, "page": {"-3"}, "sort": {"date"}}
	q := search.Parse(v.Get)
	if q.Text != "cayo verde" || q.Filter.Type != "" || q.Filter.Topic != "" || q.Filter.Region != "MEX" || q.Filter.Year != 0 ||
		q.Page != 1 || q.Sort != search.SortDate {
		t.Errorf("Parse = %+v", q)
	}
	if q := search.Parse(url.Values{"page": {"100000"}}.Get); q.Page != search.MaxPage || q.Sort != search.SortRelevance {
		t.Errorf("Parse page = %+v", q)
	}
}
