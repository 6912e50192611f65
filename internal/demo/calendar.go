package demo

import "time"

// Chinese New Year by year: business in China slows for about three weeks around it.
var chineseNewYear = map[int]string{
	2018: "2018-02-16", 2019: "2019-02-05", 2020: "2020-01-25", 2021: "2021-02-12", 2022: "2022-02-01",
	2023: "2023-01-22", 2024: "2024-02-10", 2025: "2025-01-29", 2026: "2026-02-17", 2027: "2027-02-06",
	2028: "2028-01-26", 2029: "2029-02-13", 2030: "2030-02-03", 2031: "2031-01-23", 2032: "2032-02-11",
	2033: "2033-01-31", 2034: "2034-02-19", 2035: "2035-02-08",
}

// cny returns the date of Chinese New Year in year (1 February when unknown).
func cny(year int) time.Time {
	if s, ok := chineseNewYear[year]; ok {
		t, _ := time.Parse(time.DateOnly, s)
		return t
	}
	return time.Date(year, 2, 1, 0, 0, 0, 0, time.UTC)
}

// inCNY reports whether t falls in the slow weeks around Chinese New Year.
func inCNY(t time.Time) bool {
	c := cny(t.Year())
	return !t.Before(c.AddDate(0, 0, -10)) && t.Before(c.AddDate(0, 0, 15))
}

// leadSeason is the relative number of new leads per calendar month (index 0 = January):
// fewer around Chinese New Year and the summer holidays, more in the trade-show seasons.
var leadSeason = map[string][12]float64{
	zoneChina:    {0.75, 0.45, 1.15, 1.15, 1.05, 1.0, 0.95, 0.9, 1.15, 0.75, 1.2, 1.0},
	zoneAPAC:     {0.85, 0.75, 1.1, 1.1, 1.05, 1.0, 0.95, 0.95, 1.1, 1.05, 1.15, 0.8},
	zoneEMEA:     {0.9, 1.0, 1.15, 1.15, 1.05, 1.0, 0.75, 0.55, 1.15, 1.1, 1.15, 0.7},
	zoneAmericas: {0.9, 1.0, 1.1, 1.1, 1.05, 0.95, 0.8, 0.8, 1.15, 1.15, 1.1, 0.7},
}

// monthStart returns the first day of t's month.
func monthStart(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// monthEnd returns the last day of t's month.
func monthEnd(t time.Time) time.Time { return monthStart(t).AddDate(0, 1, -1) }

// quarter returns 1–4.
func quarter(t time.Time) int { return (int(t.Month())-1)/3 + 1 }

// truncDay returns t at midnight UTC.
func truncDay(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// days returns d days as a duration.
func days(d float64) time.Duration { return time.Duration(d * 24 * float64(time.Hour)) }
