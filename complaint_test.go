package greyline

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestCategories(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Categories {
		if seen[c.Code] || c.Label == "" {
			t.Errorf("category %q repeated or unlabelled", c.Code)
		}
		seen[c.Code] = true
		for _, s := range c.Sections {
			if _, ok := PECASections[s]; !ok {
				t.Errorf("%s: unknown PECA section %d", c.Code, s)
			}
		}
	}
	if len(Categories) < 15 {
		t.Errorf("taxonomy has %d categories, the issue names 15", len(Categories))
	}
}

func TestNewComplaintValidate(t *testing.T) {
	now := time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)
	good := func() NewComplaint {
		return NewComplaint{Channel: ChannelWeb, Complainant: Complainant{Name: "Sana", City: "Lahore", Phone: "0300-1234567"},
			Category: "whatsapp_hijack", ContactMethod: "whatsapp", IncidentAt: now.Add(-time.Hour), PaymentMethod: "mobile_wallet",
			LossPaisa: 5_000_000, Narrative: "My WhatsApp was taken over."}
	}
	g := good()
	if err := g.Validate(now); err != nil || g.Currency != "PKR" {
		t.Fatalf("good complaint: %v", err)
	}
	bad := NewComplaint{Channel: "pigeon", IncidentAt: now.Add(48 * time.Hour), LossPaisa: -1, Currency: "RUPEES"}
	var got []string
	for _, f := range ErrorFields(bad.Validate(now)) {
		got = append(got, f.Field)
	}
	want := []string{"category", "channel", "complainant.city", "complainant.name", "complainant.phone", "contact_method", "currency", "incident_at", "loss_paisa", "narrative", "payment_method"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("fields (-want +got):\n%s", diff)
	}
}

func TestComplaintFlow(t *testing.T) {
	for _, tt := range []struct {
		from, to ComplaintStatus
		ok       bool
	}{
		{ComplaintReceived, ComplaintTriaged, true},
		{ComplaintReceived, ComplaintCaseRegistered, false},
		{ComplaintTriaged, ComplaintAssigned, true},
		{ComplaintEnquiry, ComplaintCaseRegistered, true},
		{ComplaintClosed, ComplaintEnquiry, false},
		{ComplaintCaseRegistered, ComplaintClosed, false},
	} {
		if got := tt.from.CanBecome(tt.to); got != tt.ok {
			t.Errorf("%s → %s: %v, want %v", tt.from, tt.to, got, tt.ok)
		}
	}
	if ComplaintReference(2026, 42) != "CMP-2026-000042" {
		t.Error("reference format")
	}
}
