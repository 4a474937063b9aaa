package greyline

import (
	"testing"
	"time"
)

func TestDeadline(t *testing.T) {
	cal := DefaultCalendar()
	if err := cal.AddDates("2026-03-20, 2026-03-21"); err != nil { // Eid ul Fitr (example)
		t.Fatal(err)
	}
	pkt := func(s string) time.Time {
		tm, err := time.ParseInLocation("2006-01-02 15:04", s, Karachi)
		if err != nil {
			t.Fatal(err)
		}
		return tm
	}
	tests := []struct {
		start string
		n     int
		want  string
	}{
		{"2026-11-23 10:00", 1, "2026-11-24 23:59"},  // Monday → Tuesday
		{"2026-11-27 16:00", 1, "2026-11-30 23:59"},  // Friday → Monday
		{"2026-11-28 09:00", 1, "2026-11-30 23:59"},  // Saturday → Monday
		{"2026-11-23 10:00", 15, "2026-12-14 23:59"}, // three weeks
		{"2026-03-19 10:00", 1, "2026-03-24 23:59"},  // Eid 20th, weekend, Pakistan Day 23rd
		{"2026-12-24 10:00", 1, "2026-12-28 23:59"},  // Quaid day 25th then weekend
	}
	for _, tt := range tests {
		got := cal.Deadline(pkt(tt.start), tt.n).In(Karachi).Format("2006-01-02 15:04")
		if got != tt.want {
			t.Errorf("Deadline(%s, %d) = %s, want %s", tt.start, tt.n, got, tt.want)
		}
	}
	if n := cal.WorkingDaysBetween(pkt("2026-11-23 10:00"), pkt("2026-12-14 09:00")); n != 15 {
		t.Errorf("WorkingDaysBetween = %d, want 15", n)
	}
	if err := cal.AddDates("2026-13-01"); err == nil {
		t.Error("bad date accepted")
	}
}
