// Package product describes the center's finished-intelligence products while they are drafted:
// type and section template, metadata, portion-marked content, sources with grading, version
// snapshots and attachments. Markings are computed from the portions by package marking.
package product

import (
	"strings"
	"time"

	"tearline/internal/grading"
	"tearline/internal/marking"
)

// Type is a product type; its code appears in edition numbers (HSTC-IB-2026-00042).
type Type string

// Product types.
const (
	TypeBulletin   Type = "IB"
	TypeReport     Type = "IR"
	TypeNote       Type = "IN"
	TypeAnalysis   Type = "AP"
	TypeAssessment Type = "SA"
	TypeTarget     Type = "TP"
)

// Types lists every product type in display order.
var Types = []Type{TypeBulletin, TypeReport, TypeNote, TypeAnalysis, TypeAssessment, TypeTarget}

// Label returns the product type's name.
func (t Type) Label() string {
	switch t {
	case TypeBulletin:
		return "Intelligence bulletin"
	case TypeReport:
		return "Intelligence report"
	case TypeNote:
		return "Intelligence note"
	case TypeAnalysis:
		return "Analysis product"
	case TypeAssessment:
		return "Strategic assessment"
	case TypeTarget:
		return "Target package"
	}
	return string(t)
}

// Valid reports whether t is a known type.
func (t Type) Valid() bool {
	for _, x := range Types {
		if x == t {
			return true
		}
	}
	return false
}

// State is where a product is in its life; drafting is the only state so far.
type State string

// States.
const (
	StateDraft             State = "draft"
	StatePeerReview        State = "peer_review"
	StateSupervisoryReview State = "supervisory_review"
	StateLegalReview       State = "legal_review"
	StateSteeringReview    State = "steering_review"
	StateApproved          State = "approved"
	StateReleased          State = "released"
)

// Label returns a human label.
func (s State) Label() string {
	switch s {
	case StateDraft:
		return "Draft"
	case StatePeerReview:
		return "In peer review"
	case StateSupervisoryReview:
		return "In supervisory review"
	case StateLegalReview:
		return "In legal and privacy review"
	case StateSteeringReview:
		return "In steering-group review"
	case StateApproved:
		return "Approved"
	case StateReleased:
		return "Released"
	}
	return string(s)
}

// Kind is the kind of a portion.
type Kind string

// Portion kinds.
const (
	KindHeading   Kind = "heading"
	KindParagraph Kind = "paragraph"
	KindList      Kind = "list"
)

// Kinds lists portion kinds.
var Kinds = []Kind{KindParagraph, KindHeading, KindList}

// Label returns a human label.
func (k Kind) Label() string {
	switch k {
	case KindHeading:
		return "Heading"
	case KindList:
		return "List"
	}
	return "Paragraph"
}

// Topic is one of the center's reporting topics.
type Topic struct{ Key, Label string }

// Topics lists the reporting topics.
var Topics = []Topic{
	{"organisations", "Smuggling and trafficking organisations and networks"},
	{"dismantling", "Progress in dismantling organisations and networks"},
	{"trends", "Schemes, patterns and trends"},
	{"countering", "Approaches that counter smuggling and trafficking"},
	{"terrorist-travel", "Clandestine terrorist travel"},
}

// TopicLabel returns the label of a topic key.
func TopicLabel(key string) string {
	for _, t := range Topics {
		if t.Key == key {
			return t.Label
		}
	}
	return key
}

// Product is a product being drafted.
type Product struct {
	ID                int64
	OwnerAgencyID     int64
	Type              Type
	State             State
	Title             string
	Summary           string
	Topics            []string
	Regions           []string // GENC trigraphs or region names
	OriginatingOffice string
	Designation       marking.Designation
	// Review facts: legal/privacy review is required when any is set.
	USPerson          bool
	VictimData        bool
	ForeignRecipients bool
	Rev               int
	DetailsRev        int // revision of the details (metadata) alone
	Authors           []Author
	CreatedBy         int64
	CreatedAt         time.Time
	UpdatedBy         int64
	UpdatedAt         time.Time
	Portions          []Portion
	// QuotedMarkings are the markings of portion text quoted in review comments; the page banner
	// must cover them too, since the page shows the quotes (never part of an edition).
	QuotedMarkings []marking.Marking
	Sources        []Source
	Attachments    []Attachment
}

