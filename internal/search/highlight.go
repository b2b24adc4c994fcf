package search

import (
	"sort"
	"strconv"
	"strings"

	"tearline/internal/product"
)

// The highlight markers ts_headline puts around matches: two private-use characters, which the
// store removes from every text before it is highlighted, so that any occurrence in a headline is
// one of ours. Everything between them is still plain text, rendered escaped.
const (
	startSel = '\uE000'
	stopSel  = '\uE001'
)

// HeadlineOptions are ts_headline options for a snippet (fragments of the body) or, with whole,
// for a title (the whole text, every match highlighted).
func HeadlineOptions(whole bool) string {
	sel := "StartSel=" + string(startSel) + ", StopSel=" + string(stopSel)
	if whole {
		return sel + ", HighlightAll=true"
	}
	return sel + `, MaxWords=30, MinWords=12, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "`
}

// Segment is a run of text, highlighted or not.
type Segment struct {
	Text string
	Mark bool
}

// Highlight splits a ts_headline result into segments. Stray or unbalanced markers are dropped:
// they can only come from ts_headline itself, and the text between them stays text either way.
func Highlight(s string) []Segment {
	var out []Segment
	mark := false
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = append(out, Segment{Text: b.String(), Mark: mark})
			b.Reset()
		}
	}
	for _, r := range s {
		switch r {
		case startSel:
			flush()
			mark = true
		case stopSel:
			flush()
			mark = false
		default:
			b.WriteRune(r)
		}
	}
	flush()
	return out
}

// Plain returns the text of segments without highlighting.
func Plain(segs []Segment) string {
	var b strings.Builder
	for _, s := range segs {
		b.WriteString(s.Text)
	}
	return b.String()
}

// Facet names.
const (
	FacetType   = "type"
	FacetTopic  = "topic"
	FacetRegion = "region"
	FacetYear   = "year"
	FacetOffice = "office"
)

// FacetValue is one value of a facet with the number of visible matching editions that have it.
type FacetValue struct {
	Value string
	Label string
	Count int
}

// Facets are the counts per facet over the visible editions matching the query and filters (the
// newest Window of them when there are more).
type Facets struct {
	Type, Topic, Region, Year, Office []FacetValue
}

// Empty reports whether no facet has a value.
func (f Facets) Empty() bool {
	return len(f.Type)+len(f.Topic)+len(f.Region)+len(f.Year)+len(f.Office) == 0
}

// NewFacets orders raw counts (facet → value → count) for display: types in their usual order,
// years newest first, the others by count then name; labels are filled in.
func NewFacets(counts map[string]map[string]int) Facets {
	list := func(name string, label func(string) string) []FacetValue {
		var out []FacetValue
		for v, n := range counts[name] {
			if v == "" || n <= 0 {
				continue
			}
			out = append(out, FacetValue{Value: v, Label: label(v), Count: n})
		}
		sort.Slice(out, func(i, j int) bool {
			if out[i].Count != out[j].Count {
				return out[i].Count > out[j].Count
			}
			return out[i].Label < out[j].Label
		})
		return out
	}
	same := func(s string) string { return s }
	f := Facets{
		Topic:  list(FacetTopic, product.TopicLabel),
		Region: list(FacetRegion, same),
		Office: list(FacetOffice, same),
		Year:   list(FacetYear, same),
	}
	sort.Slice(f.Year, func(i, j int) bool {
		a, _ := strconv.Atoi(f.Year[i].Value)
		b, _ := strconv.Atoi(f.Year[j].Value)
		return a > b
	})
	for _, t := range product.Types {
		if n := counts[FacetType][string(t)]; n > 0 {
			f.Type = append(f.Type, FacetValue{Value: string(t), Label: t.Label(), Count: n})
		}
	}
	return f
}
