package audit

import (
	"errors"
	"strconv"
	"strings"
	"time"
)

// Filter selects audit rows for the auditor page and the CSV export. Zero fields do not filter.
type Filter struct {
	// ScopeAgencyID, when set, limits the rows to actors of that agency (agency administrators);
	// the handler sets it from the principal, never from the request.
	ScopeAgencyID int64
	UserID        int64  // actor
	User          string // part of the actor's name or e-mail (case-insensitive)
	AgencyID      int64  // actor's agency
	ObjectType    string
	ObjectID      string
	Action        string // exact, or a prefix ending in "." (e.g. "edition.")
	Outcome       string
	From, To      *time.Time // at >= From, at < To
	Before        int64      // keyset: rows with id < Before (0: from the newest)
	Limit         int
}

// Details describes the filter for the audit.read event that records a search of the trail.
func (f Filter) Details() map[string]any {
	d := map[string]any{}
	set := func(k, v string) {
		if v != "" {
			d[k] = v
		}
	}
	id := func(n int64) string {
		if n == 0 {
			return ""
		}
		return strconv.FormatInt(n, 10)
	}
	set("scope_agency_id", id(f.ScopeAgencyID))
	set("user_id", id(f.UserID))
	set("user", f.User)
	set("agency_id", id(f.AgencyID))
	set("object_type", f.ObjectType)
	set("object_id", f.ObjectID)
	set("action", f.Action)
	set("outcome", f.Outcome)
	if f.From != nil {
		d["from"] = f.From.UTC().Format(time.RFC3339)
	}
	if f.To != nil {
		d["to"] = f.To.UTC().Format(time.RFC3339)
	}
	set("before", id(f.Before))
	return d
}

// EditionView is one user's views of an edition, from the audit trail.
type EditionView struct {
	UserID     int64
	UserName   string
	AgencyCode string
	AgencyName string
	First      time.Time
	Last       time.Time
	Views      int
}

// EditionAccess is the access accounting of one edition: who viewed it, from which agency, when.
type EditionAccess struct {
	EditionID int64
	Number    string
	Rev       int
	Readers   []EditionView // one row per user, most recent first
	Recent    []Record      // the latest view events
}

// Retention is how long audit rows are kept: whole years plus days. The minimum is one year.
type Retention struct {
	Years, Days int
}

// DefaultRetention is the retention when none is configured (and the minimum): one year.
var DefaultRetention = Retention{Years: 1}

// ErrRetention says a retention period is not valid.
var ErrRetention = errors.New(`must be a whole number of years or days, at least 1 year (e.g. "1y", "7y", "400d")`)

// ParseRetention reads "<n>y" or "<n>d". Fewer than 366 days is refused: a calendar year may have 366.
func ParseRetention(s string) (Retention, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	if len(s) < 2 {
		return Retention{}, ErrRetention
	}
	n, err := strconv.Atoi(s[:len(s)-1])
	if err != nil || n <= 0 {
		return Retention{}, ErrRetention
	}
	var r Retention
	switch s[len(s)-1] {
	case 'y':
		r.Years = n
	case 'd':
		r.Days = n
	default:
		return Retention{}, ErrRetention
	}
	if r.Years < 1 && r.Days < 366 {
		return Retention{}, ErrRetention
	}
	return r, nil
}

// Cutoff returns the time before which rows expire at now.
func (r Retention) Cutoff(now time.Time) time.Time {
	return now.AddDate(-r.Years, 0, -r.Days)
}

func (r Retention) String() string {
	if r.Days > 0 {
		return strconv.Itoa(r.Days) + "d"
	}
	return strconv.Itoa(r.Years) + "y"
}

// Anchor is one snapshot of every chain's head, written out so it can be kept outside the database.
type Anchor struct {
	At    time.Time `json:"at"`
	Heads []Head    `json:"heads"`
}
