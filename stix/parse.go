package stix

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	greyline "github.com/greyline/greyline"
)

// scoTypes are the Cyber-observable types of STIX 2.1 (section 6) plus
// greyline's two new ones. spec_version is optional on these and required
// on every other object.
var scoTypes = map[string]bool{
	"artifact": true, "autonomous-system": true, "directory": true, "domain-name": true,
	"email-addr": true, "email-message": true, "file": true, "ipv4-addr": true,
	"ipv6-addr": true, "mac-addr": true, "mutex": true, "network-traffic": true,
	"process": true, "software": true, "url": true, "user-account": true,
	"windows-registry-key": true, "x509-certificate": true,
	"phone-number": true, "cryptocurrency-wallet": true,
}

// maxPatternComparisons bounds how many values one indicator may carry, so
// a hostile pattern cannot make Parse do unbounded work per byte.
const maxPatternComparisons = 10000

// Parse reads a STIX 2.1 bundle and returns its indicators as records:
// one per value of each indicator whose pattern compares domain-name, url,
// ipv4-addr, ipv6-addr, email-addr, phone-number or cryptocurrency-wallet
// values with =, alone or joined by OR, and one per observable of those
// types whose value no indicator in the bundle already carries. Other
// objects (identities, marking definitions, relationships, reports, …) are
// checked for a valid type, id and spec_version and otherwise skipped.
//
// Values are normalised with package identifier. A record's TLP is the most
// restrictive TLP 1.0 or 2.0 marking on its object, or empty if it has none.
//
// Parse is all-or-nothing: anything malformed — bad JSON, a wrong type, a
// missing or malformed id or spec_version, an unsupported pattern, a value
// identifier refuses — returns an EINVALID error whose field names the
// object ("objects[3].pattern") and whose reason starts with its id, and
// no records.
func Parse(data []byte) ([]Record, error) {
	var top map[string]json.RawMessage
	if err := json.Unmarshal(data, &top); err != nil {
		return nil, greyline.Invalid("bundle", "is not a JSON object: "+jsonReason(err))
	}
	var typ, id string
	if err := str(top, "type", &typ, true); err != "" {
		return nil, greyline.Invalid("type", err)
	}
	if typ != "bundle" {
		return nil, greyline.Invalid("type", fmt.Sprintf("is %q, not \"bundle\"", typ))
	}
	if err := str(top, "id", &id, true); err != "" {
		return nil, greyline.Invalid("id", err)
	}
	if !strings.HasPrefix(id, "bundle--") || !isUUID(id[len("bundle--"):]) {
		return nil, greyline.Invalid("id", fmt.Sprintf("%q is not a bundle id (bundle--<UUID>)", id))
	}
	var sv string
	if err := str(top, "spec_version", &sv, false); err != "" {
		return nil, greyline.Invalid("spec_version", err)
	}
	if _, ok := top["spec_version"]; ok && sv != "2.1" {
		// A STIX 2.0 bundle carries spec_version; a 2.1 bundle does not.
		return nil, greyline.Invalid("spec_version", fmt.Sprintf("is %q; only STIX 2.1 is supported", sv))
	}
	var raw []json.RawMessage
	if o, ok := top["objects"]; ok {
		if err := json.Unmarshal(o, &raw); err != nil {
			return nil, greyline.Invalid("objects", "must be an array of objects")
		}
	}

	var indicators, observables []Record
	indicated := map[string]bool{}
	for i, o := range raw {
		recs, isIndicator, err := parseObject(i, o)
		if err != nil {
			return nil, err
		}
		if isIndicator {
			indicators = append(indicators, recs...)
			for _, r := range recs {
				indicated[string(r.Kind)+"|"+r.Value] = true
			}
		} else {
			observables = append(observables, recs...)
		}
	}
	out := indicators
	seen := map[string]bool{}
	for _, r := range observables {
		k := string(r.Kind) + "|" + r.Value
		if indicated[k] || seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, r)
	}
	return out, nil
}

// objectError builds the error for field f of object i; id is empty until
// the object's id is known.
func objectError(i int, id, f, reason string) error {
	field := fmt.Sprintf("objects[%d]", i)
	if f != "" {
		field += "." + f
	}
	if id != "" {
		reason = id + ": " + reason
	}
	return greyline.Invalid(field, reason)
}

