package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// runIdentifiers runs "greyline identifiers ARGS…" with stdin and returns the
// exit status, stdout and stderr.
func runIdentifiers(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	m := &Main{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut}
	code := m.Run(context.Background(), append([]string{"identifiers"}, args...))
	return code, out.String(), errOut.String()
}

// decodeIdentifierLines decodes one JSON object per line into T.
func decodeIdentifierLines[T any](t *testing.T, s string) []T {
	t.Helper()
	var out []T
	dec := json.NewDecoder(strings.NewReader(s))
	dec.DisallowUnknownFields()
	for dec.More() {
		var v T
		if err := dec.Decode(&v); err != nil {
			t.Fatalf("decoding %q: %v", s, err)
		}
		out = append(out, v)
	}
	return out
}

func TestIdentifiersParseDetects(t *testing.T) {
	code, out, errOut := runIdentifiers(t, "", "parse", "0300-1234567", "35202-1234567-1", "https://WWW.Example.com/a?b=2&a=1#x", "0338-1234567", "nonsense")
	if code != ExitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	want := []parsedIdentifier{
		{Input: "0300-1234567", Type: "phone", Value: "+923001234567", Key: "phone:+923001234567", Valid: true},
		{Input: "35202-1234567-1", Type: "cnic", Value: "35202-1234567-1", Key: "cnic:35202-1234567-1", Valid: true},
		{Input: "https://WWW.Example.com/a?b=2&a=1#x", Type: "url", Value: "https://www.example.com/a?b=2&a=1#x", Key: "url:example.com/a?a=1&b=2", Valid: true},
		{Input: "0338-1234567", Type: "phone", Value: "+923381234567", Error: "0338 is not a Pakistani mobile network prefix"},
		{Input: "nonsense", Value: "nonsense", Error: "not a recognised identifier"},
	}
	if diff := cmp.Diff(want, decodeIdentifierLines[parsedIdentifier](t, out)); diff != "" {
		t.Errorf("output mismatch (-want +got):\n%s", diff)
	}
	// The exact field names are part of the interface.
	first, _, _ := strings.Cut(out, "\n")
	if wantLine := `{"input":"0300-1234567","type":"phone","value":"+923001234567","key":"phone:+923001234567","valid":true,"error":""}`; first != wantLine {
		t.Errorf("first line is\n%s\nwant\n%s", first, wantLine)
	}
}

func TestIdentifiersParseWithType(t *testing.T) {
	code, out, errOut := runIdentifiers(t, "", "parse", "--type", "wallet", "JazzCash 0300-1234567", "0300-1234567")
	if code != ExitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	want := []parsedIdentifier{
		{Input: "JazzCash 0300-1234567", Type: "wallet", Value: "jazzcash:+923001234567", Key: "wallet:jazzcash:+923001234567", Valid: true},
		{Input: "0300-1234567", Type: "wallet", Value: "0300-1234567", Error: "name the wallet provider (JazzCash, Easypaisa, SadaPay, NayaPay, …) with the number"},
	}
	if diff := cmp.Diff(want, decodeIdentifierLines[parsedIdentifier](t, out)); diff != "" {
		t.Errorf("output mismatch (-want +got):\n%s", diff)
	}
}

func TestIdentifiersParseUnknownType(t *testing.T) {
	code, out, errOut := runIdentifiers(t, "", "parse", "--type", "fax", "123")
	if code != ExitInvalid {
		t.Errorf("exit %d, want %d", code, ExitInvalid)
	}
	if out != "" {
		t.Errorf("stdout %q, want nothing", out)
	}
	if !strings.Contains(errOut, "--type") || !strings.Contains(errOut, `"fax"`) {
		t.Errorf("stderr %q does not name --type and the value", errOut)
	}
}

func TestIdentifiersParseNeedsValues(t *testing.T) {
	if code, _, errOut := runIdentifiers(t, "", "parse"); code != ExitInvalid || !strings.Contains(errOut, "at least one value") {
		t.Errorf("exit %d, stderr %q", code, errOut)
	}
}

func TestIdentifiersExtract(t *testing.T) {
	text := "[12/03/2025, 10:15 pm] Ali: Rs 50,000 JazzCash 0300-1234567 pe bhejo.\nCNIC 35202-1234567-1, site bit.ly/abc"
	code, out, errOut := runIdentifiers(t, text, "extract")
	if code != ExitOK {
		t.Fatalf("exit %d, stderr %q", code, errOut)
	}
	want := []foundIdentifier{
		{Type: "wallet", Value: "jazzcash:+923001234567", Key: "wallet:jazzcash:+923001234567", Start: 47, End: 59},
		{Type: "cnic", Value: "35202-1234567-1", Key: "cnic:35202-1234567-1", Start: 75, End: 90},
		{Type: "url", Value: "https://bit.ly/abc", Key: "url:bit.ly/abc", Start: 97, End: 107},
	}
	got := decodeIdentifierLines[foundIdentifier](t, out)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("output mismatch (-want +got):\n%s", diff)
	}
	for _, f := range got {
		if f.Start < 0 || f.End > len(text) || f.Start >= f.End {
			t.Errorf("offsets [%d:%d] outside the input", f.Start, f.End)
		}
	}
	if len(got) > 0 && text[got[0].Start:got[0].End] != "0300-1234567" {
		t.Errorf("first span is %q", text[got[0].Start:got[0].End])
	}
}

func TestIdentifiersExtractNothing(t *testing.T) {
	code, out, errOut := runIdentifiers(t, "Paid Rs 50,000 on 12-03-2025 at 10:15.", "extract")
	if code != ExitOK || out != "" {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out, errOut)
	}
}

func TestIdentifiersUsage(t *testing.T) {
	if code, _, _ := runIdentifiers(t, ""); code != ExitInvalid {
		t.Errorf("no subcommand: exit %d, want %d", code, ExitInvalid)
	}
	if code, _, errOut := runIdentifiers(t, "", "frobnicate"); code != ExitInvalid || !strings.Contains(errOut, "frobnicate") {
		t.Errorf("unknown subcommand: exit %d, stderr %q", code, errOut)
	}
	code, out, _ := runIdentifiers(t, "", "--help")
	if code != ExitOK || !strings.Contains(out, "parse") || !strings.Contains(out, "bank_account") {
		t.Errorf("--help: exit %d, stdout %q", code, out)
	}
	code, out, _ = runIdentifiers(t, "", "parse", "--help")
	if code != ExitOK || !strings.Contains(out, "--type") {
		t.Errorf("parse --help: exit %d, stdout %q", code, out)
	}
}
