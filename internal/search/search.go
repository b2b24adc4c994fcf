// Package search describes full-text search over what a principal may see: the query with its
// filters and sort, the scope authorization grants, and the results (hits with highlighted
// segments, facets and the drafts center staff may see). The store runs it; docs/search.md explains
// how it stays fast under row-level security without leaking.
package search

import (
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"tearline/internal/product"
)

// Limits on what a query may ask for. A search examines at most the Window newest visible editions
// that match: it ranks, counts and pages within them, and says when there are more (docs/search.md,
// "The window"). Adding words or a filter narrows the matches, so the window then covers all of them.
const (
	PerPage      = 20
	Window       = 1000
	MaxPage      = Window / PerPage
	MaxTextRunes = 300
	DraftLimit   = 10
)

// Sort orders results.
type Sort string

// Sorts.
const (
	SortRelevance Sort = "relevance"
	SortDate      Sort = "date"
)

// Filter narrows results to one value per facet; zero values select everything.
type Filter struct {
	Type   product.Type
	Topic  string // a product.Topics key
	Region string // a region or country code as written on the product
	Year   int    // year of release (UTC)
	Office string // originating office
}

// Empty reports whether no filter is set.
func (f Filter) Empty() bool { return f == Filter{} }

// Query is one search as the user asked it, cleaned by Parse.
type Query struct {
	Text   string // web-search syntax: words, "quoted phrases", OR, -exclusion
	Filter Filter
	Sort   Sort
	Page   int // 1-based
}

// Offset is the number of hits before the query's page.
func (q Query) Offset() int { return (q.Page - 1) * PerPage }

var (
	regionRE = regexp.MustCompile(`^[A-Z0-9-]{2,12}$`)
	numberRE = regexp.MustCompile(`^(?i)\s*(HSTC-(?:IB|IR|IN|AP|SA|TP)-\d{4}-\d{5})(?:\s*(?:rev\.?|r)\s*(\d{1,4}))?\s*$`)
)

// Parse builds a Query from request values (get returns "" when absent). Unknown or malformed
// filter values are dropped rather than refused: a search page never fails on a bad link.
func Parse(get func(string) string) Query {
	q := Query{Text: cleanText(get("q")), Sort: SortRelevance, Page: 1}
	if Sort(get("sort")) == SortDate {
		q.Sort = SortDate
	}
	if n, err := strconv.Atoi(get("page")); err == nil {
		q.Page = min(max(n, 1), MaxPage)
	}
	if t := product.Type(get("type")); t.Valid() {
		q.Filter.Type = t
	}
	if tp := get("topic"); tp != "" && product.TopicLabel(tp) != tp {
		q.Filter.Topic = tp
	}
	if r := strings.ToUpper(strings.TrimSpace(get("region"))); regionRE.MatchString(r) {
		q.Filter.Region = r
	}
	if y, err := strconv.Atoi(get("year")); err == nil && y >= 2000 && y <= 2999 {
		q.Filter.Year = y
	}
	if o := strings.TrimSpace(get("office")); o != "" && utf8.RuneCountInString(o) <= 200 {
		q.Filter.Office = o
	}
	return q
}

// cleanText trims the query, folds whitespace and control characters to spaces and cuts it to
// MaxTextRunes.
func cleanText(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f || r == utf8.RuneError || r == startSel || r == stopSel {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > MaxTextRunes {
		s = string([]rune(s)[:MaxTextRunes])
	}
	return s
}

// ParseNumber recognises a product number ("HSTC-IB-2026-00042", optionally "rev 2") typed as the
// whole query, returning it upper-cased with the revision (0 when none was given).
func ParseNumber(s string) (number string, rev int, ok bool) {
	m := numberRE.FindStringSubmatch(s)
	if m == nil {
		return "", 0, false
	}
	if m[2] != "" {
		rev, _ = strconv.Atoi(m[2])
		if rev < 1 {
			return "", 0, false
		}
	}
	return strings.ToUpper(m[1]), rev, true
}

// Scope is what a principal may search, decided by authz before the store is asked. The store
// applies it in SQL together with the dissemination rule; it never widens what RLS allows.
type Scope struct {
	AgencyID int64
	UserID   int64
	Owned    bool // editions the agency owns (center staff)
	Received bool // editions released to the agency and not rescinded (recipients)
	Drafts   DraftScope
}

// DraftScope says which unreleased products of the agency the principal may read.
type DraftScope struct {
	All      bool // every draft of the agency (releasing officials)
	Authored bool // drafts the principal authors (analysts)
	InReview bool // products in review or approved (center analysts and releasing officials)
}

// Any reports whether any unreleased product is in scope.
func (d DraftScope) Any() bool { return d.All || d.Authored || d.InReview }

// Hit is one edition found.
type Hit struct {
	EditionID     int64
	OwnerAgencyID int64
	Number        string
	Rev           int
	Type          product.Type
	Banner        string
	ReleasedAt    time.Time
	Rank          float32
	Rescinded     bool // only the owner ever sees a rescinded edition
	Title         []Segment
	Snippet       []Segment
}

// Label returns the edition's number with its revision.
func (h Hit) Label() string { return product.Edition{Number: h.Number, Rev: h.Rev}.Label() }

// DraftHit is one unreleased product found (center staff only).
type DraftHit struct {
	ProductID int64
	Type      product.Type
	State     product.State
	UpdatedAt time.Time
	Title     []Segment
	Snippet   []Segment
}

// Results is one page of a search.
type Results struct {
	Hits   []Hit
	Total  int  // the visible editions matching the query and filters, at most Window
	More   bool // more than Window match: Total, the facets and the ranking cover the newest Window
	Facets Facets
	// Drafts are the best unreleased products the principal may read (first page only).
	Drafts     []DraftHit
	DraftTotal int
	// JumpTo is the edition a product number names, when the principal may see it.
	JumpTo int64
}
