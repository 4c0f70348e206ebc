package planner_test

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"reflect"
	"slices"
	"testing"
	"time"

	osmfile "github.com/tidewatch/tidewatch/data/osm"
	"github.com/tidewatch/tidewatch/data/sharedtest"
	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// scenarioOrigin is the west end of the scenario test street (Hefei).
var scenarioOrigin = geo.Point{Lon: 117.23, Lat: 31.82}

func scAt(x float64) geo.Point { return geo.NewProjection(scenarioOrigin).Inverse(geo.XY{X: x, Y: 0}) }

// scenarioWorkspace is one straight east–west street of ten 200 m blocks
// (car 20 s, motorbike 40 s, foot 144 s a block, both ways) in 1,000 m
// grids, as a store returns it (revision 3, every record at version 2):
//
//   - kiosk 1 at x = 0: the 1-minute ring reaches 600 m of the 2,000 m;
//   - dome camera 1 at x = 100 (range 30 m); the street east of 200 m is unseen;
//   - key sites: 1 a station (tier 1) at x = 1,500, failing; 2 a school
//     (tier 3) at x = 300, reached in 30 s; 3 a market (tier 5) at x = 1,900;
//   - incidents at 23:10 on Friday nights on blocks 2 and 6.
//
// withUnits adds a foot unit based at kiosk 1.
func scenarioWorkspace(t *testing.T, withUnits bool) *planner.Workspace {
	t.Helper()
	var roads []planner.Road
	for i := range 10 {
		ls := geo.LineString{scAt(float64(i) * 200), scAt(float64(i+1) * 200)}
		roads = append(roads, planner.Road{WayID: 1, From: int64(100 + i), To: int64(101 + i), Geometry: ls, Highway: "residential", Name: "长江路",
			LengthM: ls.Length(), Travel: [planner.NumModes]planner.Travel{{Forward: 20, Backward: 20}, {Forward: 40, Backward: 40}, {Forward: 144, Backward: 144}}})
	}
	var incs []planner.Incident
	fri := time.Date(2026, 11, 20, 23, 10, 0, 0, time.UTC)
	for _, b := range []int{2, 2, 2, 6, 6} {
		incs = append(incs, planner.Incident{Location: scAt(float64(b)*200 + 100), Time: fri, Weight: 1, Category: "theft"})
	}
	parts := planner.Parts{Name: "scenario street", Roads: roads,
		Kiosks:  []planner.Kiosk{{Name: "西门警务站", Location: scAt(0), Source: "test"}},
		Cameras: []planner.Camera{{Name: "西口球机", Location: scAt(100), Kind: planner.CameraDome, FOVDeg: 360, RangeM: 30, Source: "test"}},
		Sites: []planner.Site{
			{Name: "东站", Category: planner.SiteStation, Location: scAt(1500), Tier: 1},
			{Name: "一中", Category: planner.SiteSchool, Location: scAt(300), Tier: 3},
			{Name: "东市场", Category: planner.SiteMarket, Location: scAt(1900), Tier: 5},
		},
		Incidents: incs}
	if withUnits {
		parts.Units = []planner.Unit{{ID: 1, Name: "步巡1", Kind: planner.UnitFoot, HomeKiosk: 1}}
	}
	ws, _, err := planner.Assemble(context.Background(), parts, planner.AssembleOptions{GridSizeM: 1000})
	if err != nil {
		t.Fatal(err)
	}
	ws.Revision = 3
	for i := range ws.Cameras {
		ws.Cameras[i].Version = 2
	}
	for i := range ws.Kiosks {
		ws.Kiosks[i].Version = 2
	}
	for i := range ws.Units {
		ws.Units[i].Version = 2
	}
	return ws
}

