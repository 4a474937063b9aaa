package stix

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/netip"
	"strings"
	"time"

	greyline "github.com/greyline/greyline"
	"github.com/greyline/greyline/identifier"
)

type identityObject struct {
	Type           string   `json:"type"`
	SpecVersion    string   `json:"spec_version"`
	ID             string   `json:"id"`
	Created        string   `json:"created"`
	Modified       string   `json:"modified"`
	Name           string   `json:"name"`
	Description    string   `json:"description,omitempty"`
	IdentityClass  string   `json:"identity_class"`
	Contact        string   `json:"contact_information,omitempty"`
	ObjectMarkings []string `json:"object_marking_refs"`
}

type extensionDefinition struct {
	Type           string   `json:"type"`
	SpecVersion    string   `json:"spec_version"`
	ID             string   `json:"id"`
	CreatedByRef   string   `json:"created_by_ref"`
	Created        string   `json:"created"`
	Modified       string   `json:"modified"`
	Name           string   `json:"name"`
	Description    string   `json:"description"`
	Schema         string   `json:"schema"`
	Version        string   `json:"version"`
	ExtensionTypes []string `json:"extension_types"`
	ObjectMarkings []string `json:"object_marking_refs"`
}

type indicatorObject struct {
	Type           string   `json:"type"`
	SpecVersion    string   `json:"spec_version"`
	ID             string   `json:"id"`
	CreatedByRef   string   `json:"created_by_ref"`
	Created        string   `json:"created"`
	Modified       string   `json:"modified"`
	Name           string   `json:"name,omitempty"`
	Description    string   `json:"description,omitempty"`
	IndicatorTypes []string `json:"indicator_types"`
	Pattern        string   `json:"pattern"`
	PatternType    string   `json:"pattern_type"`
	PatternVersion string   `json:"pattern_version"`
	ValidFrom      string   `json:"valid_from"`
	Revoked        bool     `json:"revoked,omitempty"`
	Labels         []string `json:"labels,omitempty"`
	ObjectMarkings []string `json:"object_marking_refs"`
}

type observableObject struct {
	Type           string                   `json:"type"`
	SpecVersion    string                   `json:"spec_version"`
	ID             string                   `json:"id"`
	Value          string                   `json:"value"`
	Chain          string                   `json:"chain,omitempty"`
	ObjectMarkings []string                 `json:"object_marking_refs"`
	Extensions     map[string]extensionBody `json:"extensions,omitempty"`
}

type extensionBody struct {
	ExtensionType string `json:"extension_type"`
}

type bundleObject struct {
	Type    string `json:"type"`
	ID      string `json:"id"`
	Objects []any  `json:"objects,omitempty"`
}

// Write writes recs as one STIX 2.1 bundle produced by p. now dates the
// bundle and stands in for a record's missing Created or Modified; it
// should be the export time, so that a re-export's modified moves forward.
//
// Write refuses the whole batch, writing nothing, if a record is invalid:
// an unknown kind or TLP, a value that is not already in identifier's
// canonical form, a chain on a non-crypto record, a label that is empty,
// modified before created, or a second record of the same kind and value
// (it would get the same ids).
func Write(w io.Writer, p Producer, recs []Record, now time.Time) error {
	b, err := Marshal(p, recs, now)
	if err != nil {
		return err
	}
	if _, err := w.Write(b); err != nil {
		return greyline.Internal(err)
	}
	return nil
}