// parseObject checks object i and returns the records it yields.
func parseObject(i int, data json.RawMessage) ([]Record, bool, error) {
	var o map[string]json.RawMessage
	if err := json.Unmarshal(data, &o); err != nil || o == nil {
		return nil, false, objectError(i, "", "", "is not a JSON object")
	}
	var typ, id, sv string
	if err := str(o, "type", &typ, true); err != "" {
		return nil, false, objectError(i, "", "type", err)
	}
	if !isTypeName(typ) {
		return nil, false, objectError(i, "", "type", fmt.Sprintf("%q is not a STIX type name", typ))
	}
	if err := str(o, "id", &id, true); err != "" {
		return nil, false, objectError(i, "", "id", err)
	}
	if !strings.HasPrefix(id, typ+"--") || !isUUID(id[len(typ)+2:]) {
		return nil, false, objectError(i, "", "id", fmt.Sprintf("%q is not a %s id (%s--<UUID>)", id, typ, typ))
	}
	if err := str(o, "spec_version", &sv, !scoTypes[typ]); err != "" {
		return nil, false, objectError(i, id, "spec_version", err)
	}
	if _, ok := o["spec_version"]; ok && sv != "2.1" {
		return nil, false, objectError(i, id, "spec_version", fmt.Sprintf("is %q; only STIX 2.1 is supported", sv))
	}
	fail := func(f, reason string) error { return objectError(i, id, f, reason) }

	if typ == "indicator" {
		recs, err := parseIndicator(o, fail)
		return recs, true, err
	}
	kind, ok := kindOfType[typ]
	if !ok {
		return nil, false, nil
	}
	var value, chain string
	if err := str(o, "value", &value, true); err != "" {
		return nil, false, fail("value", err)
	}
	idv, reason := canonical(kind, value)
	if reason != "" {
		return nil, false, fail("value", fmt.Sprintf("%q: %s", value, reason))
	}
	r := Record{Kind: kind, Value: idv.Value}
	if kind == Crypto {
		if err := str(o, "chain", &chain, false); err != "" {
			return nil, false, fail("chain", err)
		}
		c, reason := resolveChain(idv.Chain, chain)
		if reason != "" {
			return nil, false, fail("chain", reason)
		}
		r.Chain = c
	}
	if r.TLP, reason = markings(o); reason != "" {
		return nil, false, fail("object_marking_refs", reason)
	}
	return []Record{r}, false, nil
}

// parseIndicator reads an indicator's properties and pattern.
func parseIndicator(o map[string]json.RawMessage, fail func(f, reason string) error) ([]Record, error) {
	var base Record
	for _, s := range []struct {
		f   string
		dst *string
	}{{"name", &base.Name}, {"description", &base.Description}} {
		if err := str(o, s.f, s.dst, false); err != "" {
			return nil, fail(s.f, err)
		}
	}
	for _, t := range []struct {
		f        string
		dst      *time.Time
		required bool
	}{{"created", &base.Created, true}, {"modified", &base.Modified, true}, {"valid_from", &base.ValidFrom, true}, {"valid_until", new(time.Time), false}} {
		if err := timestamp(o, t.f, t.dst, t.required); err != "" {
			return nil, fail(t.f, err)
		}
	}
	if base.Modified.Before(base.Created) {
		return nil, fail("modified", "is before created")
	}
	if r, ok := o["revoked"]; ok {
		if err := json.Unmarshal(r, &base.Revoked); err != nil || bytes.Equal(bytes.TrimSpace(r), []byte("null")) {
			return nil, fail("revoked", "must be true or false")
		}
	}
	if l, ok := o["labels"]; ok {
		if err := json.Unmarshal(l, &base.Labels); err != nil || base.Labels == nil {
			return nil, fail("labels", "must be an array of strings")
		}
		for j, s := range base.Labels {
			if strings.TrimSpace(s) == "" {
				return nil, fail(fmt.Sprintf("labels[%d]", j), "must not be empty")
			}
		}
		if len(base.Labels) == 0 {
			base.Labels = nil
		}
	}
	var ref string
	if err := str(o, "created_by_ref", &ref, false); err != "" {
		return nil, fail("created_by_ref", err)
	}
	if ref != "" && !isReference(ref, "identity") {
		return nil, fail("created_by_ref", fmt.Sprintf("%q is not an identity id", ref))
	}
	var reason string
	if base.TLP, reason = markings(o); reason != "" {
		return nil, fail("object_marking_refs", reason)
	}

	var pt, pattern string
	if err := str(o, "pattern_type", &pt, true); err != "" {
		return nil, fail("pattern_type", err)
	}
	if pt != "stix" {
		return nil, fail("pattern_type", fmt.Sprintf("is %q; only STIX patterns are supported", pt))
	}
	if err := str(o, "pattern_version", new(string), false); err != "" {
		return nil, fail("pattern_version", err)
	}
	if err := str(o, "pattern", &pattern, true); err != "" {
		return nil, fail("pattern", err)
	}
	cmps, reason := parsePattern(pattern)
	if reason != "" {
		return nil, fail("pattern", reason)
	}
	var recs []Record
	seen := map[string]bool{}
	for _, c := range cmps {
		kind := kindOfType[c.objectType]
		idv, reason := canonical(kind, c.value)
		if reason != "" {
			return nil, fail("pattern", fmt.Sprintf("%s value %q: %s", c.objectType, c.value, reason))
		}
		k := string(kind) + "|" + idv.Value
		if seen[k] {
			continue
		}
		seen[k] = true
		r := base
		r.Labels = append([]string(nil), base.Labels...)
		if len(r.Labels) == 0 {
			r.Labels = nil
		}
		r.Kind, r.Value = kind, idv.Value
		if kind == Crypto {
			r.Chain = idv.Chain
		}
		recs = append(recs, r)
	}
	return recs, nil
}