func compare(t *testing.T, ws *planner.Workspace, edits ...planner.Edit) *planner.Comparison {
	t.Helper()
	c, err := planner.CompareScenario(context.Background(), ws, planner.Scenario{ID: 7, Name: "test", Version: 1, Edits: edits}, planner.CompareOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func newCamera(x, dir float64) planner.Edit {
	return planner.Edit{Op: planner.OpCreate, Kind: planner.KindCamera, Camera: &planner.Camera{Name: "补盲", Location: scAt(x),
		Kind: planner.CameraFixed, DirectionDeg: dir, FOVDeg: 60, RangeM: 40}}
}

func newKiosk(x float64) planner.Edit {
	return planner.Edit{Op: planner.OpCreate, Kind: planner.KindKiosk, Kiosk: &planner.Kiosk{Name: "东门警务站", Location: scAt(x)}}
}

func near(a, b, tol float64) bool { return math.Abs(a-b) <= tol }

func TestCompareNoEditsEqual(t *testing.T) {
	ws := scenarioWorkspace(t, false)
	c := compare(t, ws)
	if !reflect.DeepEqual(c.Before, c.After) {
		t.Fatalf("no edits: before %+v\n after %+v", c.Before, c.After)
	}
	d := c.Delta
	if d.Cameras != 0 || d.Kiosks != 0 || d.Coverage.Share != 0 || d.Failing != 0 || d.Patrol.CoveredShare != nil {
		t.Errorf("delta %+v, want zeros", d)
	}
	for _, tr := range d.Tiers {
		if tr.Share != 0 || tr.RoadKm != 0 {
			t.Errorf("tier delta %+v, want 0", tr)
		}
	}
	if len(c.Changes) != 0 || len(c.Stale) != 0 || c.ScenarioID != 7 || c.BaseRevision != 3 {
		t.Errorf("changes %v, stale %v, id %d, revision %d", c.Changes, c.Stale, c.ScenarioID, c.BaseRevision)
	}
	// The figures themselves: 2 km of street, 1-minute ring 600 m from the kiosk.
	b := c.Before
	if !near(b.Response.NetworkKm, 2, 0.01) || len(b.Response.Tiers) != 3 || !near(b.Response.Tiers[0].Share, 0.3, 0.01) {
		t.Errorf("response %+v, want a 2 km network, 1-minute share 0.3", b.Response)
	}
	if b.Sites.Failing != 1 || len(b.Sites.Tiers) != 3 || !slices.Equal(b.Sites.Tiers[0].FailingIDs, []int64{1}) || b.Sites.Tiers[0].TierMin != 1 {
		t.Errorf("sites %+v, want the station (1) failing its 1-minute tier", b.Sites)
	}
	if !near(b.Coverage.RoadKm, 2, 0.01) || !near(b.Coverage.CoveredRoadKm, 0.06, 0.002) {
		t.Errorf("coverage %+v, want 60 m of 2 km seen", b.Coverage)
	}
	if b.Patrol.Planned || b.Patrol.Note != planner.PatrolNoUnits || b.Patrol.CoveredShare != nil {
		t.Errorf("patrol %+v, want no plan and the note %q", b.Patrol, planner.PatrolNoUnits)
	}
}

func TestCompareCameraOverUnseenStreet(t *testing.T) {
	ws := scenarioWorkspace(t, false)
	c := compare(t, ws, newCamera(1000, 90)) // a fixed camera at x = 1,000 looking east along the street
	if c.After.Cameras != 2 || c.Delta.Cameras != 1 {
		t.Errorf("cameras after %d, delta %d", c.After.Cameras, c.Delta.Cameras)
	}
	if !(c.After.Coverage.Share > c.Before.Coverage.Share) || !near(c.Delta.Coverage.CoveredRoadKm, 0.04, 0.002) {
		t.Errorf("coverage %+v → %+v (delta %+v): want 40 m more street seen", c.Before.Coverage, c.After.Coverage, c.Delta.Coverage)
	}
	if !near(c.Delta.Coverage.Share, c.After.Coverage.Share-c.Before.Coverage.Share, 1e-12) {
		t.Errorf("delta share %v", c.Delta.Coverage.Share)
	}
	if len(c.Changes) != 1 || c.Changes[0] != (planner.ScenarioChange{Edit: 1, Op: planner.OpCreate, Kind: planner.KindCamera, ID: 2}) {
		t.Errorf("changes %+v", c.Changes)
	}
	if c.Delta.Tiers[0].Share != 0 || c.Delta.Failing != 0 {
		t.Errorf("a camera changed the rings: %+v", c.Delta)
	}
}

func TestCompareKioskRaisesRingShare(t *testing.T) {
	ws := scenarioWorkspace(t, false)
	c := compare(t, ws, newKiosk(1400))
	for i, tr := range c.Delta.Tiers {
		if tr.Minutes < 3 && !(tr.Share > 0) {
			t.Errorf("tier %d (%g min) share delta %v, want > 0", i, tr.Minutes, tr.Share)
		}
	}
	// 1 minute: 600 m from the west kiosk, 1,200 m around x = 1,400 (600 m each way).
	if !near(c.After.Response.Tiers[0].Share, 0.9, 0.01) {
		t.Errorf("1-minute share after %v, want 0.9", c.After.Response.Tiers[0].Share)
	}
	if c.After.Sites.Failing != 0 || c.Delta.Failing != -1 || !slices.Equal(c.Delta.Sites[0].NowOK, []int64{1}) {
		t.Errorf("sites after %+v, delta %+v: want the station reached", c.After.Sites, c.Delta.Sites)
	}
}

func TestCompareDeleteOnlyKiosk(t *testing.T) {
	ws := scenarioWorkspace(t, true)
	c := compare(t, ws, planner.Edit{Op: planner.OpDelete, Kind: planner.KindKiosk, ID: 1, Version: 2})
	if c.After.Kiosks != 0 || c.After.Sites.Failing != 3 || c.Delta.Failing != 2 {
		t.Fatalf("after: %d kiosks, %d failing sites (delta %d); want 0, 3, +2", c.After.Kiosks, c.After.Sites.Failing, c.Delta.Failing)
	}
	var nowFailing []int64
	for _, s := range c.Delta.Sites {
		nowFailing = append(nowFailing, s.NowFailing...)
	}
	slices.Sort(nowFailing)
	if !slices.Equal(nowFailing, []int64{2, 3}) {
		t.Errorf("now failing %v, want the school and the market", nowFailing)
	}
	for _, tr := range c.After.Response.Tiers {
		if tr.Share != 0 {
			t.Errorf("tier %g share %v without kiosks", tr.Minutes, tr.Share)
		}
	}
	// The unit has no kiosk left: nothing of the risk is covered.
	b, a := c.Before.Patrol, c.After.Patrol
	if !b.Planned || b.CoveredShare == nil || !(*b.CoveredShare > 0) || b.Units != 1 {
		t.Fatalf("patrol before %+v, want the foot unit planned", b)
	}
	if a.Planned || a.Note != planner.PatrolUnitsNoKiosk || !slices.Equal(a.StrandedUnits, []string{"步巡1"}) || a.CoveredShare == nil || *a.CoveredShare != 0 {
		t.Errorf("patrol after %+v, want the unit stranded, nothing covered", a)
	}
	if c.Delta.Patrol.CoveredShare == nil || *c.Delta.Patrol.CoveredShare != -*b.CoveredShare {
		t.Errorf("patrol delta %v, want −%v", c.Delta.Patrol.CoveredShare, *b.CoveredShare)
	}
}

func TestComparePatrolWithUnits(t *testing.T) {
	ws := scenarioWorkspace(t, true)
	c := compare(t, ws, newKiosk(1400))
	for _, p := range []planner.PatrolFigures{c.Before.Patrol, c.After.Patrol} {
		if !p.Planned || p.Window != "22:00-02:00" || p.CoveredShare == nil || *p.CoveredShare <= 0 || *p.CoveredShare > 1 ||
			!near(*p.CoveredRisk, *p.CoveredShare**p.TotalRisk, 1e-9) {
			t.Errorf("patrol %+v", p)
		}
	}
	if c.Delta.Patrol.CoveredShare == nil {
		t.Errorf("patrol delta missing")
	}
}

func TestCompareBaseUntouched(t *testing.T) {
	ws := scenarioWorkspace(t, true)
	want := scenarioWorkspace(t, true)
	cams, kiosks := &ws.Cameras[0], &ws.Kiosks[0]
	c := compare(t, ws,
		newCamera(1000, 90),
		planner.Edit{Op: planner.OpUpdate, Kind: planner.KindCamera, ID: 1, Version: 2, Camera: &planner.Camera{Location: scAt(500), Kind: planner.CameraDome, FOVDeg: 360, RangeM: 30}},
		newKiosk(1400),
		planner.Edit{Op: planner.OpDelete, Kind: planner.KindKiosk, ID: 1, Version: 2},
		planner.Edit{Op: planner.OpUpdate, Kind: planner.KindUnit, ID: 1, Version: 2, Unit: &planner.Unit{Name: "步巡1", Kind: planner.UnitFoot, HomeKiosk: 2}},
	)
	if len(c.Changes) != 5 || len(c.Stale) != 0 {
		t.Fatalf("changes %+v, stale %+v", c.Changes, c.Stale)
	}
	if !reflect.DeepEqual(ws, want) || &ws.Cameras[0] != cams || &ws.Kiosks[0] != kiosks {
		t.Fatal("CompareScenario modified the base workspace")
	}
	// The moved unit starts from the new kiosk and is planned.
	if !c.After.Patrol.Planned || len(c.After.Patrol.StrandedUnits) != 0 {
		t.Errorf("patrol after %+v", c.After.Patrol)
	}
}

func TestCompareStaleEdits(t *testing.T) {
	ws := scenarioWorkspace(t, false)
	edits := []planner.Edit{
		newCamera(1000, 90),
		{Op: planner.OpDelete, Kind: planner.KindCamera, ID: 1, Version: 1},  // changed since: stored version 2
		{Op: planner.OpDelete, Kind: planner.KindCamera, ID: 99, Version: 2}, // deleted since
		// Moved, then deleted, both against the stored version: not stale.
		{Op: planner.OpUpdate, Kind: planner.KindKiosk, ID: 1, Version: 2, Kiosk: &planner.Kiosk{Name: "西门", Location: scAt(200)}},
		{Op: planner.OpDelete, Kind: planner.KindKiosk, ID: 1, Version: 2},
		{Op: planner.OpDelete, Kind: planner.KindKiosk, ID: 1, Version: 2}, // already deleted by the edit before
	}
	c := compare(t, ws, edits...)
	if len(c.Changes) != 3 || len(c.Stale) != 3 {
		t.Fatalf("changes %+v, stale %+v: want 3 and 3", c.Changes, c.Stale)
	}
	s := c.Stale
	if s[0].Edit != 2 || s[0].Code != planner.ECONFLICT || s[0].Version != 1 || s[0].CurrentVersion != 2 || s[0].Reason == "" {
		t.Errorf("stale[0] %+v", s[0])
	}
	if s[1].Edit != 3 || s[1].Code != planner.ENOTFOUND || s[1].ID != 99 || s[1].CurrentVersion != 0 {
		t.Errorf("stale[1] %+v", s[1])
	}
	if s[2].Edit != 6 || s[2].Code != planner.ENOTFOUND {
		t.Errorf("stale[2] %+v", s[2])
	}
	if c.After.Cameras != 2 || c.After.Kiosks != 0 {
		t.Errorf("after: %d cameras, %d kiosks; want 2, 0", c.After.Cameras, c.After.Kiosks)
	}
	// An invalid edit is an error, not a stale edit.
	_, err := planner.CompareScenario(context.Background(), ws, planner.Scenario{Edits: []planner.Edit{{Op: "explode", Kind: planner.KindCamera}}}, planner.CompareOptions{})
	if planner.ErrorCode(err) != planner.EINVALID {
		t.Errorf("invalid edit: %v, want %s", err, planner.EINVALID)
	}
}

func TestCompareDeterministicAndReusesBefore(t *testing.T) {
	ws := scenarioWorkspace(t, true)
	edits := []planner.Edit{newCamera(1000, 90), newKiosk(1400)}
	a := compare(t, ws, edits...)
	b := compare(t, ws, edits...)
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Fatalf("two runs differ:\n%s\n%s", ja, jb)
	}
	opt := planner.CompareOptions{Seed: 1}
	before, err := planner.ComputeFigures(context.Background(), ws, opt)
	if err != nil {
		t.Fatal(err)
	}
	opt.Before = before
	c, err := planner.CompareScenario(context.Background(), ws, planner.Scenario{ID: 7, Name: "test", Version: 1, Edits: edits}, opt)
	if err != nil {
		t.Fatal(err)
	}
	if c.Before != before {
		t.Error("CompareOptions.Before was not reused")
	}
	if jc, _ := json.Marshal(c); string(jc) != string(ja) {
		t.Errorf("with Before:\n%s\nwant\n%s", jc, ja)
	}
	// Figures of other options are not reused.
	opt.Window = planner.Shift{Start: 20 * 60, End: 23 * 60}
	c, err = planner.CompareScenario(context.Background(), ws, planner.Scenario{Edits: edits}, opt)
	if err != nil {
		t.Fatal(err)
	}
	if c.Before == before || c.Before.Patrol.Window != "20:00-23:00" {
		t.Errorf("Before of another window was reused: %+v", c.Before.Patrol)
	}
}

func TestCompareCancelled(t *testing.T) {
	ws := scenarioWorkspace(t, true)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := planner.CompareScenario(ctx, ws, planner.Scenario{Edits: []planner.Edit{newKiosk(1400)}}, planner.CompareOptions{})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled compare: %v, want context.Canceled", err)
	}
}

