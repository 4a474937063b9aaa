package server

// Several servers on one database: each follows the change log, so that
// its in-memory indexes (the licence registry, the networks and tiers)
// show what the others wrote, without rebuilding from scratch.

import (
	"context"
	"time"

	"github.com/greyline/greyline"
)

// follower remembers where it is in the change log.
type follower struct {
	log     greyline.ChangeLog
	cursor  int64
	applied map[int64]time.Time // entries applied within the look-back window
}

// lookback covers entries that commit after one with a higher number.
const lookback = 5 * time.Second

// FollowFrom sets where following starts: the change log's end as read
// before the indexes were built, so nothing written meanwhile is missed.
func (s *Server) FollowFrom(seq int64) {
	if s.changes != nil {
		s.follow = &follower{log: s.changes, cursor: seq, applied: map[int64]time.Time{}}
	}
}

// Follow applies the change log every interval until ctx ends. Applying a
// change twice is harmless, so the server's own writes, which it applied
// at once, cost only a read when they come round again.
func (s *Server) Follow(ctx context.Context, every time.Duration) {
	if s.follow == nil {
		return
	}
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		if err := s.FollowOnce(ctx); err != nil && ctx.Err() == nil {
			s.log.Error("following the change log failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// FollowOnce applies what the change log holds beyond the last call.
func (s *Server) FollowOnce(ctx context.Context) error {
	f := s.follow
	if f == nil {
		return nil
	}
	changes, err := f.log.ChangesSince(ctx, f.cursor, lookback)
	if err != nil {
		return err
	}
	now := time.Now()
	var complaints, identifiers []int64
	businesses := map[int64]bool{}
	var decisions []int64
	var fresh []greyline.Change
	for _, c := range changes {
		if _, done := f.applied[c.Seq]; done {
			continue
		}
		fresh = append(fresh, c)
		switch c.Kind {
		case greyline.ChangeComplaints:
			for id := c.First; id <= c.Last; id++ {
				complaints = append(complaints, id)
			}
		case greyline.ChangeBusiness:
			businesses[c.First] = true
		case greyline.ChangeDecision:
			decisions = append(decisions, c.First)
		case greyline.ChangeIdentifier:
			identifiers = append(identifiers, c.First)
		}
	}
	for b := range businesses {
		if err := s.registry.Refresh(ctx, b); err != nil {
			return err
		}
	}
	if len(complaints) > 0 {
		s.watch.ComplaintsChanged(complaints)
	}
	if s.nets != nil {
		for len(complaints) > 0 {
			n := min(len(complaints), 500)
			if err := s.nets.ComplaintsChanged(ctx, complaints[:n]); err != nil {
				return err
			}
			complaints = complaints[n:]
		}
		for _, d := range decisions {
			if err := s.nets.SyncDecision(ctx, d); err != nil {
				return err
			}
		}
		if len(identifiers) > 0 {
			if err := s.nets.SyncIdentifiers(ctx, identifiers); err != nil {
				return err
			}
		}
	}
	// Only now, with everything applied, is the cursor moved.
	for _, c := range fresh {
		f.applied[c.Seq] = now
		f.cursor = max(f.cursor, c.Seq)
	}
	for seq, at := range f.applied {
		if now.Sub(at) > 2*lookback {
			delete(f.applied, seq)
		}
	}
	return nil
}
