package greyline

import (
	"time"
	_ "time/tzdata" // Asia/Karachi must resolve on machines without a zoneinfo database
)

// Karachi is the zone in which times are shown. Times are stored in UTC.
var Karachi = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Karachi")
	if err != nil {
		return time.FixedZone("PKT", 5*60*60)
	}
	return loc
}()

// FormatTime renders t for people: "25 Nov 2026 22:15 PKT".
func FormatTime(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.In(Karachi).Format("2 Jan 2006 15:04 MST")
}
