// Package apperr defines the coded application errors every layer returns and the web layer maps
// to HTTP statuses. Messages are safe to show to users; details stay in the wrapped error and logs.
package apperr

import (
	"errors"
	"fmt"
)

// Error codes.
const (
	EINVALID         = "invalid"
	ENOTFOUND        = "not_found"
	ECONFLICT        = "conflict"
	EFORBIDDEN       = "forbidden"
	EUNAUTHENTICATED = "unauthenticated"
	EINTERNAL        = "internal"
)

// Error is an application error with a code and a user-safe message.
type Error struct {
	Code    string
	Message string
	// Fields holds per-field validation messages (form field name -> message).
	Fields map[string]string
	Err    error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an Error with the given code and formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns an EINVALID error carrying per-field messages.
func Invalid(fields map[string]string) *Error {
	return &Error{Code: EINVALID, Message: "Please correct the highlighted fields.", Fields: fields}
}

// NotFound returns the one not-found error used for missing and hidden objects alike.
func NotFound() *Error {
	return &Error{Code: ENOTFOUND, Message: "The page or object you asked for does not exist."}
}

// Code returns the code of the first application error in err's chain, EINTERNAL otherwise.
func Code(err error) string {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// Message returns the user-safe message of err; internal errors get a generic message.
func Message(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL {
		return e.Message
	}
	return "Something went wrong on our side. The error has been logged."
}

// FieldErrors returns the per-field messages carried by err, if any.
func FieldErrors(err error) map[string]string {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
