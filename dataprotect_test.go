package greyline_test

import (
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/greyline/greyline"
)

func TestParseRetention(t *testing.T) {
	tests := []struct {
		in   string
		want greyline.RetentionPeriod
		err  string
	}{
		{"5y", greyline.RetentionPeriod{Years: 5}, ""},
		{" 2Y6M ", greyline.RetentionPeriod{Years: 2, Months: 6}, ""},
		{"18m", greyline.RetentionPeriod{Months: 18}, ""},
		{"12w", greyline.RetentionPeriod{Days: 84}, ""},
		{"1m2w3d", greyline.RetentionPeriod{Months: 1, Days: 17}, ""},
		{"never", greyline.RetentionPeriod{Forever: true}, ""},
		{"30d", greyline.RetentionPeriod{Days: 30}, ""},
		{"", greyline.RetentionPeriod{}, "is empty"},
		{"5d", greyline.RetentionPeriod{}, "at least 30 days"},
		{"0y", greyline.RetentionPeriod{}, "at least 30 days"},
		{"101y", greyline.RetentionPeriod{}, "at most 100 years"},
		{"5", greyline.RetentionPeriod{}, "numbers with units"},
		{"y", greyline.RetentionPeriod{}, "numbers with units"},
		{"5x", greyline.RetentionPeriod{}, `unknown unit "x"`},
		{"6m1y", greyline.RetentionPeriod{}, "largest first"},
		{"1y1y", greyline.RetentionPeriod{}, "largest first"},
		{"-5y", greyline.RetentionPeriod{}, "numbers with units"},
		{"999999y", greyline.RetentionPeriod{}, "too long"},
		{"5 y", greyline.RetentionPeriod{}, `unknown unit " "`},
	}
	for _, tt := range tests {
		got, err := greyline.ParseRetention(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("%q: error %v, want one containing %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		if diff := cmp.Diff(tt.want, got); diff != "" {
			t.Errorf("%q (-want +got):\n%s", tt.in, diff)
		}
		if again, err := greyline.ParseRetention(got.String()); err != nil || again != got {
			t.Errorf("%q: String %q reads back as %+v, %v", tt.in, got.String(), again, err)
		}
	}
}

func FuzzParseRetention(f *testing.F) {
	for _, s := range []string{"5y", "2y6m", "12w", "90d", "never", "", "1m2w3d", "99999y", "6m1y"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := greyline.ParseRetention(s)
		if err != nil {
			return
		}
		again, err := greyline.ParseRetention(p.String())
		if err != nil || again != p {
			t.Fatalf("%q parsed as %+v, whose String %q reads back as %+v, %v", s, p, p.String(), again, err)
		}
		if !p.Forever {
			// The minimum counts a month as 30 days: a shortest month
			// (February, from 1 March) is 28.
			now := time.Date(2030, 3, 1, 12, 0, 0, 0, time.UTC)
			if c := p.Cutoff(now); c.After(now.AddDate(0, 0, -28)) {
				t.Fatalf("%q: cutoff %v is less than 28 days before %v", s, c, now)
			}
		}
	})
}

func TestRetentionCutoff(t *testing.T) {
	now := time.Date(2031, 3, 1, 4, 0, 0, 0, time.UTC) // 09:00 on 1 March in Karachi
	got := greyline.RetentionPeriod{Years: 5, Months: 1}.Cutoff(now)
	if want := time.Date(2026, 2, 1, 4, 0, 0, 0, time.UTC); !got.Equal(want) {
		t.Errorf("cutoff %v, want %v", got, want)
	}
}

func TestComplainantRedact(t *testing.T) {
	who := greyline.Complainant{Name: "Sana Tariq", CNIC: "35202-1234567-1", Phone: "0300-1234567", Email: "Sana@Example.pk"}
	tests := []struct{ in, want string }{
		{"I am Sana Tariq, call 0300 1234567 or +92-300-1234567.", "I am **** *****, call ************ or ***************."},
		{"My CNIC is 3520212345671; write to sana@example.pk", "My CNIC is *************; write to ***************"},
		{"The caller on 0321-7654321 said he was from the bank.", "The caller on 0321-7654321 said he was from the bank."},
		{"Sanam and Tariqa are other words; SANA is not.", "Sanam and Tariqa are other words; **** is not."},
		{"ثناء called 0300-1234567", "ثناء called ************"},
	}
	for _, tt := range tests {
		got := who.Redact(tt.in)
		if got != tt.want {
			t.Errorf("Redact(%q) =\n %q, want\n %q", tt.in, got, tt.want)
		}
		if len(got) != len(tt.in) {
			t.Errorf("Redact(%q) changed the length", tt.in)
		}
	}
	if got := (greyline.Complainant{Name: "Al"}).Redact("Al said"); got != "Al said" {
		t.Errorf("a two-letter name part is not redacted: %q", got)
	}
}
