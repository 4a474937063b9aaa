package stix

// Conversions between greyline's shared indicators and STIX records.

import (
	"strconv"
	"strings"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/identifier"
)

// FromIndicators turns shared indicators into STIX records: the types STIX
// has objects for (and greyline's phone and wallet extensions), one
// record per value in its latest state, a withdrawn one revoked.
func FromIndicators(items []*greyline.Indicator) []Record {
	latest := map[string]int{}
	var out []Record
	for _, in := range items {
		var kind Kind
		switch identifier.Type(in.Type) {
		case identifier.Domain:
			kind = Domain
		case identifier.URL:
			kind = URL
		case identifier.Email:
			kind = Email
		case identifier.Phone:
			kind = Phone
		case identifier.Crypto:
			kind = Crypto
		case identifier.IP:
			kind = IPv4
			if strings.Contains(in.Value, ":") {
				kind = IPv6
			}
		default:
			continue
		}
		rec := Record{Kind: kind, Value: in.Value, Name: in.Source, Description: in.Reason, TLP: TLP(in.TLP),
			Created: in.UpdatedAt, Modified: in.UpdatedAt, ValidFrom: in.UpdatedAt, Revoked: !in.Active}
		if kind == Crypto {
			rec.Chain = strings.ToLower(in.Chain)
		}
		key := string(kind) + ":" + in.Key
		if i, ok := latest[key]; ok {
			rec.Created = out[i].Created
			out[i] = rec
			continue
		}
		latest[key] = len(out)
		out = append(out, rec)
	}
	return out
}

// ToIndicators turns an imported bundle's records into indicators,
// normalised by package identifier; a record without a marking takes
// TLP:AMBER, the cautious default for a partner's data.
func ToIndicators(recs []Record) ([]*greyline.Indicator, error) {
	var v greyline.Validation
	out := make([]*greyline.Indicator, 0, len(recs))
	for i, r := range recs {
		var ty identifier.Type
		switch r.Kind {
		case Domain:
			ty = identifier.Domain
		case URL:
			ty = identifier.URL
		case Email:
			ty = identifier.Email
		case Phone:
			ty = identifier.Phone
		case Crypto:
			ty = identifier.Crypto
		case IPv4, IPv6:
			ty = identifier.IP
		}
		id := identifier.Parse(ty, r.Value)
		if ty == "" || !id.Valid {
			v.Add("objects["+strconv.Itoa(i)+"].value", "is not a valid "+string(r.Kind))
			continue
		}
		tlp := greyline.TLP(r.TLP)
		if tlp == "" {
			tlp = greyline.TLPAmber
		}
		reason := r.Description
		if reason == "" {
			reason = r.Name
		}
		out = append(out, &greyline.Indicator{Type: string(id.Type), Value: id.Value, Key: id.Key, Chain: id.Chain, TLP: tlp,
			Reason: reason, Active: !r.Revoked})
	}
	return out, v.Err()
}
