package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/greyline/greyline"
	"github.com/greyline/greyline/identifier"
)

const identifiersHelp = `Usage: greyline identifiers <subcommand> [options]

Subcommands:
  parse [--type T] VALUE…   parse and normalise each value; without --type the
                            type is detected
  extract                   find the identifiers in the text on standard input

Both print one JSON object a line. An identifier that cannot be read is still
printed, with "valid": false and the reason in "error"; the exit status is 0.

Types: %s.
Run "greyline identifiers <subcommand> --help" for its options.
`

// maxExtractInput bounds what extract reads, so a stray binary file on
// standard input cannot exhaust memory.
const maxExtractInput = 64 << 20

func typeList() string {
	var names []string
	for _, t := range identifier.Types {
		names = append(names, string(t))
	}
	return strings.Join(names, ", ")
}

func (m *Main) identifiers(ctx context.Context, args []string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		fmt.Fprintf(m.Stdout, identifiersHelp, typeList())
		if len(args) == 0 {
			return greyline.Errorf(greyline.EINVALID, "a subcommand is required: parse or extract")
		}
		return flag.ErrHelp
	}
	switch args[0] {
	case "parse":
		return m.identifiersParse(args[1:])
	case "extract":
		return m.identifiersExtract(args[1:])
	}
	return greyline.Errorf(greyline.EINVALID, "unknown subcommand %q; run \"greyline identifiers --help\"", args[0])
}

// newEncoder writes JSON lines without HTML escaping, so that links keep
// their & and < as typed.
func newEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}

// parsedIdentifier is one line of "identifiers parse".
type parsedIdentifier struct {
	Input string `json:"input"`
	Type  string `json:"type"`
	Value string `json:"value"`
	Key   string `json:"key"`
	Valid bool   `json:"valid"`
	Error string `json:"error"`
}

func (m *Main) identifiersParse(args []string) error {
	fs := flag.NewFlagSet("identifiers parse", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.Usage = usageFunc(fs, "greyline identifiers parse [--type T] VALUE…",
		"Parse each value as an identifier and print one JSON object per value with\n"+
			"input, type, value (canonical), key (for linking), valid and error.\nTypes: "+typeList()+".")
	typ := fs.String("type", "", "identifier `type`; empty detects it from each value")
	if err := m.parse(fs, args, nil); err != nil {
		return err
	}
	var t identifier.Type
	if *typ != "" {
		var ok bool
		if t, ok = identifier.ParseType(*typ); !ok {
			return greyline.Errorf(greyline.EINVALID, "unknown --type %q; the types are %s", *typ, typeList())
		}
	}
	if fs.NArg() == 0 {
		return greyline.Errorf(greyline.EINVALID, "give at least one value to parse")
	}
	enc := newEncoder(m.Stdout)
	for _, v := range fs.Args() {
		var id identifier.ID
		if t == "" {
			id = identifier.Detect(v)
		} else {
			id = identifier.Parse(t, v)
		}
		if err := enc.Encode(parsedIdentifier{
			Input: v, Type: string(id.Type), Value: id.Value, Key: id.Key, Valid: id.Valid, Error: id.Reason,
		}); err != nil {
			return err
		}
	}
	return nil
}

// foundIdentifier is one line of "identifiers extract"; start and end are
// byte offsets into the input.
type foundIdentifier struct {
	Type  string `json:"type"`
	Value string `json:"value"`
	Key   string `json:"key"`
	Start int    `json:"start"`
	End   int    `json:"end"`
}

func (m *Main) identifiersExtract(args []string) error {
	fs := flag.NewFlagSet("identifiers extract", flag.ContinueOnError)
	fs.SetOutput(m.Stderr)
	fs.Usage = usageFunc(fs, "greyline identifiers extract < MESSAGE",
		"Read a complaint narrative, WhatsApp chat or SMS on standard input and print\n"+
			"one JSON object per identifier found, in order, with type, value, key, and\n"+
			"start and end as byte offsets into the input. Every occurrence is printed.")
	if err := m.parse(fs, args, nil); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return greyline.Errorf(greyline.EINVALID, "extract reads standard input and takes no arguments, got %q", fs.Args())
	}
	if m.Stdin == nil {
		return greyline.Errorf(greyline.EINVALID, "no standard input to read")
	}
	b, err := io.ReadAll(io.LimitReader(m.Stdin, maxExtractInput+1))
	if err != nil {
		return greyline.Errorf(greyline.EINVALID, "reading standard input: %v", err)
	}
	if len(b) > maxExtractInput {
		return greyline.Errorf(greyline.EINVALID, "the input is larger than %d MiB", maxExtractInput>>20)
	}
	enc := newEncoder(m.Stdout)
	for _, f := range identifier.Extract(string(b)) {
		if err := enc.Encode(foundIdentifier{
			Type: string(f.Type), Value: f.Value, Key: f.Key, Start: f.Start, End: f.End,
		}); err != nil {
			return err
		}
	}
	return nil
}