// markings returns the most restrictive TLP among an object's
// object_marking_refs, "" if it has none.
func markings(o map[string]json.RawMessage) (TLP, string) {
	m, ok := o["object_marking_refs"]
	if !ok {
		return "", ""
	}
	var refs []string
	if err := json.Unmarshal(m, &refs); err != nil || refs == nil {
		return "", "must be an array of marking-definition ids"
	}
	var tlp TLP
	for _, ref := range refs {
		if !isReference(ref, "marking-definition") {
			return "", fmt.Sprintf("%q is not a marking-definition id", ref)
		}
		if l, ok := tlpOfMarking[ref]; ok && tlpRank(l) > tlpRank(tlp) {
			tlp = l
		}
	}
	return tlp, ""
}

// isReference reports whether ref is an id of an object of type typ.
func isReference(ref, typ string) bool {
	return strings.HasPrefix(ref, typ+"--") && isUUID(ref[len(typ)+2:])
}

// str reads property f of o into dst. It returns why the property is
// unusable, or "" (also when it is absent and not required).
func str(o map[string]json.RawMessage, f string, dst *string, required bool) string {
	r, ok := o[f]
	if !ok {
		if required {
			return "is required"
		}
		return ""
	}
	if len(r) == 0 || r[0] != '"' {
		return "must be a string"
	}
	if err := json.Unmarshal(r, dst); err != nil {
		return "must be a string"
	}
	return ""
}

// timestamp reads property f of o as a STIX timestamp: RFC 3339 in UTC
// with a Z, fractional seconds optional.
func timestamp(o map[string]json.RawMessage, f string, dst *time.Time, required bool) string {
	var s string
	if err := str(o, f, &s, required); err != "" {
		return err
	}
	if _, ok := o[f]; !ok {
		return ""
	}
	if !isTimestamp(s) {
		return fmt.Sprintf("%q is not a STIX timestamp (YYYY-MM-DDTHH:MM:SS[.s]Z)", s)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Sprintf("%q is not a valid time", s)
	}
	*dst = t.UTC()
	return ""
}

// isTimestamp checks the shape the STIX timestamp schema requires.
func isTimestamp(s string) bool {
	const shape = "dddd-dd-ddTdd:dd:dd"
	if len(s) < len(shape)+1 || s[len(s)-1] != 'Z' {
		return false
	}
	for i := 0; i < len(shape); i++ {
		if shape[i] == 'd' {
			if s[i] < '0' || s[i] > '9' {
				return false
			}
		} else if s[i] != shape[i] {
			return false
		}
	}
	rest := s[len(shape) : len(s)-1]
	if rest == "" {
		return true
	}
	if rest[0] != '.' || len(rest) == 1 {
		return false
	}
	for i := 1; i < len(rest); i++ {
		if rest[i] < '0' || rest[i] > '9' {
			return false
		}
	}
	return true
}