func TestCompareOptionsInvalid(t *testing.T) {
	ws := scenarioWorkspace(t, false)
	for _, opt := range []planner.CompareOptions{
		{Mode: "boat"},
		{Minutes: []float64{0}},
		{Window: planner.Shift{Start: 1500, End: 10}},
	} {
		if _, err := planner.CompareScenario(context.Background(), ws, planner.Scenario{}, opt); planner.ErrorCode(err) != planner.EINVALID {
			t.Errorf("%+v: %v, want %s", opt, err, planner.EINVALID)
		}
	}
}

// wilmingtonDemo builds the workspace `tidewatch demo --cameras 300
// --incidents 2000` stores (Wilmington, Delaware; synthetic cameras and
// incidents, seed 1), with four units per kiosk pair for the patrol figure.
func wilmingtonDemo(tb testing.TB) *planner.Workspace {
	tb.Helper()
	ctx := context.Background()
	b := geo.Bound{Min: geo.Point{Lon: -75.5885, Lat: 39.6880}, Max: geo.Point{Lon: -75.4708, Lat: 39.7730}}
	x, err := osmfile.ReadFile(ctx, sharedtest.Delaware(tb), osmfile.Options{Bound: &b})
	if err != nil {
		tb.Fatal(err)
	}
	att := make([]planner.Attractor, len(x.POIs))
	for i, p := range x.POIs {
		att[i] = planner.Attractor{Location: p.Location, Kind: p.Kind, Weight: 1}
	}
	parts := planner.Parts{Name: "wilmington", Roads: x.Roads, Buildings: x.Buildings, OSMKiosks: x.Kiosks, OSMCameras: x.Cameras, OSMSites: x.Sites}
	parts.Cameras = planner.SyntheticCameras(parts.Roads, att, 300, 1)
	parts.Incidents = planner.SyntheticIncidents(parts.Roads, att, 2000, 1, time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC), 91)
	ws, _, err := planner.Assemble(ctx, parts, planner.AssembleOptions{Bound: &b, GridSizeM: 500, GridShape: "square"})
	if err != nil {
		tb.Fatal(err)
	}
	return ws
}