// Marshal returns the bundle Write writes.
func Marshal(p Producer, recs []Record, now time.Time) ([]byte, error) {
	if now.IsZero() {
		return nil, greyline.Invalid("now", "is required")
	}
	p.Name = strings.TrimSpace(p.Name)
	if p.Class == "" {
		p.Class = "organization"
	}
	var v greyline.Validation
	v.Check(p.Name != "", "producer.name", "is required")
	v.Check(isVocab(p.Class), "producer.class", "must be a STIX identity class such as organization")
	chains := make([]string, len(recs))
	seen := make(map[string]int, len(recs))
	for i, r := range recs {
		f := fmt.Sprintf("records[%d]", i)
		chain, reason := checkRecord(r)
		if reason != "" {
			field, msg, _ := strings.Cut(reason, ": ")
			v.Add(f+"."+field, msg)
			continue
		}
		chains[i] = chain
		key := string(r.Kind) + "|" + r.Value
		if j, dup := seen[key]; dup {
			v.Add(f+".value", fmt.Sprintf("repeats records[%d]; each value is exported once", j))
			continue
		}
		seen[key] = i
	}
	if err := v.Err(); err != nil {
		return nil, err
	}

	producerID := "identity--" + uuid5(greylineNamespace, "producer|"+p.Name)
	clear := tlp2[TLPClear].id
	var objects []any
	if len(recs) > 0 {
		// The producer identity and extension definitions are public
		// descriptions, so they are TLP:CLEAR whatever the records are.
		used := map[TLP]bool{TLPClear: true}
		newTypes := map[string]bool{}
		for _, r := range recs {
			used[r.TLP] = true
			if _, ok := newSCOs[objectType[r.Kind]]; ok {
				newTypes[objectType[r.Kind]] = true
			}
		}
		if len(newTypes) > 0 {
			objects = append(objects, identityObject{
				Type: "identity", SpecVersion: "2.1", ID: greylineIdentityID,
				Created: extensionEpoch, Modified: extensionEpoch,
				Name:           "greyline",
				Description:    "greyline, Pakistan's registry of call-centre licences and fraud reports; defines the STIX extensions its exports use.",
				IdentityClass:  "system",
				ObjectMarkings: []string{clear},
			})
		}
		// The producer's details may change between exports, so its
		// modified is the export time.
		modified := formatTime(now)
		if modified < extensionEpoch {
			modified = extensionEpoch
		}
		objects = append(objects, identityObject{
			Type: "identity", SpecVersion: "2.1", ID: producerID,
			Created: extensionEpoch, Modified: modified,
			Name: p.Name, IdentityClass: p.Class, Contact: p.Contact,
			ObjectMarkings: []string{clear},
		})
		for _, l := range TLPs {
			if used[l] {
				objects = append(objects, markingObject(l))
			}
		}
		for _, t := range []string{"phone-number", "cryptocurrency-wallet"} {
			if !newTypes[t] {
				continue
			}
			d := newSCOs[t]
			objects = append(objects, extensionDefinition{
				Type: "extension-definition", SpecVersion: "2.1", ID: d.id,
				CreatedByRef: greylineIdentityID, Created: extensionEpoch, Modified: extensionEpoch,
				Name: t, Description: d.description, Schema: d.schema, Version: "1.0.0",
				ExtensionTypes: []string{"new-sco"},
				ObjectMarkings: []string{clear},
			})
		}
	}
	for i, r := range recs {
		created, modified := r.Created, r.Modified
		if created.IsZero() {
			created = now
		}
		if modified.IsZero() {
			modified = now
		}
		if modified.Before(created) {
			// Only reachable when now precedes a given Created.
			modified = created
		}
		validFrom := r.ValidFrom
		if validFrom.IsZero() {
			validFrom = created
		}
		typ := objectType[r.Kind]
		marking := []string{tlp2[r.TLP].id}
		objects = append(objects, indicatorObject{
			Type: "indicator", SpecVersion: "2.1",
			ID:           "indicator--" + uuid5(greylineNamespace, "indicator|"+string(r.Kind)+"|"+r.Value),
			CreatedByRef: producerID,
			Created:      formatTime(created), Modified: formatTime(modified),
			Name: r.Name, Description: r.Description,
			IndicatorTypes: []string{"malicious-activity"},
			Pattern:        "[" + typ + ":value = " + quotePattern(r.Value) + "]",
			PatternType:    "stix", PatternVersion: "2.1",
			ValidFrom:      formatTime(validFrom),
			Revoked:        r.Revoked,
			Labels:         r.Labels,
			ObjectMarkings: marking,
		})
		sco := observableObject{
			Type: typ, SpecVersion: "2.1", ID: scoID(typ, r.Value), Value: r.Value,
			ObjectMarkings: marking,
		}
		if d, ok := newSCOs[typ]; ok {
			sco.Extensions = map[string]extensionBody{d.id: {ExtensionType: "new-sco"}}
		}
		if r.Kind == Crypto {
			sco.Chain = chains[i]
		}
		objects = append(objects, sco)
	}

	body, err := encode(objects)
	if err != nil {
		return nil, greyline.Internal(err)
	}
	sum := sha256.Sum256(body)
	bundle := bundleObject{
		Type:    "bundle",
		ID:      "bundle--" + uuid5(greylineNamespace, "bundle|"+now.UTC().Format(time.RFC3339Nano)+"|"+hex.EncodeToString(sum[:])),
		Objects: objects,
	}
	out, err := encode(bundle)
	if err != nil {
		return nil, greyline.Internal(err)
	}
	return out, nil
}

