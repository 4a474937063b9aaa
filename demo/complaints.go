package demo

import (
	"context"
	"fmt"
	"time"

	"github.com/greyline/greyline"
)

// demoComplaint is one demo complaint and how far its workflow goes.
type demoComplaint struct {
	by    string // the demo account that records it ("" for the public form)
	n     greyline.NewComplaint
	steps []greyline.ComplaintStatus
}

// complaints files a few complaints from every channel, sharing some
// identifiers as a fraud network's do, and moves some of them along: the
// analyst's triage queue, the assignment queue and the investigator's own
// queue all have something in them.
func (d loader) complaints(ctx context.Context, now time.Time) error {
	if d.s.Complaints == nil {
		return nil
	}
	day := func(n int) time.Time { return now.Add(-time.Duration(n) * 24 * time.Hour) }
	who := func(name, phone, city string) greyline.Complainant {
		return greyline.Complainant{Name: name, Phone: phone, City: city, Province: provinceOf(city), Gender: "not_stated"}
	}
	list := []demoComplaint{
		{"", greyline.NewComplaint{Channel: greyline.ChannelWeb, Complainant: who("Sana Tariq", "0300-1234567", "Karachi"), Category: "impersonation_family",
			ContactMethod: "whatsapp", IncidentAt: day(3), LossPaisa: 7_500_000, PaymentMethod: "mobile_wallet",
			Narrative: "Someone on WhatsApp +92 321 7654321 said he was my brother in Dubai and needed money at once. I sent Rs 75,000 to JazzCash 0345-1112223."}, nil},
		{"helpline@demo.greyline.pk", greyline.NewComplaint{Channel: greyline.ChannelHelpline, Complainant: who("Muhammad Aslam", "0333-7654321", "Lahore"), Category: "impersonation_official",
			ContactMethod: "call", IncidentAt: day(5), LossPaisa: 12_000_000, PaymentMethod: "mobile_wallet",
			Narrative: "Caller from 0321-7654321 said he was an FIA officer and my son was arrested. He asked for Rs 120,000 on Easypaisa 0345-1112223 to release him."}, []greyline.ComplaintStatus{greyline.ComplaintTriaged}},
		{"partner@demo.greyline.pk", greyline.NewComplaint{Channel: greyline.ChannelBank, ExternalRef: "DB-2026-0042", Complainant: who("Farah Naz", "0301-2223334", "Islamabad"), Category: "investment_scheme",
			ContactMethod: "website", IncidentAt: day(12), LossPaisa: 50_000_000, PaymentMethod: "bank_transfer",
			Narrative:   "Customer invested through goldtrade-pk.com after a WhatsApp group. Funds went to PK36SCBL0000001123456702.",
			Identifiers: []string{"PK36SCBL0000001123456702", "goldtrade-pk.com"}}, []greyline.ComplaintStatus{greyline.ComplaintTriaged, greyline.ComplaintAssigned}},
		{"helpline@demo.greyline.pk", greyline.NewComplaint{Channel: greyline.ChannelHelpline, Complainant: who("Imran Ali", "0312-4445556", "Rawalpindi"), Category: "loan_app",
			ContactMethod: "app", IncidentAt: day(20), LossPaisa: 2_500_000, PaymentMethod: "mobile_wallet",
			Narrative: "The loan app com.easy.cash.loan.pk sends my contacts abusive messages from 0310-9998887 and demands Rs 25,000 more."}, []greyline.ComplaintStatus{greyline.ComplaintTriaged, greyline.ComplaintAssigned, greyline.ComplaintEnquiry, greyline.ComplaintCaseRegistered}},
		{"", greyline.NewComplaint{Channel: greyline.ChannelWeb, Complainant: who("Ayesha Siddiqui", "0345-6667778", "Peshawar"), Category: "crypto_investment",
			ContactMethod: "social_media", IncidentAt: day(8), LossPaisa: 30_000_000, PaymentMethod: "crypto",
			Narrative: "A Facebook page promised 10% a week. I sent USDT to TJBfsfeYPEFkyLigVw2FUZRkCvMU5fsmHr and they stopped answering on +92 321 7654321."}, nil},
	}
	investigator := greyline.ActorFrom(d.users["investigator@demo.greyline.pk"]).UserID
	for i, c := range list {
		actx := ctx
		if c.by != "" {
			actx = d.users[c.by]
		}
		comp, _, _, err := d.s.Complaints.CreateComplaint(actx, c.n, "")
		if err != nil {
			return fmt.Errorf("complaint %d: %w", i+1, err)
		}
		for _, to := range c.steps {
			ch := greyline.ComplaintChange{To: to, Version: comp.Version}
			wctx := d.users["analyst@demo.greyline.pk"]
			switch to {
			case greyline.ComplaintTriaged:
				ch.Priority = "high"
			case greyline.ComplaintAssigned:
				ch.AssignTo = investigator
			case greyline.ComplaintEnquiry:
				wctx = d.users["investigator@demo.greyline.pk"]
			case greyline.ComplaintCaseRegistered:
				wctx, ch.FIR = d.users["investigator@demo.greyline.pk"], "31/2026 (NCCIA Rawalpindi)"
			}
			if comp, err = d.s.Complaints.ChangeComplaint(wctx, comp.ID, ch); err != nil {
				return fmt.Errorf("complaint %d to %s: %w", i+1, to, err)
			}
		}
	}
	return nil
}

func provinceOf(city string) string {
	switch city {
	case "Karachi":
		return "Sindh"
	case "Peshawar":
		return "Khyber Pakhtunkhwa"
	case "Islamabad":
		return "Islamabad Capital Territory"
	}
	return "Punjab"
}