// twentyCamerasTwoKiosks is the scenario: 20 new cameras along the
// roads and 2 new kiosks.
func twentyCamerasTwoKiosks(ws *planner.Workspace) []planner.Edit {
	var edits []planner.Edit
	for i := range 20 {
		r := &ws.Roads[(i*97)%len(ws.Roads)]
		edits = append(edits, planner.Edit{Op: planner.OpCreate, Kind: planner.KindCamera, Camera: &planner.Camera{Location: r.Geometry[0],
			Kind: planner.CameraFixed, DirectionDeg: float64(i*37) - float64(i*37/360*360), FOVDeg: 60, RangeM: 40}})
	}
	for i := range 2 {
		r := &ws.Roads[(i*1009+500)%len(ws.Roads)]
		edits = append(edits, planner.Edit{Op: planner.OpCreate, Kind: planner.KindKiosk, Kiosk: &planner.Kiosk{Location: r.Geometry[0]}})
	}
	return edits
}

// BenchmarkCompareWilmington compares the demo workspace with 20 new
// cameras and 2 new kiosks: both sides in full (Cold), and with the
// workspace's figures reused (Warm, as the API does for a second compare).
func BenchmarkCompareWilmington(b *testing.B) {
	ws := wilmingtonDemo(b)
	sc := planner.Scenario{Name: "20 cameras, 2 kiosks", Edits: twentyCamerasTwoKiosks(ws)}
	ctx := context.Background()
	b.Run("Cold", func(b *testing.B) {
		for b.Loop() {
			if _, err := planner.CompareScenario(ctx, ws, sc, planner.CompareOptions{}); err != nil {
				b.Fatal(err)
			}
		}
	})
	before, err := planner.ComputeFigures(ctx, ws, planner.CompareOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("Warm", func(b *testing.B) {
		for b.Loop() {
			if _, err := planner.CompareScenario(ctx, ws, sc, planner.CompareOptions{Before: before}); err != nil {
				b.Fatal(err)
			}
		}
	})
	// With units (the demo has none): two cars and a foot pair per side.
	wu := *ws
	k0, k1 := ws.Kiosks[0].ID, ws.Kiosks[len(ws.Kiosks)-1].ID
	wu.Units = []planner.Unit{{ID: 1, Name: "car1", Kind: planner.UnitCar, HomeKiosk: k0}, {ID: 2, Name: "car2", Kind: planner.UnitCar, HomeKiosk: k1},
		{ID: 3, Name: "foot1", Kind: planner.UnitFoot, HomeKiosk: k0}}
	b.Run("ColdUnits", func(b *testing.B) {
		for b.Loop() {
			c, err := planner.CompareScenario(ctx, &wu, sc, planner.CompareOptions{})
			if err != nil {
				b.Fatal(err)
			}
			if !c.After.Patrol.Planned {
				b.Fatalf("patrol %+v", c.After.Patrol)
			}
		}
	})
}
