package product

import (
	"fmt"
	"time"
	"unicode/utf8"

	"tearline/internal/apperr"
)

// Acknowledgement is a recipient agency's acknowledgement of receipt of an edition: one per agency,
// by its liaison; the first one stands.
type Acknowledgement struct {
	EditionID int64
	AgencyID  int64
	UserID    int64
	UserName  string
	At        time.Time
}

// ActionTaken is what a recipient did with an edition, as reported in feedback.
type ActionTaken string

// Actions a recipient reports.
const (
	ActionNone         ActionTaken = "none"
	ActionShared       ActionTaken = "shared"
	ActionCase         ActionTaken = "case"
	ActionInterdiction ActionTaken = "interdiction"
	ActionOther        ActionTaken = "other"
)

// ActionsTaken lists the actions in the order the feedback form offers them.
var ActionsTaken = []ActionTaken{ActionNone, ActionShared, ActionCase, ActionInterdiction, ActionOther}

// Valid reports whether a is one of ActionsTaken.
func (a ActionTaken) Valid() bool {
	for _, x := range ActionsTaken {
		if a == x {
			return true
		}
	}
	return false
}

// Label is the action as the form and the center's reach table show it.
func (a ActionTaken) Label() string {
	switch a {
	case ActionNone:
		return "None"
	case ActionShared:
		return "Shared internally"
	case ActionCase:
		return "Opened or supported a case"
	case ActionInterdiction:
		return "Interdiction or arrest"
	case ActionOther:
		return "Other"
	}
	return string(a)
}

// MaxFeedbackComment limits the free text of feedback.
const MaxFeedbackComment = 2000

// Feedback is one recipient user's assessment of an edition. Feedback is kept as a history: a user
// who sends feedback again adds a row, and their latest row is their current feedback.
type Feedback struct {
	ID            int64
	EditionID     int64
	AgencyID      int64
	AgencyCode    string
	UserID        int64
	UserName      string
	Relevance     int
	Timeliness    int
	Actionability int
	Action        ActionTaken
	Comment       string
	At            time.Time
	// Revisions counts the user's feedback rows on the edition, this one included.
	Revisions int
}

// Validate checks the scores (1–5), the action and the length of the comment; "other" needs a comment
// saying what was done.
func (f *Feedback) Validate() error {
	errs := map[string]string{}
	for name, v := range map[string]int{"relevance": f.Relevance, "timeliness": f.Timeliness, "actionability": f.Actionability} {
		if v < 1 || v > 5 {
			errs[name] = "Choose a score from 1 to 5."
		}
	}
	if !f.Action.Valid() {
		errs["action"] = "Choose the action taken from the list."
	}
	if n := utf8.RuneCountInString(f.Comment); n > MaxFeedbackComment {
		errs["comment"] = fmt.Sprintf("Keep the comment under %d characters (it has %d).", MaxFeedbackComment, n)
	} else if f.Action == ActionOther && n == 0 {
		errs["comment"] = "Say what action was taken."
	}
	if len(errs) > 0 {
		return apperr.Invalid(errs)
	}
	return nil
}

// ReachEntry is what the center sees of one recipient agency of an edition.
type ReachEntry struct {
	AgencyID   int64
	AgencyCode string
	AgencyName string
	ReleasedAt time.Time
	Readers    int              // users of the agency who have opened the edition
	Ack        *Acknowledgement // nil while the acknowledgement is due
	// Feedback counts the agency's users with feedback (their latest only), with the average scores.
	Feedback                             int
	Relevance, Timeliness, Actionability float64
}

// Reach is the center's view of an edition's dissemination: every recipient agency and the current
// feedback of every recipient user.
type Reach struct {
	Agencies []ReachEntry
	Feedback []Feedback
}

// Acknowledged counts the recipient agencies that have acknowledged receipt.
func (r Reach) Acknowledged() int {
	n := 0
	for _, a := range r.Agencies {
		if a.Ack != nil {
			n++
		}
	}
	return n
}

// Read counts the recipient agencies with at least one reader.
func (r Reach) Read() int {
	n := 0
	for _, a := range r.Agencies {
		if a.Readers > 0 {
			n++
		}
	}
	return n
}

// EditionSurroundings is what an edition's page shows around its content, read in one round trip.
type EditionSurroundings struct {
	SuccessorID      int64 // the visible edition that supersedes it (0: none)
	SuccessorLabel   string
	PredecessorKnown bool // the agency holds the edition it supersedes, or that edition's recall notice
	// The owner's view.
	Ledger []LedgerEntry
	Reach  Reach
	// A recipient's view: the agency's acknowledgement (nil while due) and the user's own feedback.
	Ack  *Acknowledgement
	Mine *Feedback
}
