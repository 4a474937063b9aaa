package demo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/greyline/greyline"
)

// takedowns fills SECP's lending-app lists, a takedown queue for each
// agency (one request overdue, one rejected), a watched wallet, and two
// later complaints: one naming the loan app SECP had removed, one paying
// the watched wallet. The server's watch raises their alerts when it
// starts (see LaterComplaints).
func (d loader) takedowns(ctx context.Context) error {
	t := d.s.Takedowns
	if t == nil || d.s.Complaints == nil {
		return nil
	}
	secp, pta := d.users["secp.reviewer@demo.greyline.pk"], d.users["pta.reviewer@demo.greyline.pk"]
	analyst := d.users["analyst@demo.greyline.pk"]
	if _, _, err := t.ImportLendingApps(secp, []*greyline.LendingApp{
		{PackageID: "pk.sahulat.qarza", Name: "Sahulat Qarza", Lender: "Sahulat Finance Limited (demo NBFC)", Status: greyline.LendingApproved},
		{PackageID: "pk.paisaghar.loan", Name: "PaisaGhar", Lender: "Ghar Microfinance Limited (demo NBFC)", Status: greyline.LendingApproved},
		{PackageID: "com.easy.cash.loan.pk", Name: "Easy Cash Loan PK", Developer: "EC Tech", Status: greyline.LendingIllegal, Notes: "Harassed borrowers' contacts; blocked by PTA on SECP's request."},
		{PackageID: "com.udhaar.turant", Name: "Udhaar Turant", Developer: "Turant Apps", Status: greyline.LendingIllegal},
	}); err != nil {
		return fmt.Errorf("lending apps: %w", err)
	}
	// The loan-app complaint the demo's investigator registered a case on.
	registered, err := d.s.Complaints.ListComplaints(ctx, greyline.ComplaintFilter{Status: greyline.ComplaintCaseRegistered,
		AssignedTo: greyline.ActorFrom(d.users["investigator@demo.greyline.pk"]).UserID, Limit: 500})
	if err != nil {
		return err
	}
	var caseID int64
	for _, c := range registered {
		if strings.Contains(c.Narrative, "com.easy.cash.loan.pk") {
			caseID = c.ID
		}
	}
	if caseID == 0 {
		return fmt.Errorf("the demo's loan-app case is missing")
	}
	reqs := []struct {
		by   context.Context
		td   greyline.Takedown
		to   []greyline.TakedownStatus
		note string
	}{
		{secp, greyline.Takedown{Target: greyline.TargetApp, Platform: "google_play", Value: "com.easy.cash.loan.pk", Name: "Easy Cash Loan PK", Developer: "EC Tech",
			DeveloperEmail: "ectech.apps@gmail.com", Contacts: []string{"0310-9998887"}, LegalBasis: "PECA 2016 s.37; SECP NBFC (Amendment) Regulations 2022",
			Complaints: []int64{caseID}, TLP: greyline.TLPGreen}, []greyline.TakedownStatus{greyline.TakedownAcknowledged, greyline.TakedownRemoved}, "Google removed the listing"},
		{secp, greyline.Takedown{Target: greyline.TargetApp, Platform: "apk_site", Value: "https://udhaar-turant.apk-mirror.example.com/download", Name: "Udhaar Turant",
			LegalBasis: "PECA 2016 s.37", TLP: greyline.TLPGreen}, []greyline.TakedownStatus{greyline.TakedownRejected}, "The host says it needs a court order"},
		{pta, greyline.Takedown{Target: greyline.TargetURL, Platform: "isp_blocking", Value: "goldtrade-pk.com", Name: "Gold Trade PK",
			LegalBasis: "PECA 2016 s.37", TLP: greyline.TLPClear}, []greyline.TakedownStatus{greyline.TakedownRemoved}, "Blocked by the ISPs"},
		{analyst, greyline.Takedown{Target: greyline.TargetPhone, Platform: "jazz", Value: "0321-7654321", LegalBasis: "PECA 2016 s.37; Re-verification of SIMs",
			TLP: greyline.TLPAmber}, []greyline.TakedownStatus{greyline.TakedownAcknowledged}, "Jazz is checking the SIM's owner"},
		{analyst, greyline.Takedown{Target: greyline.TargetWhatsApp, Platform: "whatsapp", Value: "wa.me/923217654321", LegalBasis: "PECA 2016 s.37", TLP: greyline.TLPAmber}, nil, ""},
	}
	for i, r := range reqs {
		td := r.td
		if err := t.CreateTakedown(r.by, &td); err != nil {
			return fmt.Errorf("takedown %d: %w", i+1, err)
		}
		for _, to := range r.to {
			moved, err := t.MoveTakedown(r.by, td.ID, td.Version, to, time.Time{}, r.note)
			if err != nil {
				return fmt.Errorf("takedown %d to %s: %w", i+1, to, err)
			}
			td = *moved
		}
	}
	w := &greyline.WatchedWallet{Address: "TJBfsfeYPEFkyLigVw2FUZRkCvMU5fsmHr", Reason: "Received victims' USDT for a fake weekly-returns scheme", TLP: greyline.TLPGreen}
	if err := t.WatchWallet(analyst, w); err != nil {
		return fmt.Errorf("watchlist: %w", err)
	}
	// Later complaints: the removed app is back, and the wallet is paid again.
	now := d.now
	who := func(name, phone, city string) greyline.Complainant {
		return greyline.Complainant{Name: name, Phone: phone, City: city, Province: provinceOf(city), Gender: "not_stated"}
	}
	for i, n := range []greyline.NewComplaint{
		{Channel: greyline.ChannelHelpline, Complainant: who("Shazia Bibi", "0313-2224445", "Lahore"), Category: "loan_app", ContactMethod: "app",
			IncidentAt: now.Add(-48 * time.Hour), LossPaisa: 1_500_000, PaymentMethod: "mobile_wallet",
			Narrative: "I took a loan on com.easy.cash.loan.pk, it is on the Play Store again. Now they call my relatives and demand Rs 15,000 more."},
		{Channel: greyline.ChannelHelpline, Complainant: who("Usman Ghani", "0302-8889990", "Islamabad"), Category: "crypto_investment", ContactMethod: "social_media",
			IncidentAt: now.Add(-24 * time.Hour), LossPaisa: 20_000_000, PaymentMethod: "crypto",
			Narrative: "A Telegram group promised 10% a week. I sent USDT to TJBfsfeYPEFkyLigVw2FUZRkCvMU5fsmHr and the group was deleted."},
	} {
		if _, _, _, err := d.s.Complaints.CreateComplaint(d.users["helpline@demo.greyline.pk"], n, ""); err != nil {
			return fmt.Errorf("later complaint %d: %w", i+1, err)
		}
	}
	return nil
}
