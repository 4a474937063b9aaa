package greyline_test

import (
	"errors"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/greyline/greyline"
)

func TestDefaultCircles(t *testing.T) {
	c := greyline.DefaultCircles()
	want := []string{"Faisalabad", "Gilgit", "Gujranwala", "Hyderabad", "Islamabad", "Karachi", "Lahore", "Multan", "Peshawar", "Quetta", "Rawalpindi", "Sukkur"}
	if diff := cmp.Diff(want, c.Names()); diff != "" {
		t.Errorf("circles (-want +got):\n%s", diff)
	}
	for city, circle := range map[string]string{"Lahore": "Lahore", " sialkot ": "Gujranwala", "LARKANA": "Sukkur", "Chitral": "Islamabad", "": "Islamabad"} {
		if got := c.For(city); got != circle {
			t.Errorf("For(%q) = %q, want %q", city, got, circle)
		}
	}
}

func TestParseCircles(t *testing.T) {
	tests := []struct {
		name   string
		in     string
		fields []string // the fields the error names; nil for success
	}{
		{"ok", `{"default": "North", "circles": {"North": ["Islamabad"], "South": ["Karachi"]}}`, nil},
		{"not json", `circles`, []string{"circles"}},
		{"unknown key", `{"default": "North", "circles": {"North": []}, "extra": 1}`, []string{"circles"}},
		{"no circles", `{"default": "North", "circles": {}}`, []string{"circles", "default"}},
		{"default not a circle", `{"default": "East", "circles": {"North": ["a"]}}`, []string{"default"}},
		{"city in two circles", `{"default": "North", "circles": {"North": ["Attock"], "South": ["attock"]}}`, []string{"circles.North|circles.South"}},
		{"empty city", `{"default": "North", "circles": {"North": [" "]}}`, []string{"circles.North"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tab, err := greyline.ParseCircles([]byte(tt.in))
			if tt.fields == nil {
				if err != nil || tab.For("karachi") != "South" || tab.For("nowhere") != "North" || !tab.Has("South") || tab.Has("Lahore") {
					t.Fatalf("got %v", err)
				}
				return
			}
			if !errors.Is(err, greyline.ErrInvalid) {
				t.Fatalf("err = %v", err)
			}
			var got []string
			for _, f := range greyline.ErrorFields(err) {
				got = append(got, f.Field)
			}
			if len(tt.fields) == 1 && tt.fields[0] == "circles.North|circles.South" {
				// Map order decides which of the two circles is named.
				if len(got) != 1 || (got[0] != "circles.North" && got[0] != "circles.South") {
					t.Errorf("fields %v", got)
				}
				return
			}
			if diff := cmp.Diff(tt.fields, got); diff != "" {
				t.Errorf("fields (-want +got):\n%s", diff)
			}
		})
	}
}

func FuzzParseCircles(f *testing.F) {
	f.Add([]byte(`{"default": "North", "circles": {"North": ["Islamabad"], "South": ["Karachi"]}}`))
	f.Add([]byte(`{"default": "", "circles": {"": [""]}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		tab, err := greyline.ParseCircles(data)
		if err != nil {
			if !errors.Is(err, greyline.ErrInvalid) {
				t.Fatalf("not an invalid-input error: %v", err)
			}
			return
		}
		// Every city routes to a configured circle.
		if c := tab.For("anywhere at all"); !tab.Has(c) {
			t.Fatalf("default %q is not a circle", c)
		}
	})
}

func TestCityName(t *testing.T) {
	for in, want := range map[string]string{"karachi ": "Karachi", "DERA  ghazi KHAN": "Dera Ghazi Khan", "": "", "ışık": "Işık"} {
		if got := greyline.CityName(in); got != want {
			t.Errorf("CityName(%q) = %q, want %q", in, got, want)
		}
	}
}
