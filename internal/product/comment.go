package product

import (
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"tearline/internal/apperr"
	"tearline/internal/marking"
)

// Review comment limits.
const (
	MaxCommentBody = 4000 // characters, like the database check
	MaxQuote       = 4000 // characters of the portion kept with a comment
)

// CommentState is the state of a top-level review comment; answers have none.
type CommentState string

// Comment states.
const (
	CommentOpen     CommentState = "open"
	CommentResolved CommentState = "resolved"
)

// Comment is a review comment on a portion (or on the product as a whole), or an answer to one.
// Comments are never edited or deleted; a top-level comment is resolved or reopened.
type Comment struct {
	ID        int64
	ProductID int64
	// PortionID is the portion commented on; nil for the product as a whole, for an answer, and
	// for a comment whose portion was deleted since (OnPortion stays true).
	PortionID *int64
	OnPortion bool
	ParentID  *int64
	AuthorID  int64
	// AuthorName is the display name of AuthorID.
	AuthorName   string
	Body         string
	State        CommentState // "" for answers
	ResolvedBy   *int64
	ResolvedName string
	ResolvedAt   *time.Time
	CreatedAt    time.Time
	// Quote and QuoteMarking are the portion's text and marking when the comment was made.
	Quote        string
	QuoteMarking marking.Marking
	// Answers are the answers to a top-level comment, oldest first.
	Answers []Comment
}

// Open reports whether the comment is a top-level comment still open.
func (c Comment) Open() bool { return c.State == CommentOpen }

// Orphaned reports whether the comment was made on a portion that has been deleted since.
func (c Comment) Orphaned() bool { return c.OnPortion && c.PortionID == nil }

// CommentableStates are the states in which reviewers may raise new comments: while the product is
// in review or approved (a releasing official can still return an approved product).
var CommentableStates = []State{StatePeerReview, StateSupervisoryReview, StateLegalReview, StateSteeringReview, StateApproved}

// Commentable reports whether reviewers may raise new comments on a product in state s.
func Commentable(s State) bool { return slices.Contains(CommentableStates, s) }

// ThreadsActive reports whether comments on a product in state s may be answered, resolved or
// reopened: always except once released, when the threads are kept as they stood.
func ThreadsActive(s State) bool { return s != StateReleased && s != "" }

// NormalizeCommentBody trims a comment and turns CRLF line ends into LF.
func NormalizeCommentBody(s string) string {
	return strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n"))
}

// ValidateCommentBody checks a normalised comment body: 1 to MaxCommentBody characters.
func ValidateCommentBody(s string) error {
	msg := ""
	switch n := utf8.RuneCountInString(s); {
	case !utf8.ValidString(s) || strings.ContainsRune(s, 0):
		msg = "The comment is not valid text."
	case n == 0:
		msg = "Write a comment before sending it."
	case n > MaxCommentBody:
		msg = "A comment holds at most 4,000 characters; this one has " + strconv.Itoa(n) + "."
	}
	if msg == "" {
		return nil
	}
	return &apperr.Error{Code: apperr.EINVALID, Message: msg, Fields: map[string]string{"body": msg}}
}

// QuoteOf returns the part of a portion's text kept with a comment: at most MaxQuote characters.
func QuoteOf(body string) string {
	body = strings.TrimSpace(body)
	if utf8.RuneCountInString(body) <= MaxQuote {
		return body
	}
	r := []rune(body)
	return string(r[:MaxQuote-1]) + "…"
}

// Threads are a product's top-level comments grouped by where they are anchored.
type Threads struct {
	// ByPortion holds the comments on each existing portion, oldest first.
	ByPortion map[int64][]Comment
	// General holds the comments on the product as a whole.
	General []Comment
	// Orphaned holds the comments on portions deleted since, with their quotes.
	Orphaned []Comment
	// Open and Resolved count the top-level comments in each state.
	Open, Resolved int
}

// GroupComments groups top-level comments (answers nested) by anchor and counts them.
func GroupComments(cs []Comment) Threads {
	t := Threads{ByPortion: map[int64][]Comment{}}
	for _, c := range cs {
		switch {
		case c.PortionID != nil:
			t.ByPortion[*c.PortionID] = append(t.ByPortion[*c.PortionID], c)
		case c.OnPortion:
			t.Orphaned = append(t.Orphaned, c)
		default:
			t.General = append(t.General, c)
		}
		switch c.State {
		case CommentOpen:
			t.Open++
		case CommentResolved:
			t.Resolved++
		}
	}
	return t
}

// CommentTally is the number of comments on one product, for the review queue.
type CommentTally struct {
	ProductID int64
	Type      Type
	State     State
	Title     string
	// Authored reports whether the user asking is one of the product's authors.
	Authored bool
	// Open counts the open comments; Mine those of them the user asking raised.
	Open, Mine int
}
