package geojson

import (
	"fmt"

	"github.com/tidewatch/tidewatch/planner"
)

// InputError is a read error that also carries its position, for callers
// that report file, feature and line apart from the message (the import
// API). It wraps the EINVALID *planner.Error the reader has always
// returned, so planner.ErrorCode, planner.ErrorMessage and Error() are
// unchanged; get it with errors.As.
type InputError struct {
	File    string // the name given to the reader
	Feature int    // 1-based feature number; 0 when the error is not about one feature
	Line    int    // 1-based line of the file; 0 when unknown
	Reason  string // the message without the file name and position
	err     *planner.Error
}

// Error returns the wrapped planner error's text.
func (e *InputError) Error() string { return e.err.Error() }

// Unwrap returns the wrapped *planner.Error.
func (e *InputError) Unwrap() error { return e.err }

// inputErr returns an EINVALID error "file: feature N (line L): reason",
// "file: line L: reason" or "file: reason", by what is known.
func inputErr(file string, feature, line int, reason string) error {
	var msg string
	switch {
	case feature > 0:
		msg = fmt.Sprintf("%s: feature %d (line %d): %s", file, feature, line, reason)
	case line > 0:
		msg = fmt.Sprintf("%s: line %d: %s", file, line, reason)
	default:
		msg = fmt.Sprintf("%s: %s", file, reason)
	}
	return &InputError{File: file, Feature: feature, Line: line, Reason: reason, err: &planner.Error{Code: planner.EINVALID, Message: msg}}
}