func jsonReason(err error) string {
	var se *json.SyntaxError
	if errors.As(err, &se) {
		return fmt.Sprintf("invalid JSON at byte %d", se.Offset)
	}
	return "invalid JSON"
}

// comparison is one "object-type:value = 'literal'" of a pattern.
type comparison struct {
	objectType string
	value      string
}

// parsePattern reads the subset of STIX patterning greyline imports:
// observation expressions joined by OR, each a bracketed list of equality
// comparisons on the value of a supported observable, joined by OR:
//
//	[domain-name:value = 'a.pk'] OR [url:value = 'https://a.pk/x' OR url:value = 'https://b.pk/']
//
// Anything else (AND, FOLLOWEDBY, qualifiers, other operators or
// properties, parentheses) is refused as unsupported: importing part of a
// pattern would widen or narrow what the partner meant.
func parsePattern(p string) ([]comparison, string) {
	s := &scanner{src: p}
	var out []comparison
	for {
		s.space()
		if !s.eat("[") {
			return nil, s.unsupported("expected [ to open an observation")
		}
		for {
			s.space()
			c, reason := s.comparison()
			if reason != "" {
				return nil, reason
			}
			out = append(out, c)
			if len(out) > maxPatternComparisons {
				return nil, fmt.Sprintf("has more than %d comparisons", maxPatternComparisons)
			}
			s.space()
			if s.eat("]") {
				break
			}
			if !s.keyword("OR") {
				return nil, s.unsupported("expected OR or ] after a comparison")
			}
		}
		s.space()
		if s.done() {
			return out, ""
		}
		if !s.keyword("OR") {
			return nil, s.unsupported("expected OR between observations")
		}
	}
}

type scanner struct {
	src string
	pos int
}

func (s *scanner) done() bool { return s.pos >= len(s.src) }

func (s *scanner) space() {
	for s.pos < len(s.src) && strings.IndexByte(" \t\r\n", s.src[s.pos]) >= 0 {
		s.pos++
	}
}

func (s *scanner) eat(t string) bool {
	if strings.HasPrefix(s.src[s.pos:], t) {
		s.pos += len(t)
		return true
	}
	return false
}

// keyword consumes the word w if it stands alone.
func (s *scanner) keyword(w string) bool {
	rest := s.src[s.pos:]
	if !strings.HasPrefix(rest, w) {
		return false
	}
	if len(rest) > len(w) {
		if c := rest[len(w)]; 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_' || c == '-' || c == '.' || c == ':' {
			return false
		}
	}
	s.pos += len(w)
	return true
}

func (s *scanner) unsupported(what string) string {
	near := s.src[s.pos:]
	if len(near) > 40 {
		near = near[:40] + "…"
	}
	if near == "" {
		return "is not a supported pattern: " + what + " at the end"
	}
	return fmt.Sprintf("is not a supported pattern: %s at %q", what, near)
}

// comparison reads "type:value = 'literal'".
func (s *scanner) comparison() (comparison, string) {
	start := s.pos
	for s.pos < len(s.src) && s.src[s.pos] != ':' && strings.IndexByte(" \t\r\n=]'", s.src[s.pos]) < 0 {
		s.pos++
	}
	typ := s.src[start:s.pos]
	if _, ok := kindOfType[typ]; !ok || !s.eat(":") {
		s.pos = start
		return comparison{}, s.unsupported("expected a comparison on domain-name, url, ipv4-addr, ipv6-addr, email-addr, phone-number or cryptocurrency-wallet")
	}
	if !s.keyword("value") {
		return comparison{}, s.unsupported("only the value property is supported")
	}
	s.space()
	if !s.eat("=") || s.eat("=") {
		return comparison{}, s.unsupported("only the = operator is supported")
	}
	s.space()
	if !s.eat("'") {
		return comparison{}, s.unsupported("expected a quoted string")
	}
	var b strings.Builder
	for {
		if s.done() {
			return comparison{}, "is not a supported pattern: unterminated string"
		}
		c := s.src[s.pos]
		s.pos++
		switch c {
		case '\'':
			return comparison{objectType: typ, value: b.String()}, ""
		case '\\':
			if s.done() || (s.src[s.pos] != '\'' && s.src[s.pos] != '\\') {
				return comparison{}, "is not a supported pattern: a backslash in a string must escape ' or \\"
			}
			b.WriteByte(s.src[s.pos])
			s.pos++
		default:
			b.WriteByte(c)
		}
	}
}
