package csv

import (
	"fmt"

	"github.com/tidewatch/tidewatch/planner"
)

// InputError is a read error that also carries its position, for callers
// that report file and line apart from the message (the import API). It
// wraps the EINVALID *planner.Error the reader has always returned, so
// planner.ErrorCode, planner.ErrorMessage and Error() are unchanged; get
// it with errors.As.
type InputError struct {
	File   string // the name given to the reader
	Line   int    // 1-based line of the file; 0 when the error is about the whole file
	Reason string // the message without the file name and line
	err    *planner.Error
}

// Error returns the wrapped planner error's text.
func (e *InputError) Error() string { return e.err.Error() }

// Unwrap returns the wrapped *planner.Error.
func (e *InputError) Unwrap() error { return e.err }

// inputErr returns an EINVALID error "file:LINE: reason", or "file:
// reason" when line is 0.
func inputErr(file string, line int, reason string) error {
	msg := fmt.Sprintf("%s: %s", file, reason)
	if line > 0 {
		msg = fmt.Sprintf("%s:%d: %s", file, line, reason)
	}
	return &InputError{File: file, Line: line, Reason: reason, err: &planner.Error{Code: planner.EINVALID, Message: msg}}
}
