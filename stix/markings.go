package stix

// tlp2Extension is the OASIS extension-definition through which the TLP 2.0
// marking-definition objects declare their level.
const tlp2Extension = "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

// tlp2Created is the created timestamp OASIS published the TLP 2.0 objects
// with; like the ids it is part of the objects and must not vary.
const tlp2Created = "2022-10-01T00:00:00.000Z"

// tlp2 holds the OASIS TLP 2.0 marking-definition ids (cti-stix-common-objects,
// extension-definition-specifications/tlp-2.0) and names.
var tlp2 = map[TLP]struct{ id, name string }{
	TLPClear:       {"marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", "TLP:CLEAR"},
	TLPGreen:       {"marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "TLP:GREEN"},
	TLPAmber:       {"marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "TLP:AMBER"},
	TLPAmberStrict: {"marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003", "TLP:AMBER+STRICT"},
	TLPRed:         {"marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "TLP:RED"},
}

// tlpOfMarking maps the marking-definition ids partners may use to a level:
// the TLP 2.0 ids, and the TLP 1.0 ids that STIX 2.1 predefines (section
// 7.2.1.4), WHITE being CLEAR's predecessor.
var tlpOfMarking = func() map[string]TLP {
	m := map[string]TLP{
		"marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9": TLPClear, // TLP:WHITE
		"marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da": TLPGreen,
		"marking-definition--f88d31f6-486f-44da-b317-01333bde0b82": TLPAmber,
		"marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed": TLPRed,
	}
	for l, d := range tlp2 {
		m[d.id] = l
	}
	return m
}()

// tlpRank orders the levels; a record marked with several takes the most
// restrictive.
func tlpRank(t TLP) int {
	for i, l := range TLPs {
		if l == t {
			return i
		}
	}
	return -1
}

type markingDefinition struct {
	Type        string                     `json:"type"`
	SpecVersion string                     `json:"spec_version"`
	ID          string                     `json:"id"`
	Created     string                     `json:"created"`
	Name        string                     `json:"name"`
	Extensions  map[string]tlp2MarkingBody `json:"extensions"`
}

type tlp2MarkingBody struct {
	ExtensionType string `json:"extension_type"`
	TLP           TLP    `json:"tlp_2_0"`
}

// markingObject is the OASIS marking-definition object of level l, exactly
// as published.
func markingObject(l TLP) markingDefinition {
	d := tlp2[l]
	return markingDefinition{
		Type:        "marking-definition",
		SpecVersion: "2.1",
		ID:          d.id,
		Created:     tlp2Created,
		Name:        d.name,
		Extensions: map[string]tlp2MarkingBody{
			tlp2Extension: {ExtensionType: "property-extension", TLP: l},
		},
	}
}

// extensionEpoch dates greyline's system identity and extension
// definitions. They are fixed objects: a new version of an extension gets a
// new modified time and version, never a change under the same ones.
const extensionEpoch = "2025-01-01T00:00:00.000Z"

// greylineIdentityID is the system identity that defines greyline's STIX
// extensions. It differs from the producer, which varies by agency, so the
// extension definitions are the same objects in every agency's bundles.
var greylineIdentityID = "identity--" + uuid5(greylineNamespace, "system|greyline")

// newSCO describes one of greyline's new SCO types.
type newSCO struct {
	id          string
	description string
	schema      string
}

// newSCOs are the extension definitions of the two observable types STIX
// 2.1 lacks. Their ids are fixed; partners (OpenCTI uses the same type
// names) recognise the objects by type and by extension id.
var newSCOs = map[string]newSCO{
	"phone-number": {
		id:          "extension-definition--" + uuid5(greylineNamespace, "extension-definition|phone-number|1.0.0"),
		description: "A telephone number used in fraud (calls, SMS, WhatsApp), as a new STIX Cyber-observable Object.",
		schema: "New SCO type phone-number. Properties: type (required, \"phone-number\"); id (required, " +
			"\"phone-number--\" followed by a UUIDv5 in the STIX namespace over the id-contributing properties); " +
			"spec_version (\"2.1\"); value (required, string, the number in ITU-T E.164 form, \"+\" then digits, " +
			"e.g. \"+923001234567\"); extensions (required, holds this definition's id with extension_type \"new-sco\"); " +
			"and the common SCO properties object_marking_refs, granular_markings, defanged. " +
			"ID contributing properties: value. Pattern object path: phone-number:value.",
	},
	"cryptocurrency-wallet": {
		id:          "extension-definition--" + uuid5(greylineNamespace, "extension-definition|cryptocurrency-wallet|1.0.0"),
		description: "A cryptocurrency address that received fraud proceeds, as a new STIX Cyber-observable Object.",
		schema: "New SCO type cryptocurrency-wallet. Properties: type (required, \"cryptocurrency-wallet\"); id (required, " +
			"\"cryptocurrency-wallet--\" followed by a UUIDv5 in the STIX namespace over the id-contributing properties); " +
			"spec_version (\"2.1\"); value (required, string, the address as used on its chain); chain (optional, string, " +
			"lower-case network name: \"btc\", \"eth\" for Ethereum and every EVM chain, \"tron\", or \"unknown\"); " +
			"extensions (required, holds this definition's id with extension_type \"new-sco\"); and the common SCO " +
			"properties object_marking_refs, granular_markings, defanged. " +
			"ID contributing properties: value. Pattern object path: cryptocurrency-wallet:value.",
	},
}
