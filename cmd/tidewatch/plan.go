package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"time"

	"github.com/tidewatch/tidewatch/api"
	"github.com/tidewatch/tidewatch/data/gpx"
	"github.com/tidewatch/tidewatch/planner"
)

const planHelp = `Usage: tidewatch plan --db ws.db --units units.json [flags] > plan.geojson

Plans tonight's guard points (守点) and patrol lines (巡线) and routes every
unit over them, hour by hour, against the incident risk of the window.

units.json is a JSON array, one entry per unit type:

  [{"name":"巡逻车1","kind":"car","kiosk":3,"count":3},
   {"name":"摩托","kind":"motorbike","kiosk":"东门警务站","count":4},
   {"kind":"volunteer","kiosk":3,"count":2}]

  kind   car, motorbike, foot or volunteer (义警, on foot)
  kiosk  the home kiosk's id or name; units start and end there
  count  expands to N units named "name-1" … "name-N" (default 1)
  shift  optional "HH:MM-HH:MM" inside the window
  breaks optional required breaks at the home kiosk, e.g. ["00:00-00:30"]
Volunteer units without a name take their roster group's name (--groups).

The output is a GeoJSON FeatureCollection: guard points (layer
"guard_point"), patrol lines ("patrol_line") and one LineString per unit
along the roads ("route": unit, kind, stops with ETAs, distance_m,
duration_s), with the hour-by-hour coverage report against the
nearest-first baseline as the top-level member "report".

Flags:
`

func (m *Main) runPlan(ctx context.Context, args []string) error {
	fs := m.newFlagSet("plan")
	fs.Usage = func() { fmt.Fprint(fs.Output(), planHelp); fs.PrintDefaults() }
	db := fs.String("db", "", "workspace store to read")
	window := fs.String("window", "22:00-02:00", "the night's window HH:MM-HH:MM (across midnight when the end is earlier)")
	unitsFile := fs.String("units", "", "units JSON file (see above)")
	seed := fs.Int64("seed", 1, "random seed: the same seed gives the same plan")
	vary := fs.Float64("vary", 0, "unpredictability 0..1: perturb prizes by ±vary and delay starts by up to vary·20 min, keeping ≥95% of the best plan's risk")
	day := fs.String("day", "", "plan the night starting on this weekday (mon..sun); default a typical night averaged over the week")
	date := fs.String("date", "", "the night's date YYYY-MM-DD for GPX times and the roster (default today)")
	tz := fs.String("tz", "", "the stations' time zone for GPX times, e.g. Asia/Shanghai (default this machine's)")
	groups := fs.Int("groups", 0, "volunteer groups on the roster; night N from --roster-start takes the next groups round robin")
	rosterStart := fs.String("roster-start", "", "first night of the volunteer roster YYYY-MM-DD (default --date)")
	gpxDir := fs.String("gpx", "", "also write one GPX 1.1 file per unit into this directory")
	limit := fs.Duration("time-limit", 30*time.Second, "safety cap on each solve")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *unitsFile == "" {
		return usageError{"plan: --units is required"}
	}
	win, err := api.ParseWindow(*window)
	if err != nil {
		return usageError{planner.ErrorMessage(err)}
	}
	wd, err := api.ParseDay(*day)
	if err != nil {
		return usageError{planner.ErrorMessage(err)}
	}
	loc := time.Local
	if *tz != "" {
		if loc, err = time.LoadLocation(*tz); err != nil {
			return usageError{fmt.Sprintf("--tz %q: %v", *tz, err)}
		}
	}
	night := time.Now().In(loc)
	if *date != "" {
		if night, err = time.ParseInLocation("2006-01-02", *date, loc); err != nil {
			return usageError{fmt.Sprintf("--date %q: want YYYY-MM-DD", *date)}
		}
	}
	raw, err := os.ReadFile(*unitsFile)
	if err != nil {
		return err
	}
	var specs []api.UnitSpec
	if err := json.Unmarshal(raw, &specs); err != nil {
		return usageError{fmt.Sprintf("%s: %v", *unitsFile, err)}
	}
	ws, err := m.load(ctx, *db)
	if err != nil {
		return err
	}
	units, breaks, err := api.ExpandUnits(ws, specs)
	if err != nil {
		return err
	}
	var names []string
	if *groups > 0 {
		start := night
		if *rosterStart != "" {
			if start, err = time.Parse("2006-01-02", *rosterStart); err != nil {
				return usageError{fmt.Sprintf("--roster-start %q: want YYYY-MM-DD", *rosterStart)}
			}
		}
		n := 0
		for _, u := range units {
			if u.Kind == planner.UnitVolunteer {
				n++
			}
		}
		k := int(night.Sub(start).Hours() / 24)
		names = planner.RosterGroups(*groups, n, k)
	}
	bar := newProgressBar(m.Stderr, "planning")
	plan, err := planner.PlanPatrol(ctx, ws, planner.PlanOptions{Window: win, Day: wd, Date: night, Units: units, Breaks: breaks,
		Seed: *seed, Vary: *vary, TimeLimit: *limit, VolunteerGroups: names,
		Progress: func(f float64, _ string) { bar.Update(int64(1000*f), 1000) }})
	if err != nil {
		return err
	}
	bar.Done(fmt.Sprintf("%d units routed", len(plan.Units)))
	rep := plan.Report
	fmt.Fprintf(m.Stderr, "%s (%s): %d guard points, %d lines; covered %.1f%% of the window's risk, nearest-first baseline %.1f%%; vary %.2f kept %.1f%% of the best\n",
		rep.Window, rep.Day, rep.Points, rep.Lines, rep.CoveredPct, rep.BaselinePct, rep.Vary, 100*rep.VaryRatio)
	for _, h := range rep.Hours {
		fmt.Fprintf(m.Stderr, "  %s  %5.1f%%  (baseline %5.1f%%)  %d points, %d lines\n", h.Hour, h.CoveredPct, h.BaselinePct, h.Points, h.Lines)
	}
	if *gpxDir != "" {
		if err := os.MkdirAll(*gpxDir, 0o755); err != nil {
			return err
		}
		bad := regexp.MustCompile(`[^\p{L}\p{N}_.-]+`)
		for i, u := range plan.Units {
			p := filepath.Join(*gpxDir, fmt.Sprintf("%02d-%s.gpx", i+1, bad.ReplaceAllString(u.Unit, "_")))
			f, err := os.Create(p)
			if err != nil {
				return err
			}
			err = gpx.Write(f, gpx.FromUnit(plan, u))
			if cerr := f.Close(); err == nil {
				err = cerr
			}
			if err != nil {
				return err
			}
		}
	}
	b, err := api.PlanGeoJSON(plan)
	if err != nil {
		return err
	}
	_, err = m.Stdout.Write(b)
	return err
}
