package network

import (
	"fmt"
	"math"
	"slices"
	"sync"
	"time"
)

// Engine is the fraud-network engine. The zero value is not usable; call New.
type Engine struct {
	wmu sync.Mutex   // serialises writers, so Load can build without blocking readers
	mu  sync.RWMutex // guards g
	g   *graph
}

// New returns an empty engine with the given guards.
func New(cfg Config) *Engine {
	def := DefaultConfig()
	if cfg.Default == (Threshold{}) {
		cfg.Default = def.Default
	}
	return &Engine{g: newGraph(cfg)}
}

func checkID(what string, id int64) (int32, error) {
	if id <= 0 || id > math.MaxInt32 {
		return 0, fmt.Errorf("%w: %s id %d out of range", ErrInvalid, what, id)
	}
	return int32(id), nil
}

func unixNano(t time.Time) int64 {
	if t.IsZero() {
		return noTime
	}
	return t.UnixNano()
}

func fromNano(n int64) time.Time {
	if n == noTime || n == math.MinInt64 || n == math.MaxInt64 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// growTo extends s to length n, within its capacity when it can and
// otherwise with a quarter more room, so growth copies rarely.
func growTo[T any](s []T, n int) []T {
	switch {
	case len(s) >= n:
		return s
	case cap(s) >= n:
		return s[:n]
	}
	return slices.Grow(s, n-len(s)+n/4)[:n]
}

func (g *graph) hasComplaint(id int64) bool {
	return id > 0 && id < int64(len(g.cs)) && g.cs[id].present
}

func (g *graph) hasIdent(id int64) bool {
	return id > 0 && id < int64(len(g.ids)) && g.ids[id].present
}

func hasLink(idents []int32, i int32) bool { return slices.Contains(idents, i) }

// setComplaintFields fills a complaint's own fields (not its links).
func (g *graph) setComplaintFields(k int32, c Complaint) {
	x := &g.cs[k]
	x.loss = c.LossPaisa
	x.at = unixNano(c.ReceivedAt)
	x.victim = g.victimID(c.Victim, k)
	x.city = g.cities.id(c.City)
	x.category = g.cats.id(c.Category)
}

// checkIdentifier validates an identifier against the engine and the
// others given with it.
func (g *graph) checkIdentifier(id Identifier, batch map[string]int64) error {
	if _, err := checkID("identifier", id.ID); err != nil {
		return err
	}
	if id.Key == "" {
		return fmt.Errorf("%w: identifier %d has no key", ErrInvalid, id.ID)
	}
	if k, ok := g.keys.get(id.Key, g.keyOf); ok && int64(k) != id.ID {
		return fmt.Errorf("%w: key %q belongs to identifier %d, not %d", ErrInvalid, id.Key, k, id.ID)
	}
	if batch != nil {
		if other, ok := batch[id.Key]; ok && other != id.ID {
			return fmt.Errorf("%w: key %q given for identifiers %d and %d", ErrInvalid, id.Key, other, id.ID)
		}
		batch[id.Key] = id.ID
	}
	return nil
}

// growIdents makes room for identifier id; before begin, so the scratch
// space covers it.
func (g *graph) growIdents(id int64) {
	if int(id) >= len(g.ids) {
		g.ids = growTo(g.ids, int(id)+1)
	}
}

// putIdentifier adds or updates an identifier; an update that changes
// whether it may link re-examines its complaints.
func (o *op) putIdentifier(id Identifier) {
	g := o.g
	k := int32(id.ID)
	x := &g.ids[k]
	if !x.present {
		g.nIdents++
		x.present = true
	} else if x.key != id.Key {
		g.keys.del(x.key, k)
	}
	if x.key != id.Key {
		x.key = id.Key
		g.keys.put(id.Key, k, g.keyOf)
	}
	x.value = id.Value
	x.typ = g.typeID(id.Type)
	x.listed = id.Listed
	if id.Finding != "" {
		g.findings[k] = id.Finding
	} else {
		delete(g.findings, k)
	}
	if id.Removal != "" {
		g.removals[k] = id.Removal
	} else {
		delete(g.removals, k)
	}
	o.stateChanged(k)
}

// AddComplaint adds a new complaint with its links. ids are the
// identifiers new to the engine, or whose fields changed (as with
// SetIdentifier); the links must all be the complaint's.
func (e *Engine) AddComplaint(c Complaint, ids []Identifier, links []Link) (Changes, error) {
	e.wmu.Lock()
	defer e.wmu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	g := e.g
	ck, err := checkID("complaint", c.ID)
	if err != nil {
		return Changes{}, err
	}
	if g.hasComplaint(c.ID) {
		return Changes{}, fmt.Errorf("%w: complaint %d already exists", ErrInvalid, c.ID)
	}
	batch := map[string]int64{}
	given := make(map[int64]bool, len(ids))
	for _, id := range ids {
		if err := g.checkIdentifier(id, batch); err != nil {
			return Changes{}, err
		}
		given[id.ID] = true
	}
	for k, l := range links {
		if l.Complaint != c.ID {
			return Changes{}, fmt.Errorf("%w: link to complaint %d given with complaint %d", ErrInvalid, l.Complaint, c.ID)
		}
		if !given[l.Identifier] && !g.hasIdent(l.Identifier) {
			return Changes{}, fmt.Errorf("%w: identifier %d", ErrUnknown, l.Identifier)
		}
		for _, m := range links[:k] {
			if m == l {
				return Changes{}, fmt.Errorf("%w: link %d-%d given twice", ErrInvalid, l.Complaint, l.Identifier)
			}
		}
	}

	if int(ck) >= len(g.cs) {
		g.cs = growTo(g.cs, int(ck)+1)
	}
	for _, id := range ids {
		g.growIdents(id.ID)
	}
	o := g.begin()
	o.fresh = ck
	for _, id := range ids {
		o.putIdentifier(id)
	}
	g.cs[ck] = complaint{comp: -1, present: true}
	g.setComplaintFields(ck, c)
	g.nComplaints++
	if len(links) > 0 {
		g.cs[ck].idents = make([]int32, 0, len(links))
	}
	for _, l := range links {
		g.addLink(ck, int32(l.Identifier))
	}
	o.affect(ck)
	for _, l := range links {
		o.stateChanged(int32(l.Identifier))
	}
	return o.run(), nil
}

// addLink records the link (c, i) and counts it into the identifier.
func (g *graph) addLink(c, i int32) {
	g.cs[c].idents = append(g.cs[c].idents, i)
	g.ids[i].complaints = append(g.ids[i].complaints, c)
	g.nLinks++
	g.addContribution(i, c)
}

// UpdateComplaint changes a complaint's own fields (victim, loss, city,
// category, time); its links stay.
func (e *Engine) UpdateComplaint(c Complaint) (Changes, error) {
	e.wmu.Lock()
	defer e.wmu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	g := e.g
	if _, err := checkID("complaint", c.ID); err != nil {
		return Changes{}, err
	}
	if !g.hasComplaint(c.ID) {
		return Changes{}, fmt.Errorf("%w: complaint %d", ErrUnknown, c.ID)
	}
	ck := int32(c.ID)
	o := g.begin()
	for _, i := range g.cs[ck].idents {
		g.dropContribution(i, ck, false)
	}
	g.setComplaintFields(ck, c)
	for _, i := range g.cs[ck].idents {
		if g.identVictims[i] != nil {
			g.addContribution(i, ck)
		} else {
			g.ids[i].loss += g.cs[ck].loss
			g.recountVictims(i)
		}
	}
	o.affect(ck)
	for _, i := range g.cs[ck].idents {
		o.stateChanged(i)
	}
	return o.run(), nil
}

func (g *graph) checkLink(l Link) (int32, int32, error) {
	if _, err := checkID("complaint", l.Complaint); err != nil {
		return 0, 0, err
	}
	if _, err := checkID("identifier", l.Identifier); err != nil {
		return 0, 0, err
	}
	if !g.hasComplaint(l.Complaint) {
		return 0, 0, fmt.Errorf("%w: complaint %d", ErrUnknown, l.Complaint)
	}
	if !g.hasIdent(l.Identifier) {
		return 0, 0, fmt.Errorf("%w: identifier %d", ErrUnknown, l.Identifier)
	}
	return int32(l.Complaint), int32(l.Identifier), nil
}

// AddLink restores a link an analyst had removed. Adding a link that
// exists changes nothing.
func (e *Engine) AddLink(l Link) (Changes, error) {
	e.wmu.Lock()
	defer e.wmu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	g := e.g
	c, i, err := g.checkLink(l)
	if err != nil || hasLink(g.cs[c].idents, i) {
		return Changes{}, err
	}
	o := g.begin()
	g.addLink(c, i)
	o.affect(c)
	o.stateChanged(i)
	return o.run(), nil
}

// RemoveLink removes a link (an analyst removed an extracted identifier
// from a complaint); it may split a network. Removing a link that does
// not exist changes nothing.
func (e *Engine) RemoveLink(l Link) (Changes, error) {
	e.wmu.Lock()
	defer e.wmu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	g := e.g
	c, i, err := g.checkLink(l)
	if err != nil || !hasLink(g.cs[c].idents, i) {
		return Changes{}, err
	}
	o := g.begin()
	x := &g.cs[c]
	x.idents = slices.Delete(x.idents, slices.Index(x.idents, i), slices.Index(x.idents, i)+1)
	id := &g.ids[i]
	id.complaints = slices.Delete(id.complaints, slices.Index(id.complaints, c), slices.Index(id.complaints, c)+1)
	g.nLinks--
	g.dropContribution(i, c, true)
	o.affect(c)
	o.stateChanged(i)
	return o.run(), nil
}

// SetIdentifier adds an identifier or changes one (its warninglisting,
// enforcement finding, value or type).
func (e *Engine) SetIdentifier(id Identifier) (Changes, error) {
	e.wmu.Lock()
	defer e.wmu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	g := e.g
	if err := g.checkIdentifier(id, nil); err != nil {
		return Changes{}, err
	}
	g.growIdents(id.ID)
	o := g.begin()
	o.putIdentifier(id)
	return o.run(), nil
}

// Apply applies an analyst's decision. Applying a decision again with the
// same id and content changes nothing; the same id with other content is
// ErrInvalid.
func (e *Engine) Apply(d Decision) (Changes, error) {
	e.wmu.Lock()
	defer e.wmu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	g := e.g
	if err := g.checkDecision(d); err != nil {
		return Changes{}, err
	}
	if old, ok := g.decisions[d.ID]; ok {
		if old.Kind == d.Kind && old.Identifier == d.Identifier && old.Complaint == d.Complaint && slices.Equal(old.Complaints, d.Complaints) {
			return Changes{}, nil
		}
		return Changes{}, fmt.Errorf("%w: decision %d already applied with other content", ErrInvalid, d.ID)
	}
	o := g.begin()
	o.decide(d, +1)
	return o.run(), nil
}

// Revoke undoes a decision.
func (e *Engine) Revoke(decisionID int64) (Changes, error) {
	e.wmu.Lock()
	defer e.wmu.Unlock()
	e.mu.Lock()
	defer e.mu.Unlock()
	g := e.g
	d, ok := g.decisions[decisionID]
	if !ok {
		return Changes{}, fmt.Errorf("%w: decision %d", ErrUnknown, decisionID)
	}
	o := g.begin()
	o.decide(*d, -1)
	return o.run(), nil
}

func (g *graph) checkDecision(d Decision) error {
	if d.ID <= 0 {
		return fmt.Errorf("%w: decision id %d", ErrInvalid, d.ID)
	}
	needIdent := func() error {
		if !g.hasIdent(d.Identifier) {
			return fmt.Errorf("%w: identifier %d", ErrUnknown, d.Identifier)
		}
		return nil
	}
	switch d.Kind {
	case ConfirmIdentifier, RejectIdentifier:
		return needIdent()
	case ConfirmLink, RejectLink:
		if err := needIdent(); err != nil {
			return err
		}
		if !g.hasComplaint(d.Complaint) {
			return fmt.Errorf("%w: complaint %d", ErrUnknown, d.Complaint)
		}
		return nil
	case Merge, Split:
		distinct := slices.Clone(d.Complaints)
		slices.Sort(distinct)
		distinct = slices.Compact(distinct)
		if d.Kind == Merge && len(distinct) < 2 {
			return fmt.Errorf("%w: a merge needs two complaints or more", ErrInvalid)
		}
		if len(distinct) == 0 {
			return fmt.Errorf("%w: a split needs one complaint or more", ErrInvalid)
		}
		for _, c := range distinct {
			if !g.hasComplaint(c) {
				return fmt.Errorf("%w: complaint %d", ErrUnknown, c)
			}
		}
		return nil
	}
	return fmt.Errorf("%w: decision kind %q", ErrInvalid, d.Kind)
}

// decide applies (+1) or revokes (-1) a checked decision.
func (o *op) decide(d Decision, sign int32) {
	g := o.g
	if sign > 0 {
		cp := d
		cp.Complaints = slices.Clone(d.Complaints)
		if d.Kind == Merge || d.Kind == Split {
			slices.Sort(cp.Complaints)
			cp.Complaints = slices.Compact(cp.Complaints)
		}
		g.decisions[d.ID] = &cp
		d = cp
	} else {
		delete(g.decisions, d.ID)
	}
	bump := func(m map[int32]int32, k int32) {
		if m[k] += sign; m[k] == 0 {
			delete(m, k)
		}
	}
	i, c := int32(d.Identifier), int32(d.Complaint)
	switch d.Kind {
	case ConfirmIdentifier:
		bump(g.confirms, i)
		o.stateChanged(i)
	case RejectIdentifier:
		bump(g.rejects, i)
		o.stateChanged(i)
	case ConfirmLink, RejectLink:
		m := g.linkConfirm
		if d.Kind == RejectLink {
			m = g.linkReject
		}
		k := linkKey(c, i)
		before := m[k]
		if m[k] += sign; m[k] == 0 {
			delete(m, k)
		}
		if d.Kind == ConfirmLink && (before == 0) != (m[k] == 0) {
			bump(g.linkConfirmN, i)
		}
		o.affect(c)
		o.touch(i)
	case Merge, Split:
		index := g.merges
		if d.Kind == Split {
			index = g.splits
		}
		for _, c64 := range d.Complaints {
			c := int32(c64)
			if sign > 0 {
				index[c] = append(index[c], d.ID)
			} else {
				index[c] = slices.DeleteFunc(index[c], func(x int64) bool { return x == d.ID })
				if len(index[c]) == 0 {
					delete(index, c)
				}
			}
			if d.Kind == Split {
				g.setLabel(c)
			}
			o.affect(c)
		}
	}
}

// setLabel gives a complaint the label of its latest Split (the highest
// decision id), so the label does not depend on the order decisions
// were applied in.
func (g *graph) setLabel(c int32) {
	if ds := g.splits[c]; len(ds) > 0 {
		g.labels[c] = slices.Max(ds)
	} else {
		delete(g.labels, c)
	}
}
