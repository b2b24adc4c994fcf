package product

import (
	"time"

	"tearline/internal/workflow"
)

// GeneralSection is the section key of a steering comment on the assessment as a whole.
const GeneralSection = "general"

// SteeringMember is a steering group member assigned to a product in one round, with their decision
// once they have recorded one.
type SteeringMember struct {
	UserID     int64
	Name       string
	AgencyCode string
	Round      int
	AssignedBy string
	AssignedAt time.Time
	// Decision is empty while the member has not decided.
	Decision  workflow.Decision
	Comment   string
	DecidedAt *time.Time
}

// SteeringComment is a steering member's comment on one section of an assessment.
type SteeringComment struct {
	ID         int64
	Round      int
	Section    string
	UserID     int64
	Name       string
	AgencyCode string
	Body       string
	At         time.Time
}

// SteeringReview is the steering group's work on a product: the current round's members and their
// decisions, the members of earlier rounds, and the comments of every round. What it holds depends
// on who asks: the owning agency sees every member, a steering member only themselves.
type SteeringReview struct {
	Round    int
	Members  []SteeringMember  // assigned in the current round
	Earlier  []SteeringMember  // earlier rounds, newest round first
	Comments []SteeringComment // every round, newest round first, then in the order written
}

// Assigned returns the user ids of the current round's members.
func (r SteeringReview) Assigned() []int64 {
	out := make([]int64, 0, len(r.Members))
	for _, m := range r.Members {
		out = append(out, m.UserID)
	}
	return out
}

// Decisions returns the current round's recorded decisions by member.
func (r SteeringReview) Decisions() map[int64]workflow.Decision {
	out := make(map[int64]workflow.Decision, len(r.Members))
	for _, m := range r.Members {
		if m.Decision != "" {
			out[m.UserID] = m.Decision
		}
	}
	return out
}

// Member returns the current round's member with the user id, if assigned.
func (r SteeringReview) Member(userID int64) (SteeringMember, bool) {
	for _, m := range r.Members {
		if m.UserID == userID {
			return m, true
		}
	}
	return SteeringMember{}, false
}

// SteeringCase is an assessment as an assigned steering member sees it: the product, their part of
// the steering review and the product's timeline.
type SteeringCase struct {
	Product  Product
	Steering SteeringReview
	Timeline []Transition
}

// SteeringQueueItem is one assessment in a steering member's queue.
type SteeringQueueItem struct {
	DraftSummary
	OwnerAgency string
	Round       int
	// Decision is the member's decision in the current round, empty while pending.
	Decision workflow.Decision
}

// SteeringCandidate is an active steering group member who can be assigned.
type SteeringCandidate struct {
	UserID     int64
	Name       string
	AgencyCode string
	AgencyName string
}
