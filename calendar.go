package greyline

import (
	"fmt"
	"strings"
	"time"
)

// Calendar counts working days in Pakistan: Saturdays, Sundays and public
// holidays are skipped. Dates are taken in Asia/Karachi.
type Calendar struct {
	// Fixed holidays recur every year, as "MM-DD".
	Fixed map[string]string
	// Dated holidays fall on one date, as "YYYY-MM-DD" (Eids, Ashura and other
	// lunar holidays, announced each year).
	Dated map[string]string
}

// DefaultCalendar holds Pakistan's fixed-date public holidays. Lunar
// holidays move every year: add them with --holidays.
func DefaultCalendar() Calendar {
	return Calendar{
		Fixed: map[string]string{
			"02-05": "Kashmir Solidarity Day",
			"03-23": "Pakistan Day",
			"05-01": "Labour Day",
			"05-28": "Youm-e-Takbeer",
			"08-14": "Independence Day",
			"11-09": "Iqbal Day",
			"12-25": "Quaid-e-Azam Day",
		},
		Dated: map[string]string{},
	}
}

// AddDates adds one-off holidays written "YYYY-MM-DD" (comma-separated).
func (c *Calendar) AddDates(list string) error {
	if c.Dated == nil {
		c.Dated = map[string]string{}
	}
	for _, s := range strings.Split(list, ",") {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if _, err := time.Parse("2006-01-02", s); err != nil {
			return fmt.Errorf("%q is not a date written YYYY-MM-DD", s)
		}
		c.Dated[s] = "Public holiday"
	}
	return nil
}

// WorkingDay reports whether the Karachi date of t is a working day.
func (c Calendar) WorkingDay(t time.Time) bool {
	d := t.In(Karachi)
	if wd := d.Weekday(); wd == time.Saturday || wd == time.Sunday {
		return false
	}
	if _, ok := c.Fixed[d.Format("01-02")]; ok {
		return false
	}
	_, ok := c.Dated[d.Format("2006-01-02")]
	return !ok
}

// Deadline returns the end (23:59:59 Karachi time) of the n-th working day
// after the day of start. Work that arrives on a holiday starts counting on
// the next working day, like a letter received on a Sunday.
func (c Calendar) Deadline(start time.Time, n int) time.Time {
	d := start.In(Karachi)
	day := time.Date(d.Year(), d.Month(), d.Day(), 0, 0, 0, 0, Karachi)
	for n > 0 {
		day = day.AddDate(0, 0, 1)
		if c.WorkingDay(day) {
			n--
		}
	}
	return day.Add(24*time.Hour - time.Second).UTC()
}

// WorkingDaysBetween counts working days after from's day up to and
// including to's day (0 when to is not after from).
func (c Calendar) WorkingDaysBetween(from, to time.Time) int {
	f, t := from.In(Karachi), to.In(Karachi)
	day := time.Date(f.Year(), f.Month(), f.Day(), 0, 0, 0, 0, Karachi)
	end := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, Karachi)
	n := 0
	for day.Before(end) {
		day = day.AddDate(0, 0, 1)
		if c.WorkingDay(day) {
			n++
		}
	}
	return n
}
