package storetest

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

func TestSampleIsDeterministicAndRich(t *testing.T) {
	a, b := Sample(1, 100), Sample(1, 100)
	if d := Diff(a, b); d != "" {
		t.Fatalf("Sample(1) differs between calls: %s", d)
	}
	if Diff(a, Sample(2, 100)) == "" {
		t.Fatal("different seeds gave the same workspace")
	}
	if len(a.Roads) != 100 || len(a.Buildings) != 50 {
		t.Fatalf("%d roads, %d buildings", len(a.Roads), len(a.Buildings))
	}
	seen := map[int64]bool{}
	for _, r := range a.Roads {
		if seen[r.ID] {
			t.Fatalf("duplicate road id %d", r.ID)
		}
		seen[r.ID] = true
	}
	var holes, midnight bool
	for _, g := range a.Grids {
		holes = holes || len(g.Polygon) > 1
	}
	for _, u := range a.Units {
		for _, s := range u.Shifts {
			midnight = midnight || s.End < s.Start
		}
	}
	if !holes || !midnight || !math.Signbit(a.Cameras[1].DirectionDeg) {
		t.Fatalf("sample lacks holes (%v), shifts across midnight (%v) or -0", holes, midnight)
	}
}

func TestNormalized(t *testing.T) {
	cst := time.FixedZone("CST", 8*3600)
	ws := &planner.Workspace{
		Notes:     []string{},
		Roads:     []planner.Road{{ID: 1, Geometry: geo.LineString{}, Travel: [planner.NumModes]planner.Travel{{Forward: -3, Backward: 2}}}},
		Incidents: []planner.Incident{{Time: time.Date(2024, 1, 1, 7, 0, 0, 5, cst)}},
		Sites:     []planner.Site{{Area: geo.Polygon{{}}}},
	}
	n := Normalized(ws)
	if n.Notes != nil || n.Roads[0].Geometry != nil || n.Grids != nil {
		t.Error("empty slices were not normalised to nil")
	}
	if tr := n.Roads[0].Travel[0]; tr.Forward != planner.NoAccess || tr.Backward != 2 {
		t.Errorf("travel = %v, want fwd NoAccess, bwd 2", tr)
	}
	if tm := n.Incidents[0].Time; tm.Location() != time.UTC || !tm.Equal(ws.Incidents[0].Time) || tm.Nanosecond() != 5 {
		t.Errorf("time = %v, want the same instant in UTC", tm)
	}
	if len(n.Sites[0].Area) != 1 || n.Sites[0].Area[0] != nil {
		t.Errorf("area = %#v, want one nil ring", n.Sites[0].Area)
	}
	if ws.Notes == nil || ws.Incidents[0].Time.Location() != cst || ws.Roads[0].Travel[0].Forward != -3 {
		t.Error("Normalized modified its input")
	}
}

func TestDiffIsExact(t *testing.T) {
	base := func() *planner.Workspace {
		return &planner.Workspace{Cameras: []planner.Camera{{DirectionDeg: 0, Defaulted: []string{"fov"}}}}
	}
	for name, tc := range map[string]struct {
		change func(ws *planner.Workspace)
		path   string
	}{
		"negative zero": {func(ws *planner.Workspace) { ws.Cameras[0].DirectionDeg = math.Copysign(0, -1) }, "Cameras[0].DirectionDeg"},
		"nil vs empty":  {func(ws *planner.Workspace) { ws.Notes = []string{} }, "Notes"},
		"string":        {func(ws *planner.Workspace) { ws.Cameras[0].Defaulted[0] = "range" }, "Defaulted[0]"},
		"pointer":       {func(ws *planner.Workspace) { ws.Grids = []planner.Grid{{Risk: new(float64)}} }, "Grids"},
	} {
		changed := base()
		tc.change(changed)
		if d := Diff(changed, base()); !strings.Contains(d, tc.path) {
			t.Errorf("%s: Diff = %q, want a difference at %s", name, d, tc.path)
		}
	}
	if d := Diff(base(), base()); d != "" {
		t.Errorf("equal workspaces: Diff = %q", d)
	}
}
