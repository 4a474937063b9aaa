package stix

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

const (
	oasisBase = "http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas/"
	tlp2Base  = "https://raw.githubusercontent.com/oasis-open/cti-stix-common-objects/main/extension-definition-specifications/tlp-2.0/"
)

// schemaOfType names the OASIS schema each object type of ours is
// validated against. New SCO types get cyber-observable-core, which is what
// bundle.json applies to any custom object.
var schemaOfType = map[string]string{
	"identity":              oasisBase + "sdos/identity.json",
	"indicator":             oasisBase + "sdos/indicator.json",
	"marking-definition":    oasisBase + "common/marking-definition.json",
	"extension-definition":  oasisBase + "common/extension-definition.json",
	"domain-name":           oasisBase + "observables/domain-name.json",
	"url":                   oasisBase + "observables/url.json",
	"ipv4-addr":             oasisBase + "observables/ipv4-addr.json",
	"ipv6-addr":             oasisBase + "observables/ipv6-addr.json",
	"email-addr":            oasisBase + "observables/email-addr.json",
	"phone-number":          oasisBase + "common/cyber-observable-core.json",
	"cryptocurrency-wallet": oasisBase + "common/cyber-observable-core.json",
}

type schemas struct {
	byURL map[string]*jsonschema.Schema
}

// loadSchemas compiles the kept schemas once. Every file is registered
// under its own $id; the compiler has no loader for http URLs, so a $ref
// that is not kept fails the compile instead of reaching the network.
var loadSchemas = sync.OnceValues(func() (*schemas, error) {
	c := jsonschema.NewCompiler()
	c.AssertFormat()
	root := filepath.Join("testdata", "schemas")
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".json") {
			return err
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return fmt.Errorf("%s: %w", p, err)
		}
		id, _ := doc.(map[string]any)["$id"].(string)
		if id == "" {
			return fmt.Errorf("%s has no $id", p)
		}
		return c.AddResource(id, doc)
	})
	if err != nil {
		return nil, err
	}
	s := &schemas{byURL: map[string]*jsonschema.Schema{}}
	urls := []string{tlp2Base + "extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d.json", oasisBase + "common/identifier.json"}
	for _, u := range schemaOfType {
		urls = append(urls, u)
	}
	for _, u := range urls {
		if s.byURL[u] != nil {
			continue
		}
		sch, err := c.Compile(u)
		if err != nil {
			return nil, err
		}
		s.byURL[u] = sch
	}
	return s, nil
})

// validateBundle checks a bundle against the OASIS schemas: the envelope
// (type, id, objects), every object against the schema of its type, TLP
// marking-definitions also against the OASIS TLP 2.0 extension schema, and
// the references inside the bundle that JSON Schema cannot express: ids are
// unique, created_by_ref and object_marking_refs resolve, and every new-SCO
// object names an extension-definition in the bundle that declares new-sco.
func validateBundle(data []byte) error {
	s, err := loadSchemas()
	if err != nil {
		return fmt.Errorf("loading schemas: %w", err)
	}
	v, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("not JSON: %w", err)
	}
	b, ok := v.(map[string]any)
	if !ok {
		return errors.New("bundle is not an object")
	}
	var errs []error
	for k := range b {
		if k != "type" && k != "id" && k != "objects" {
			errs = append(errs, fmt.Errorf("bundle has property %q", k))
		}
	}
	if b["type"] != "bundle" {
		errs = append(errs, fmt.Errorf("bundle type is %v", b["type"]))
	}
	id, _ := b["id"].(string)
	if err := s.byURL[oasisBase+"common/identifier.json"].Validate(b["id"]); err != nil || !strings.HasPrefix(id, "bundle--") {
		errs = append(errs, fmt.Errorf("bundle id %v: %v", b["id"], err))
	}
	objs, has := b["objects"]
	list, _ := objs.([]any)
	if has && len(list) == 0 {
		errs = append(errs, errors.New("objects must hold at least one object when present"))
	}
	ids := map[string]map[string]any{}
	for i, o := range list {
		m, _ := o.(map[string]any)
		oid, _ := m["id"].(string)
		if ids[oid] != nil {
			errs = append(errs, fmt.Errorf("objects[%d]: id %s repeats", i, oid))
		}
		ids[oid] = m
	}
	for i, o := range list {
		m, _ := o.(map[string]any)
		typ, _ := m["type"].(string)
		u, ok := schemaOfType[typ]
		if !ok {
			errs = append(errs, fmt.Errorf("objects[%d]: no schema for type %q", i, typ))
			continue
		}
		if err := s.byURL[u].Validate(o); err != nil {
			errs = append(errs, fmt.Errorf("objects[%d] (%s): %v", i, m["id"], err))
		}
		if typ == "marking-definition" {
			if err := s.byURL[tlp2Base+"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d.json"].Validate(o); err != nil {
				errs = append(errs, fmt.Errorf("objects[%d] (%s) against the TLP 2.0 schema: %v", i, m["id"], err))
			}
		}
		if ref, ok := m["created_by_ref"].(string); ok && ids[ref] == nil {
			errs = append(errs, fmt.Errorf("objects[%d]: created_by_ref %s is not in the bundle", i, ref))
		}
		refs, _ := m["object_marking_refs"].([]any)
		for _, r := range refs {
			if rs, _ := r.(string); ids[rs] == nil {
				errs = append(errs, fmt.Errorf("objects[%d]: marking %v is not in the bundle", i, r))
			}
		}
		if typ == "phone-number" || typ == "cryptocurrency-wallet" {
			ext, _ := m["extensions"].(map[string]any)
			found := false
			for eid, body := range ext {
				def := ids[eid]
				if def == nil || def["type"] != "extension-definition" || def["name"] != typ {
					continue
				}
				types, _ := def["extension_types"].([]any)
				bm, _ := body.(map[string]any)
				for _, t := range types {
					if t == "new-sco" && bm["extension_type"] == "new-sco" {
						found = true
					}
				}
			}
			if !found {
				errs = append(errs, fmt.Errorf("objects[%d]: %s does not name an extension-definition declaring new-sco", i, typ))
			}
		}
	}
	return errors.Join(errs...)
}

func TestSchemasCompile(t *testing.T) {
	if _, err := loadSchemas(); err != nil {
		t.Fatal(err)
	}
}
