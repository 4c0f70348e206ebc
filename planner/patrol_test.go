package planner_test

import (
	"bytes"
	"context"
	"encoding/xml"
	"math"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	csvfile "github.com/tidewatch/tidewatch/data/csv"
	"github.com/tidewatch/tidewatch/data/gpx"
	osmfile "github.com/tidewatch/tidewatch/data/osm"
	"github.com/tidewatch/tidewatch/data/sharedtest"
	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

var (
	nightOnce sync.Once
	nightWS   *planner.Workspace
	nightErr  error
)

// baltimoreNight assembles downtown Baltimore with the merged incidents,
// clipped to the downtown bbox, OSM police stations as kiosks.
func baltimoreNight(t testing.TB) *planner.Workspace {
	t.Helper()
	pbf := sharedtest.Path(t, "osm/baltimore_downtown.osm.pbf")
	incPath := sharedtest.Path(t, "incidents/baltimore_incidents_merged.csv")
	nightOnce.Do(func() {
		ctx := context.Background()
		x, err := osmfile.ReadFile(ctx, pbf, osmfile.Options{})
		if err != nil {
			nightErr = err
			return
		}
		f, err := os.Open(incPath)
		if err != nil {
			nightErr = err
			return
		}
		defer f.Close()
		incs, err := csvfile.ReadIncidents(f, "baltimore_incidents_merged.csv")
		if err != nil {
			nightErr = err
			return
		}
		b := geo.Bound{Min: geo.Point{Lon: -76.6081, Lat: 39.2586}, Max: geo.Point{Lon: -76.5288, Lat: 39.3065}}
		nightWS, _, nightErr = planner.Assemble(ctx, planner.Parts{Name: "baltimore", Roads: x.Roads,
			OSMKiosks: x.Kiosks, OSMSites: x.Sites, Incidents: incs}, planner.AssembleOptions{GridSizeM: 500, Bound: &b})
	})
	if nightErr != nil {
		t.Fatal(nightErr)
	}
	return nightWS
}

func nightUnits(ws *planner.Workspace) []planner.Unit {
	k0, k1 := ws.Kiosks[0].ID, ws.Kiosks[len(ws.Kiosks)-1].ID
	return []planner.Unit{
		{Name: "car1", Kind: planner.UnitCar, HomeKiosk: k0},
		{Name: "car2", Kind: planner.UnitCar, HomeKiosk: k1},
		{Name: "moto1", Kind: planner.UnitMotorbike, HomeKiosk: k0},
		{Name: "moto2", Kind: planner.UnitMotorbike, HomeKiosk: k1},
		{Name: "foot1", Kind: planner.UnitFoot, HomeKiosk: k0},
		{Name: "foot2", Kind: planner.UnitFoot, HomeKiosk: k1},
		{Kind: planner.UnitVolunteer, HomeKiosk: k0},
		{Kind: planner.UnitVolunteer, HomeKiosk: k1},
	}
}

func TestNightPlanBaltimore(t *testing.T) {
	ws := baltimoreNight(t)
	ctx := context.Background()
	if len(ws.Kiosks) == 0 || len(ws.Incidents) < 100 {
		t.Fatalf("workspace has %d kiosks and %d incidents", len(ws.Kiosks), len(ws.Incidents))
	}
	rs, err := planner.Risk(ctx, ws, planner.RiskOptions{})
	if err != nil {
		t.Fatal(err)
	}
	prof := rs.HourProfile()
	peak := 0
	for h := range prof {
		if prof[h] > prof[peak] {
			peak = h
		}
	}
	t.Logf("incidents used %d dropped %d; hourly profile peak %02d:00 %v", rs.Used, rs.Dropped, peak, prof)
	if !slices.Contains([]int{21, 22, 23, 0}, peak) {
		t.Errorf("demand peaks at %02d:00, want 21:00–00:59", peak)
	}
	start := time.Now()
	groups := planner.RosterGroups(6, 2, 3)
	opt := planner.PlanOptions{Window: planner.Shift{Start: 22 * 60, End: 2 * 60}, Units: nightUnits(ws), Seed: 1, VolunteerGroups: groups}
	plan, err := planner.PlanPatrol(ctx, ws, opt)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("plan in %v: %d points %d lines; covered %.1f%% vs baseline %.1f%%; prize %.3f", time.Since(start),
		len(plan.Targets.Points), len(plan.Targets.Lines), plan.Report.CoveredPct, plan.Report.BaselinePct, plan.Report.Prize)
	for _, h := range plan.Report.Hours {
		t.Logf("  %s risk %.3f covered %.1f%% baseline %.1f%% points %d lines %d", h.Hour, h.Risk, h.CoveredPct, h.BaselinePct, h.Points, h.Lines)
	}
	if len(plan.Targets.Points) < 10 || len(plan.Targets.Lines) == 0 {
		t.Fatalf("%d points, %d lines", len(plan.Targets.Points), len(plan.Targets.Lines))
	}
	for i, p := range plan.Problems {
		if err := planner.CheckRoutes(p, plan.Results[i]); err != nil {
			t.Errorf("group %d: %v", i, err)
		}
	}
	checkUnits(t, ws, plan, opt)
	if !(plan.Report.CoveredPct > plan.Report.BaselinePct) {
		t.Errorf("covered %.2f%% does not beat the nearest-first baseline %.2f%%", plan.Report.CoveredPct, plan.Report.BaselinePct)
	}
	var vols []string
	for _, u := range plan.Units {
		if u.Kind == planner.UnitVolunteer {
			vols = append(vols, u.Group)
		}
		t.Logf("  %s %s %d stops %.0f m %.0f s %s–%s", u.Unit, u.Kind, len(u.Stops), u.DistanceM, u.DurationS, u.Leave, u.Return)
	}
	if !slices.Equal(vols, []string{"义警第1组", "义警第2组"}) {
		t.Errorf("volunteer groups %v, want 义警第1组, 义警第2组 (night 3 of 6 groups, 2 a night)", vols)
	}

	// GPX: one file per unit with a track and a waypoint per stop.
	for _, u := range plan.Units[:2] {
		var buf bytes.Buffer
		if err := gpx.Write(&buf, gpx.FromUnit(plan, u)); err != nil {
			t.Fatal(err)
		}
		var doc struct {
			XMLName xml.Name   `xml:"gpx"`
			Wpt     []struct{} `xml:"wpt"`
			Trk     []struct {
				Seg []struct {
					Pt []struct{} `xml:"trkpt"`
				} `xml:"trkseg"`
			} `xml:"trk"`
		}
		if err := xml.Unmarshal(buf.Bytes(), &doc); err != nil {
			t.Fatal(err)
		}
		if len(doc.Trk) != 1 || len(doc.Wpt) != len(u.Stops) || len(doc.Trk[0].Seg[0].Pt) != len(u.Path) {
			t.Errorf("%s: GPX has %d tracks and %d waypoints, want 1 and %d", u.Unit, len(doc.Trk), len(doc.Wpt), len(u.Stops))
		}
	}

	// Vary: two seeds give different routes, both ≥ 95 % of the best.
	var sigs []string
	for _, seed := range []int64{7, 8} {
		o := opt
		o.Seed, o.Vary = seed, 0.3
		p, err := planner.PlanTargets(ctx, ws, plan.Targets, o)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("seed %d: vary %.3f ratio %.3f attempts %d", seed, p.Report.Vary, p.Report.VaryRatio, p.Report.VaryAttempts)
		if p.Report.VaryRatio < 0.95 {
			t.Errorf("seed %d: ratio %.3f < 0.95", seed, p.Report.VaryRatio)
		}
		checkUnits(t, ws, p, o)
		sig := ""
		for _, u := range p.Units {
			sig += u.Leave + ":"
			for _, s := range u.Stops {
				sig += s.ID + s.Arrive + ","
			}
		}
		sigs = append(sigs, sig)
	}
	if sigs[0] == sigs[1] {
		t.Error("seeds 7 and 8 with vary 0.3 gave the same routes")
	}
}

// checkUnits checks that every route starts and ends at its kiosk within
// the window, respects dwell times and does not overlap stops.
func checkUnits(t *testing.T, ws *planner.Workspace, plan *planner.Plan, opt planner.PlanOptions) {
	t.Helper()
	W := 4 * 3600.0
	dwell := planner.DefaultDwellMin * 60
	kiosk := map[int64]geo.Point{}
	for _, k := range ws.Kiosks {
		kiosk[k.ID] = k.Location
	}
	for _, u := range plan.Units {
		if u.LeaveS < 0 || u.ReturnS > W+1e-6 {
			t.Errorf("%s: out %v..%v s, outside the window", u.Unit, u.LeaveS, u.ReturnS)
		}
		if len(u.Stops) == 0 {
			continue
		}
		if d := geo.Distance(u.Path[0], kiosk[u.KioskID]); d > planner.DefaultSnapLimitM {
			t.Errorf("%s: path starts %.0f m from its kiosk", u.Unit, d)
		}
		if d := geo.Distance(u.Path[len(u.Path)-1], kiosk[u.KioskID]); d > planner.DefaultSnapLimitM {
			t.Errorf("%s: path ends %.0f m from its kiosk", u.Unit, d)
		}
		prev := u.LeaveS
		for _, s := range u.Stops {
			if s.ArriveS < prev-1e-6 || s.StartS < s.ArriveS {
				t.Errorf("%s: stop %s arrives %v before leaving the previous at %v", u.Unit, s.ID, s.ArriveS, prev)
			}
			if s.Kind == "point" && math.Abs(s.DepartS-s.StartS-dwell) > 1e-6 {
				t.Errorf("%s: stop %s dwells %v s, want %v", u.Unit, s.ID, s.DepartS-s.StartS, dwell)
			}
			prev = s.DepartS
		}
		if u.ReturnS < prev {
			t.Errorf("%s: returns at %v before its last stop ends at %v", u.Unit, u.ReturnS, prev)
		}
	}
}

// streetWorkspace is one straight east–west street of n 200 m blocks
// (car 20 s, motorbike 40 s, foot 144 s a block, both ways) with a kiosk at
// its west end and incidents at 23:10 on Fridays at the given block
// midpoints (count each).
func streetWorkspace(t *testing.T, n int, hot map[int]int) *planner.Workspace {
	t.Helper()
	o := geo.Point{Lon: 115.89, Lat: 28.68} // Nanchang
	pr := geo.NewProjection(o)
	at := func(x float64) geo.Point { return pr.Inverse(geo.XY{X: x, Y: 0}) }
	var roads []planner.Road
	for i := range n {
		ls := geo.LineString{at(float64(i) * 200), at(float64(i+1) * 200)}
		roads = append(roads, planner.Road{WayID: 1, From: int64(100 + i), To: int64(101 + i), Geometry: ls, Highway: "residential",
			LengthM: ls.Length(), Travel: [planner.NumModes]planner.Travel{{Forward: 20, Backward: 20}, {Forward: 40, Backward: 40}, {Forward: 144, Backward: 144}}})
	}
	var incs []planner.Incident
	fri := time.Date(2026, 11, 20, 23, 10, 0, 0, time.UTC)
	for b, c := range hot {
		for range c {
			incs = append(incs, planner.Incident{Location: at(float64(b)*200 + 100), Time: fri, Weight: 1, Category: "theft"})
		}
	}
	ws, _, err := planner.Assemble(context.Background(), planner.Parts{Name: "street", Roads: roads,
		Kiosks: []planner.Kiosk{{Name: "西站", Location: at(0), Source: "test"}}, Incidents: incs}, planner.AssembleOptions{GridSizeM: 1000})
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

func TestPatrolRevisitSpacing(t *testing.T) {
	ws := streetWorkspace(t, 10, map[int]int{5: 4})
	fri := time.Friday
	opt := planner.PlanOptions{Window: planner.Shift{Start: 22 * 60, End: 2 * 60}, Day: &fri, Seed: 3,
		Units:  []planner.Unit{{Name: "步巡1", Kind: planner.UnitFoot, HomeKiosk: ws.Kiosks[0].ID}},
		Patrol: planner.PatrolOptions{MaxPoints: 1, MaxLines: -1}}
	plan, err := planner.PlanPatrol(context.Background(), ws, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Targets.Points) != 1 || plan.Targets.Points[0].RoadID != ws.Roads[5].ID {
		t.Fatalf("points %+v, want one on block 5", plan.Targets.Points)
	}
	u := plan.Units[0]
	if len(u.Stops) != 2 {
		t.Fatalf("stops %+v, want the guard point and its revisit", u.Stops)
	}
	a, b := u.Stops[0], u.Stops[1]
	// Walking 1,100 m at 144 s per 200 m takes 792 s.
	if a.ArriveS != 792 || a.Visit != 0 || b.Visit != 1 {
		t.Errorf("first visit arrives at %v s (visit %d), want 792 s; second is visit %d", a.ArriveS, a.Visit, b.Visit)
	}
	if b.StartS < 7200 || b.StartS-a.StartS < 3600 {
		t.Errorf("revisit starts at %v s, %v s after the first: want ≥ 7200 s and ≥ 3600 s apart", b.StartS, b.StartS-a.StartS)
	}
	if a.DepartS-a.StartS != 900 || a.Arrive != "22:13" {
		t.Errorf("dwell %v s, eta %s; want 900 s, 22:13", a.DepartS-a.StartS, a.Arrive)
	}
	if u.ReturnS > 4*3600 || math.Abs(u.ReturnS-(b.DepartS+792)) > 1e-6 {
		t.Errorf("returns at %v s, want %v", u.ReturnS, b.DepartS+792)
	}
	// Out 1,100 m and back; it waits at the point for the revisit.
	if math.Abs(u.DistanceM-2200) > 10 {
		t.Errorf("distance %v m, want 2200", u.DistanceM)
	}
}

func TestPatrolLineTraversal(t *testing.T) {
	// A hot block far out, and a warm stretch of blocks 2..5 for a line.
	ws := streetWorkspace(t, 12, map[int]int{10: 6, 2: 2, 3: 2, 4: 2, 5: 2})
	fri := time.Friday
	opt := planner.PlanOptions{Window: planner.Shift{Start: 22 * 60, End: 2 * 60}, Day: &fri, Seed: 1,
		Units:  []planner.Unit{{Name: "摩托1", Kind: planner.UnitMotorbike, HomeKiosk: ws.Kiosks[0].ID}},
		Patrol: planner.PatrolOptions{MaxPoints: 1, MaxLines: 1, MinShare: 0.1}}
	plan, err := planner.PlanPatrol(context.Background(), ws, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(plan.Targets.Lines) != 1 {
		t.Fatalf("lines %+v, want 1", plan.Targets.Lines)
	}
	l := plan.Targets.Lines[0]
	if l.LengthM < 300 || l.LengthM > 1500 {
		t.Errorf("line %.0f m, want 300–1,500 m", l.LengthM)
	}
	var line *planner.Stop
	for i, s := range plan.Units[0].Stops {
		if s.Kind == "line" {
			line = &plan.Units[0].Stops[i]
		}
	}
	if line == nil {
		t.Fatalf("the motorbike never rides the line: %+v", plan.Units[0].Stops)
	}
	want := float64(len(l.Edges)) * 40 // 40 s a block
	if math.Abs(line.DepartS-line.StartS-want) > 1e-3 {
		t.Errorf("line takes %v s, want %v", line.DepartS-line.StartS, want)
	}
	if err := planner.CheckRoutes(plan.Problems[0], plan.Results[0]); err != nil {
		t.Error(err)
	}
}

func TestRoster(t *testing.T) {
	start := time.Date(2026, 11, 23, 0, 0, 0, 0, time.UTC)
	r := planner.Roster(3, 5, start)
	var got []int
	for _, n := range r {
		got = append(got, n.Group)
	}
	if !slices.Equal(got, []int{0, 1, 2, 0, 1}) || r[4].Date.Day() != 27 || r[1].Name != "义警第2组" {
		t.Errorf("roster %+v", r)
	}
}

// TestHourRiskCrossesMidnight: a Friday 22:00–02:00 window's last two hours
// are Saturday's, so an incident at Friday 23:10 still weighs on them
// through the one-hour kernel, and the hourly split adds up to the window.
func TestHourRiskCrossesMidnight(t *testing.T) {
	ws := streetWorkspace(t, 10, map[int]int{5: 4})
	fri := time.Friday
	opt := planner.PlanOptions{Window: planner.Shift{Start: 22 * 60, End: 2 * 60}, Day: &fri, Seed: 3,
		Units:  []planner.Unit{{Name: "步巡1", Kind: planner.UnitFoot, HomeKiosk: ws.Kiosks[0].ID}},
		Patrol: planner.PatrolOptions{MaxPoints: 1, MaxLines: -1}}
	plan, err := planner.PlanPatrol(context.Background(), ws, opt)
	if err != nil {
		t.Fatal(err)
	}
	p := plan.Targets.Points[0]
	hr := p.HourRisk
	if len(hr) != 4 || !(hr[1] > hr[0] && hr[1] > hr[2] && hr[2] > hr[3] && hr[3] > 0) {
		t.Fatalf("hour risk %v: want a peak at 23:00 and non-zero Saturday hours", hr)
	}
	if s := hr[0] + hr[1] + hr[2] + hr[3]; math.Abs(s-p.Risk) > 1e-6*p.Risk {
		t.Errorf("hours sum to %v, the window's risk is %v", s, p.Risk)
	}
}

// TestPlanBreaksAndSplitShifts: a required break at the kiosk and a shift
// in two parts split a unit's night into stretches that each leave from
// and return to the kiosk; no stop falls in the gaps.
func TestPlanBreaksAndSplitShifts(t *testing.T) {
	ws := streetWorkspace(t, 10, map[int]int{3: 4, 6: 4, 8: 3})
	fri := time.Friday
	k := ws.Kiosks[0].ID
	opt := planner.PlanOptions{Window: planner.Shift{Start: 22 * 60, End: 2 * 60}, Day: &fri, Seed: 5,
		Units: []planner.Unit{
			{Name: "步巡1", Kind: planner.UnitFoot, HomeKiosk: k},
			{Name: "步巡2", Kind: planner.UnitFoot, HomeKiosk: k, Shifts: []planner.Shift{{Start: 22 * 60, End: 23 * 60}, {Start: 60, End: 120}}},
		},
		Breaks: [][]planner.Shift{{{Start: 23*60 + 30, End: 0}}},
		Patrol: planner.PatrolOptions{MaxPoints: 3, MaxLines: -1}}
	plan, err := planner.PlanPatrol(context.Background(), ws, opt)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range plan.Problems {
		if err := planner.CheckRoutes(p, plan.Results[i]); err != nil {
			t.Fatal(err)
		}
		if len(p.Routes) != 4 { // unit 1: before and after its break; unit 2: its two shifts
			t.Fatalf("%d orienteering routes, want 4", len(p.Routes))
		}
	}
	gaps := map[string][2]float64{"步巡1": {5400, 7200}, "步巡2": {3600, 10800}}
	for _, up := range append(append([]planner.UnitPlan{}, plan.Units...), plan.Baseline...) {
		gap := gaps[up.Unit]
		breaks := 0
		for _, s := range up.Stops {
			if s.Kind == "break" {
				breaks++
				if s.StartS > gap[0]+1e-6 || s.DepartS != gap[1] {
					t.Errorf("%s: break %v–%v s, want it to cover %v", up.Unit, s.StartS, s.DepartS, gap)
				}
				continue
			}
			if s.DepartS > gap[0]+1e-6 && s.StartS < gap[1]-1e-6 {
				t.Errorf("%s: stop %s at %v–%v s falls in the gap %v", up.Unit, s.ID, s.StartS, s.DepartS, gap)
			}
		}
		if breaks != 1 {
			t.Errorf("%s: %d break stops, want 1", up.Unit, breaks)
		}
	}
	if plan.Report.PointsCover == 0 {
		t.Error("nothing visited")
	}
}
