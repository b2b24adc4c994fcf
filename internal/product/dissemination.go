package product

import "time"

// LedgerEntry is one row of an edition's release ledger: the edition reached one agency.
type LedgerEntry struct {
	AgencyID      int64
	AgencyCode    string
	AgencyName    string
	ReleasedBy    string
	ReleasedAt    time.Time
	Justification string
	Caveats       string
	Readers       int // users of the agency who have opened it
}

// InboxItem is one edition in a recipient agency's inbox.
type InboxItem struct {
	EditionID    int64
	Number       string
	Rev          int
	Type         Type
	Title        string
	Banner       string
	Summary      string
	ReleasedAt   time.Time
	Read         bool // the user has opened it
	Acknowledged bool // the agency has acknowledged receipt
}

// Inbox is one page of a recipient agency's inbox.
type Inbox struct {
	Items []InboxItem
	// Total counts the editions that match, exactly up to the filter's CountAhead past its offset.
	Total int
	// Recalled lists the recall notices of editions the agency received, newest first (at most 100).
	Recalled []RecallNotice
}

// InboxCountAhead is how far past the current page the inbox counts editions: enough for the pager
// to show the next pages, without counting every edition an agency ever received.
const InboxCountAhead = 200

// Label returns the edition's number with its revision.
func (i InboxItem) Label() string { return Edition{Number: i.Number, Rev: i.Rev}.Label() }

// InboxFilter selects inbox items; zero values select everything.
type InboxFilter struct {
	Type   Type
	Topic  string     // a Topics key
	Region string     // a region or GENC code as written on the product
	From   *time.Time // released on or after (inclusive)
	To     *time.Time // released before (exclusive)
	Limit  int
	Offset int
	// CountAhead is how many editions past Offset the total counts at most (InboxCountAhead when 0).
	CountAhead int
}

// RecallNotice is what a recipient still sees of a recalled (rescinded) edition: never its content.
type RecallNotice struct {
	EditionID int64
	Number    string
	Rev       int
	Reason    string
	At        time.Time
}

// Label returns the edition's number with its revision.
func (n RecallNotice) Label() string { return Edition{Number: n.Number, Rev: n.Rev}.Label() }