// Author is one of a product's authors.
type Author struct {
	UserID int64
	Name   string
}

// IsAuthor reports whether the user is one of the product's authors.
func (p *Product) IsAuthor(userID int64) bool {
	for _, a := range p.Authors {
		if a.UserID == userID {
			return true
		}
	}
	return false
}

// Portion is one marked unit of content, written in Markdown.
type Portion struct {
	ID        int64
	Position  int
	Kind      Kind
	Section   string
	Body      string
	Marking   marking.Marking
	Rev       int
	UpdatedAt time.Time
}

// Source is a cited source with its grading kept as given.
type Source struct {
	ID                int64
	Description       string
	Date              *time.Time
	OriginatingAgency string
	Grade             grading.Grade
}

// Attachment is a file attached to a product, with its own portion marking.
type Attachment struct {
	ID          int64
	StoredName  string
	Filename    string
	ContentType string
	Size        int64
	SHA256      string
	Marking     marking.Marking
	CreatedBy   int64
	CreatedAt   time.Time
}

// Markings returns the markings of every portion and attachment, in order; the banner is computed from them.
func (p *Product) Markings() []marking.Marking {
	out := make([]marking.Marking, 0, len(p.Portions)+len(p.Attachments))
	for _, x := range p.Portions {
		out = append(out, x.Marking)
	}
	for _, a := range p.Attachments {
		out = append(out, a.Marking)
	}
	return out
}

// Banner computes the product's banner from its portions and attachments.
func (p *Product) Banner() marking.Banner { return marking.DeriveBanner(p.Markings()) }

// Header is the banner block shown at the top and bottom of the product: banner, the DRAFT
// supplemental marking until release, and the document TLP.
func (p *Product) Header() marking.Header {
	b := marking.DeriveBanner(append(p.Markings(), p.QuotedMarkings...))
	return marking.NewHeader(b, marking.StyleNARA, marking.Draft, false)
}

// Problems lists what is wrong with the markings of the portions and attachments.
func (p *Product) Problems() marking.Problems { return marking.CheckDocument(p.Markings()) }

// Normalize trims the product's metadata.
func (p *Product) Normalize() {
	p.Title = strings.TrimSpace(p.Title)
	p.Summary = strings.TrimSpace(p.Summary)
	p.OriginatingOffice = strings.TrimSpace(p.OriginatingOffice)
	p.Topics = cleanList(p.Topics, false)
	p.Regions = cleanList(p.Regions, true)
}

func cleanList(in []string, upper bool) []string {
	out := []string{}
	seen := map[string]bool{}
	for _, s := range in {
		for _, part := range strings.Split(s, ",") {
			part = strings.TrimSpace(part)
			if upper {
				part = strings.ToUpper(part)
			}
			if part != "" && !seen[part] {
				seen[part] = true
				out = append(out, part)
			}
		}
	}
	return out
}

// DraftFilter selects drafts for the "my drafts" list; zero values select everything.
type DraftFilter struct {
	AuthorID int64
	Type     Type
	State    State
	Limit    int
	Offset   int
}

// DraftSummary is one row of a drafts list.
type DraftSummary struct {
	ID        int64
	Type      Type
	State     State
	Title     string
	Authors   string
	UpdatedBy string
	UpdatedAt time.Time
}

// Transition is one recorded state change on a product's timeline.
type Transition struct {
	From, To  State
	Action    string
	Comment   string
	ActorName string
	At        time.Time
}
