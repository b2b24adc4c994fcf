// Package audit describes audit events: who did what to which object, from where, with what outcome.
// Stores write them in the same transaction as the change they record.
package audit

import "context"

// Outcomes.
const (
	Success = "success"
	Failure = "failure"
	Denied  = "denied"
)

// Event is one audit record.
type Event struct {
	ActorUserID   int64
	ActorAgencyID int64
	Action        string
	ObjectType    string
	ObjectID      string
	Outcome       string
	RequestID     string
	ClientAddr    string
	UserAgent     string
	Details       map[string]any
}

// Meta is what the web layer knows about the request an event comes from.
type Meta struct {
	RequestID     string
	ClientAddr    string
	UserAgent     string
	ActorUserID   int64
	ActorAgencyID int64
}

type metaKey struct{}

// WithMeta returns a context carrying m.
func WithMeta(ctx context.Context, m Meta) context.Context {
	return context.WithValue(ctx, metaKey{}, m)
}

// MetaFrom returns the request metadata in ctx (zero when absent).
func MetaFrom(ctx context.Context) Meta {
	m, _ := ctx.Value(metaKey{}).(Meta)
	return m
}

// New returns an event for action on an object, filled with the request metadata in ctx.
func New(ctx context.Context, action, objectType, objectID, outcome string, details map[string]any) Event {
	m := MetaFrom(ctx)
	return Event{
		ActorUserID: m.ActorUserID, ActorAgencyID: m.ActorAgencyID,
		Action: action, ObjectType: objectType, ObjectID: objectID, Outcome: outcome,
		RequestID: m.RequestID, ClientAddr: m.ClientAddr, UserAgent: m.UserAgent, Details: details,
	}
}
