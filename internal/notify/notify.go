// Package notify turns portal events into notifications for the users they concern and delivers them
// in the portal and by e-mail. Events are queued as River jobs in the transaction of the change they
// report; a fan-out job writes one notification per user and queues its e-mail; the e-mail job checks
// again, at send time, that the user may still see what the message names (a recall, a lost right or
// a deactivation between queueing and sending means no message).
package notify

import (
	"context"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/riverqueue/river"
)

// Events a notification can report.
const (
	EditionReleased   = "edition.released"   // an edition reached the user's agency (liaisons: acknowledgement due)
	EditionMatched    = "edition.matched"    // an edition that reached the agency matches the user's subscription
	EditionRecalled   = "edition.recalled"   // an edition the agency held was recalled
	EditionSuperseded = "edition.superseded" // a new revision supersedes an edition the agency held
	ReviewAssigned    = "review.assigned"    // a draft waits for the user's review
	ReviewReturned    = "review.returned"    // the user's draft came back from review
	SteeringAssigned  = "steering.assigned"  // an assessment waits for the steering member's decision
)

// FanoutArgs is the job that turns one event into notifications. Key identifies the event, so a retried
// or repeated job never notifies a user twice about it.
type FanoutArgs struct {
	Event     string  `json:"event"`
	EditionID int64   `json:"edition_id,omitempty"`
	ProductID int64   `json:"product_id,omitempty"`
	Agencies  []int64 `json:"agencies,omitempty"` // the recipient agencies an edition event concerns
	Users     []int64 `json:"users,omitempty"`    // the users a steering assignment names
	Label     string  `json:"label,omitempty"`    // an edition's number: what every holder may see of it
	Detail    string  `json:"detail,omitempty"`   // e.g. the recall reason or the review comment; never edition content
	Key       string  `json:"key"`
}

// Kind names the job for River.
func (FanoutArgs) Kind() string { return "notify.fanout" }

// InsertOpts makes a fan-out unique per event key while it waits or runs.
func (a FanoutArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// EmailArgs is the job that e-mails one notification to its user.
type EmailArgs struct {
	NotificationID int64 `json:"notification_id"`
	UserID         int64 `json:"user_id"`
	AgencyID       int64 `json:"agency_id"`
}

// Kind names the job for River.
func (EmailArgs) Kind() string { return "notify.email" }

// InsertOpts puts e-mails on the notification queue.
func (EmailArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{Queue: Queue, UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

// Queue is the River queue notification jobs run on.
const Queue = "notify"

// Notification is one notification as its user sees it in the portal.
type Notification struct {
	ID         int64
	Event      string
	ObjectType string
	ObjectID   int64
	Label      string // edition number or product title: always visible to the user
	Title      string // the edition's title, read live; empty when the user may no longer see it
	Detail     string
	CreatedAt  time.Time
	ReadAt     *time.Time
}

// Link is the page a notification leads to.
func (n Notification) Link() string {
	if n.ObjectType == "product" {
		if n.Event == SteeringAssigned {
			return "/steering/" + itoa(n.ObjectID)
		}
		return "/products/" + itoa(n.ObjectID)
	}
	return "/editions/" + itoa(n.ObjectID)
}

// Text is the notification's sentence.
func (n Notification) Text() string {
	switch n.Event {
	case EditionReleased:
		return "Released to your agency; acknowledgement due: " + n.Label
	case EditionMatched:
		return "Matches your subscription: " + n.Label
	case EditionRecalled:
		return "Recalled: " + n.Label
	case EditionSuperseded:
		return "Superseded: " + n.Label
	case ReviewAssigned:
		return "Waiting for your review: " + n.Label
	case ReviewReturned:
		return "Returned to draft: " + n.Label
	case SteeringAssigned:
		return "Steering decision needed: " + n.Label
	}
	return n.Label
}

// Subscription kinds.
const (
	SubscribeTopic  = "topic"
	SubscribeRegion = "region"
	SubscribeType   = "type"
	SubscribeSearch = "search"
)

// Subscription is what a user asked to hear about.
type Subscription struct {
	ID        int64
	Kind      string
	Value     string
	CreatedAt time.Time
}

// Message is one e-mail, rendered for its recipient.
type Message struct {
	NotificationID int64
	UserID         int64
	To             string
	Subject        string
	Body           string
}

// Mailer sends a message (SMTP, or the demo outbox).
type Mailer interface {
	Send(ctx context.Context, m Message) error
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// Normalize trims the subscription and checks it, returning the problems by form field ("value",
// "kind"); nil when it is acceptable. validType and validTopic say whether a product type or topic key
// exists.
func (s *Subscription) Normalize(validType, validTopic func(string) bool) map[string]string {
	s.Kind = strings.TrimSpace(s.Kind)
	s.Value = strings.Join(strings.Fields(s.Value), " ")
	switch s.Kind {
	case SubscribeType:
		if !validType(s.Value) {
			return map[string]string{"value": "Choose a product type."}
		}
	case SubscribeTopic:
		if !validTopic(s.Value) {
			return map[string]string{"value": "Choose a topic."}
		}
	case SubscribeRegion:
		s.Value = strings.ToUpper(s.Value)
		if s.Value == "" || len(s.Value) > 60 || strings.IndexFunc(s.Value, func(r rune) bool { return !(r >= 'A' && r <= 'Z' || r == ' ' || r == '-') }) >= 0 {
			return map[string]string{"value": "Enter a region as a country trigraph (e.g. HND) or a region name in letters."}
		}
	case SubscribeSearch:
		if n := utf8.RuneCountInString(s.Value); n == 0 || n > 200 {
			return map[string]string{"value": "Enter search words (at most 200 characters)."}
		}
	default:
		return map[string]string{"kind": "Choose what to subscribe to."}
	}
	return nil
}
