package greyline

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"
)

// Outcome of an audited action.
const (
	OutcomeOK      = "ok"
	OutcomeDenied  = "denied"
	OutcomeFailure = "failure"
)

// AuditEvent is one entry of the tamper-evident audit log. Events form a hash
// chain: Hash = SHA-256(canonical content || PrevHash). IDs are contiguous from
// 1, so a deleted event shows as a gap and an inserted one breaks the chain.
type AuditEvent struct {
	ID         int64     `json:"id"`
	At         time.Time `json:"at"`
	UserID     int64     `json:"user_id,omitempty"`
	OrgID      int64     `json:"org_id,omitempty"`
	TokenID    int64     `json:"token_id,omitempty"`
	IP         string    `json:"ip,omitempty"`
	RequestID  string    `json:"request_id,omitempty"`
	Action     string    `json:"action"`
	RecordType string    `json:"record_type,omitempty"`
	RecordID   string    `json:"record_id,omitempty"`
	Outcome    string    `json:"outcome"`
	// Detail is free text without personal data (e.g. which fields changed).
	Detail   string `json:"detail,omitempty"`
	PrevHash string `json:"prev_hash"`
	Hash     string `json:"hash"`
}

// AuditTimePrecision is the precision at which event times are stored and
// hashed, the finest both engines keep.
const AuditTimePrecision = time.Microsecond

// canonicalAudit fixes the field order and encoding of the hashed content.
type canonicalAudit struct {
	V          int    `json:"v"`
	ID         int64  `json:"id"`
	At         string `json:"at"`
	UserID     int64  `json:"user_id"`
	OrgID      int64  `json:"org_id"`
	TokenID    int64  `json:"token_id"`
	IP         string `json:"ip"`
	RequestID  string `json:"request_id"`
	Action     string `json:"action"`
	RecordType string `json:"record_type"`
	RecordID   string `json:"record_id"`
	Outcome    string `json:"outcome"`
	Detail     string `json:"detail"`
}

// ComputeHash returns the chain hash of e given its PrevHash.
func (e *AuditEvent) ComputeHash() string {
	c := canonicalAudit{
		V: 1, ID: e.ID, At: e.At.UTC().Truncate(AuditTimePrecision).Format(time.RFC3339Nano),
		UserID: e.UserID, OrgID: e.OrgID, TokenID: e.TokenID, IP: e.IP, RequestID: e.RequestID,
		Action: e.Action, RecordType: e.RecordType, RecordID: e.RecordID, Outcome: e.Outcome, Detail: e.Detail,
	}
	b, err := json.Marshal(c)
	if err != nil { // cannot happen: only strings and integers
		panic(err)
	}
	h := sha256.New()
	h.Write(b)
	h.Write([]byte(e.PrevHash))
	return hex.EncodeToString(h.Sum(nil))
}

// GenesisHash is the PrevHash of the first event.
const GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000"

// ChainProblem describes one break in the audit chain.
type ChainProblem struct {
	ID     int64  `json:"id"`
	Kind   string `json:"kind"` // changed, deleted, inserted, relinked
	Detail string `json:"detail"`
}

// VerifyChain checks events given in ID order, continuing from prev (the
// last good event, or nil at the start). It returns every problem found.
func VerifyChain(prev *AuditEvent, events []AuditEvent) []ChainProblem {
	var out []ChainProblem
	prevHash, prevID := GenesisHash, int64(0)
	if prev != nil {
		prevHash, prevID = prev.Hash, prev.ID
	}
	for i := range events {
		e := &events[i]
		switch {
		case e.ID <= prevID:
			out = append(out, ChainProblem{e.ID, "inserted", "event id is out of sequence"})
		case e.ID > prevID+1:
			for id := prevID + 1; id < e.ID; id++ {
				out = append(out, ChainProblem{id, "deleted", "event is missing from the chain"})
			}
		}
		if got := e.ComputeHash(); got != e.Hash {
			out = append(out, ChainProblem{e.ID, "changed", "stored hash does not match the event's content"})
		} else if e.PrevHash != prevHash && e.ID == prevID+1 {
			// Self-consistent, but linked to something else: the event before
			// it was re-hashed after a change, or this one was slipped in.
			out = append(out, ChainProblem{e.ID, "relinked", fmt.Sprintf("event does not chain to event %d: that event was altered and re-hashed, or this one was inserted", prevID)})
		}
		prevHash, prevID = e.Hash, e.ID
	}
	return out
}

// AuditFilter selects audit events for browsing.
type AuditFilter struct {
	UserID     int64
	OrgID      int64
	Action     string
	RecordType string
	RecordID   string
	From, To   time.Time
	BeforeID   int64 // for paging backwards; 0 = newest
	Limit      int
}
