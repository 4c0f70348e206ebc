package planner

import (
	"errors"
	"fmt"
)

// Error codes shared by every layer; the API maps them to HTTP statuses in
// one place.
const (
	ECONFLICT       = "conflict"        // a stale write or a duplicate
	EINTERNAL       = "internal"        // a bug or an unexpected failure
	EINVALID        = "invalid"         // bad input: file, record or request
	ENOTFOUND       = "not_found"       // no such record
	EUNAUTHORIZED   = "unauthorized"    // not signed in
	EFORBIDDEN      = "forbidden"       // signed in but not allowed
	ENOTIMPLEMENTED = "not_implemented" // a feature this build does not have
	ETOOMANY        = "rate_limited"    // too many requests: wait and try again
)

// Error is a coded application error whose Message is fit to show a user.
type Error struct {
	Code    string
	Message string
}

// Error implements the error interface.
func (e *Error) Error() string { return fmt.Sprintf("%s: %s", e.Code, e.Message) }

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the first *Error in err's chain, EINTERNAL
// for any other non-nil error and "" for nil.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of the first *Error in err's
// chain, or "Internal error." for any other error.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}
