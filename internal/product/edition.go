package product

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"tearline/internal/marking"
)

// Edition is an immutable released form of a product, numbered HSTC-<TYPE>-<YYYY>-<NNNNN>.
type Edition struct {
	ID            int64
	ProductID     int64
	OwnerAgencyID int64
	Number        string
	Rev           int
	Type          Type
	Title         string
	Banner        string
	Content       EditionContent
	SHA256        string
	Supersedes    *int64
	ReleasedBy    int64
	ReleasedName  string
	ReleasedAt    time.Time
	Rescinded     *Rescission
}

// Rescission records that an edition was rescinded.
type Rescission struct {
	Reason string
	By     string
	At     time.Time
}

// Label returns "HSTC-IB-2026-00042" or "HSTC-IB-2026-00042 rev 2".
func (e Edition) Label() string {
	if e.Rev > 1 {
		return fmt.Sprintf("%s rev %d", e.Number, e.Rev)
	}
	return e.Number
}

// EditionNumber formats the number of the seq-th edition of a type in a year.
func EditionNumber(t Type, year, seq int) string {
	return fmt.Sprintf("HSTC-%s-%04d-%05d", t, year, seq)
}

// EditionContent is the canonical frozen content of an edition: everything a reader sees.
type EditionContent struct {
	Type              Type                `json:"type"`
	Title             string              `json:"title"`
	Summary           string              `json:"summary"`
	Topics            []string            `json:"topics"`
	Regions           []string            `json:"regions"`
	OriginatingOffice string              `json:"originating_office"`
	Authors           []string            `json:"authors"`
	Designation       marking.Designation `json:"designation"`
	Header            marking.Header      `json:"header"`
	Banner            marking.Banner      `json:"banner"`
	Portions          []EditionPortion    `json:"portions"`
	Sources           []EditionSource     `json:"sources"`
	Attachments       []EditionAttachment `json:"attachments"`
}

// EditionPortion is one frozen portion.
type EditionPortion struct {
	Kind    Kind            `json:"kind"`
	Mark    string          `json:"mark"`
	Marking marking.Marking `json:"marking"`
	Body    string          `json:"body"`
}

// EditionSource is one frozen source.
type EditionSource struct {
	Description       string `json:"description"`
	Date              string `json:"date,omitempty"`
	OriginatingAgency string `json:"originating_agency,omitempty"`
	Grade             string `json:"grade"`
}

// EditionAttachment is one frozen attachment reference (the bytes stay in attachment_blob, pinned by hash).
type EditionAttachment struct {
	AttachmentID int64           `json:"attachment_id"`
	Filename     string          `json:"filename"`
	ContentType  string          `json:"content_type"`
	Size         int64           `json:"size"`
	SHA256       string          `json:"sha256"`
	Marking      marking.Marking `json:"marking"`
}

// Freeze builds the canonical content of an edition of p: the released header (no DRAFT), computed
// banner, portions with their marks, sources and attachments.
func (p *Product) Freeze() EditionContent {
	b := p.Banner()
	c := EditionContent{Type: p.Type, Title: p.Title, Summary: p.Summary, Topics: nonNilStrings(p.Topics), Regions: nonNilStrings(p.Regions),
		OriginatingOffice: p.OriginatingOffice, Designation: p.Designation, Banner: b,
		Header:   marking.NewHeader(b, marking.StyleNARA, marking.SupplementalNone, true),
		Portions: []EditionPortion{}, Sources: []EditionSource{}, Attachments: []EditionAttachment{}, Authors: []string{}}
	for _, a := range p.Authors {
		c.Authors = append(c.Authors, a.Name)
	}
	for _, x := range p.Portions {
		c.Portions = append(c.Portions, EditionPortion{Kind: x.Kind, Mark: x.Marking.PortionMark(), Marking: x.Marking, Body: x.Body})
	}
	for _, s := range p.Sources {
		es := EditionSource{Description: s.Description, OriginatingAgency: s.OriginatingAgency, Grade: s.Grade.String()}
		if s.Date != nil {
			es.Date = s.Date.Format(time.DateOnly)
		}
		c.Sources = append(c.Sources, es)
	}
	for _, a := range p.Attachments {
		c.Attachments = append(c.Attachments, EditionAttachment{AttachmentID: a.ID, Filename: a.Filename, ContentType: a.ContentType,
			Size: a.Size, SHA256: a.SHA256, Marking: a.Marking})
	}
	return c
}

// Canonical returns the canonical bytes of the content and their SHA-256 (hex). encoding/json writes
// struct fields in declaration order and no maps are involved, so equal content gives equal bytes.
func (c EditionContent) Canonical() ([]byte, string, error) {
	b, err := json.Marshal(c)
	if err != nil {
		return nil, "", err
	}
	sum := sha256.Sum256(b)
	return b, hex.EncodeToString(sum[:]), nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
