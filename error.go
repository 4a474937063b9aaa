// Package greyline is the domain core: types, validation and errors shared by
// every other package. It performs no I/O.
package greyline

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Code classifies an Error. Each code maps to exactly one HTTP status and one
// CLI exit code (see server and cmd/greyline); nothing else inspects messages.
type Code string

const (
	EINVALID         Code = "invalid"
	ENOTFOUND        Code = "not_found"
	ECONFLICT        Code = "conflict"
	EFORBIDDEN       Code = "forbidden"
	EUNAUTHENTICATED Code = "unauthenticated"
	ERATELIMITED     Code = "rate_limited"
	EINTERNAL        Code = "internal"
)

// Codes lists every code, for exhaustive mapping tests.
var Codes = []Code{EINVALID, ENOTFOUND, ECONFLICT, EFORBIDDEN, EUNAUTHENTICATED, ERATELIMITED, EINTERNAL}

// FieldError names one invalid input field and why it was refused.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Error is the one application error type. Message is safe to show to the
// user; internal causes are kept in Err and never shown.
type Error struct {
	Code    Code
	Message string
	Fields  []FieldError
	Err     error
}

func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(string(e.Code))
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	for _, f := range e.Fields {
		fmt.Fprintf(&b, "; %s: %s", f.Field, f.Reason)
	}
	if e.Err != nil {
		b.WriteString(": ")
		b.WriteString(e.Err.Error())
	}
	return b.String()
}

func (e *Error) Unwrap() error { return e.Err }

// Is lets errors.Is(err, ErrNotFound) match any Error with the same code.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Fields == nil && t.Err == nil && t.Code == e.Code
}

// Sentinels for errors.Is; they match on code alone.
var (
	ErrInvalid         = &Error{Code: EINVALID}
	ErrNotFound        = &Error{Code: ENOTFOUND}
	ErrConflict        = &Error{Code: ECONFLICT}
	ErrForbidden       = &Error{Code: EFORBIDDEN}
	ErrUnauthenticated = &Error{Code: EUNAUTHENTICATED}
	ErrRateLimited     = &Error{Code: ERATELIMITED}
	ErrInternal        = &Error{Code: EINTERNAL}
)

// Errorf returns an Error with a user-facing message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Internal wraps an unexpected error. Its text is logged, never shown.
func Internal(err error) *Error {
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return &Error{Code: EINTERNAL, Message: "An internal error occurred.", Err: err}
}

// ErrorCode returns the code of err, EINTERNAL for foreign errors, "" for nil.
func ErrorCode(err error) Code {
	if err == nil {
		return ""
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the user-facing message of err. Foreign errors get a
// generic text so that internals never leak.
func ErrorMessage(err error) string {
	var e *Error
	if errors.As(err, &e) && e.Code != EINTERNAL && e.Message != "" {
		return e.Message
	}
	if e != nil && e.Code == EINTERNAL {
		return "An internal error occurred."
	}
	if err == nil {
		return ""
	}
	return "An internal error occurred."
}

// ErrorFields returns the field errors carried by err, if any.
func ErrorFields(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}

// Validation collects field errors; Err returns nil when there are none.
// Typical use: v := greyline.Validation{}; v.Check(ok, "email", "is required"); return v.Err()
type Validation struct {
	fields []FieldError
}

// Add records that field is invalid for reason.
func (v *Validation) Add(field, reason string) {
	v.fields = append(v.fields, FieldError{field, reason})
}

// Check adds a field error when ok is false.
func (v *Validation) Check(ok bool, field, reason string) {
	if !ok {
		v.Add(field, reason)
	}
}

// Has reports whether field already has an error.
func (v *Validation) Has(field string) bool {
	for _, f := range v.fields {
		if f.Field == field {
			return true
		}
	}
	return false
}

// Err returns an EINVALID error listing the fields, or nil.
func (v *Validation) Err() error {
	if len(v.fields) == 0 {
		return nil
	}
	fs := append([]FieldError(nil), v.fields...)
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].Field < fs[j].Field })
	msg := "Please correct the highlighted field."
	if len(fs) > 1 {
		msg = "Please correct the highlighted fields."
	}
	return &Error{Code: EINVALID, Message: msg, Fields: fs}
}

// Invalid returns an EINVALID error for one field.
func Invalid(field, reason string) error {
	var v Validation
	v.Add(field, reason)
	return v.Err()
}