// encode is json.Marshal with two-space indentation and without escaping
// <, > and &, which URLs contain and partners' tools need not see escaped.
func encode(v any) ([]byte, error) {
	var b bytes.Buffer
	e := json.NewEncoder(&b)
	e.SetEscapeHTML(false)
	e.SetIndent("", "  ")
	if err := e.Encode(v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// isVocab reports whether s looks like an open-vocabulary value such as an
// identity class: lower-case letters and hyphens.
func isVocab(s string) bool {
	if s == "" || len(s) > 100 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; !('a' <= c && c <= 'z' || c == '-') {
			return false
		}
	}
	return true
}

// checkRecord validates r for export and returns the chain to write for a
// crypto record. A refusal comes back as "field: reason".
func checkRecord(r Record) (chain, reason string) {
	if _, ok := objectType[r.Kind]; !ok {
		return "", "kind: must be one of domain, url, ipv4, ipv6, email, phone, crypto"
	}
	if _, ok := tlp2[r.TLP]; !ok {
		return "", "tlp: must be one of clear, green, amber, amber+strict, red"
	}
	if r.Value == "" {
		return "", "value: is required"
	}
	id, reason := canonical(r.Kind, r.Value)
	if reason != "" {
		return "", "value: " + reason
	}
	if id.Value != r.Value {
		return "", fmt.Sprintf("value: is not in canonical form (expected %q)", id.Value)
	}
	if r.Kind != Crypto {
		if r.Chain != "" {
			return "", "chain: is only for crypto records"
		}
	} else {
		c, reason := resolveChain(id.Chain, r.Chain)
		if reason != "" {
			return "", "chain: " + reason
		}
		chain = c
	}
	for j, l := range r.Labels {
		if strings.TrimSpace(l) == "" {
			return "", fmt.Sprintf("labels[%d]: must not be empty", j)
		}
	}
	if !r.Created.IsZero() && !r.Modified.IsZero() && r.Modified.Before(r.Created) {
		return "", "modified: is before created"
	}
	return chain, ""
}

// canonical parses v as a value of kind k with package identifier and
// returns the parsed identifier, or why it is not one.
func canonical(k Kind, v string) (identifier.ID, string) {
	var t identifier.Type
	switch k {
	case Domain:
		t = identifier.Domain
	case URL:
		t = identifier.URL
	case IPv4, IPv6:
		t = identifier.IP
	case Email:
		t = identifier.Email
	case Phone:
		t = identifier.Phone
	case Crypto:
		t = identifier.Crypto
	}
	id := identifier.Parse(t, v)
	if !id.Valid {
		return id, id.Reason
	}
	if k == IPv4 || k == IPv6 {
		a, err := netip.ParseAddr(id.Value)
		if err != nil || a.Is4() != (k == IPv4) {
			if k == IPv4 {
				return id, "is not an IPv4 address"
			}
			return id, "is not an IPv6 address"
		}
	}
	return id, ""
}

// resolveChain reconciles the chain identifier detected with the one a
// record or bundle states: a recognised chain wins and must not be
// contradicted; for an address identifier cannot place, a stated chain is
// kept if it looks like a chain name.
func resolveChain(detected, stated string) (string, string) {
	if stated == "" {
		return detected, ""
	}
	if detected != identifier.ChainUnknown {
		if stated != detected {
			return "", fmt.Sprintf("is %q but the address is a %q address", stated, detected)
		}
		return detected, ""
	}
	if len(stated) > 32 {
		return "", "must be at most 32 characters"
	}
	for i := 0; i < len(stated); i++ {
		if c := stated[i]; !('a' <= c && c <= 'z' || '0' <= c && c <= '9' || c == '-') {
			return "", "must be a lower-case chain name such as btc, eth or tron"
		}
	}
	return stated, ""
}

// quotePattern writes s as a STIX pattern string literal: in single quotes,
// with quote and backslash escaped by a backslash.
func quotePattern(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `'`, `\'`)
	return "'" + r.Replace(s) + "'"
}
