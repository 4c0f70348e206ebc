package planner_test

import (
	"context"
	"math"
	"math/rand/v2"
	"os"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	csvfile "github.com/tidewatch/tidewatch/data/csv"
	osmfile "github.com/tidewatch/tidewatch/data/osm"
	"github.com/tidewatch/tidewatch/data/sharedtest"
	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// covOrigin is the centre of the hand-made coverage workspaces (Wuhan).
var covOrigin = geo.Point{Lon: 114.30, Lat: 30.59}

// at returns the point x metres east and y metres north of covOrigin.
func covAt(x, y float64) geo.Point { return geo.NewProjection(covOrigin).Inverse(geo.XY{X: x, Y: y}) }

// covRect returns the rectangle [x0,x1]×[y0,y1] metres about covOrigin.
func covRect(x0, y0, x1, y1 float64) geo.Polygon {
	return geo.Polygon{geo.Ring{covAt(x0, y0), covAt(x1, y0), covAt(x1, y1), covAt(x0, y1), covAt(x0, y0)}}
}

func covRoad(id int64, name string, pts ...geo.Point) planner.Road {
	ls := geo.LineString(pts)
	return planner.Road{ID: id, WayID: id, From: id * 10, To: id*10 + 1, Geometry: ls, Highway: "residential", Name: name, LengthM: ls.Length()}
}

// oneGrid is one 500 m grid centred on covOrigin with a road through the
// centre (west–east, y = 0) and one 20 m north of it, a dome camera of
// range 30 m at the centre, and two incidents: one 15 m south of the
// camera at 23:00 (weight 2), one 10 m south of road 1 and 100 m east at
// 09:00 (weight 1).
func oneGrid() *planner.Workspace {
	return &planner.Workspace{
		Name:  "one grid",
		Grids: []planner.Grid{{ID: 1, Name: "A1", Polygon: covRect(-250, -250, 250, 250)}},
		Roads: []planner.Road{
			covRoad(1, "中山路", covAt(-200, 0), covAt(200, 0)),
			covRoad(2, "北街", covAt(-200, 20), covAt(200, 20)),
		},
		Cameras: []planner.Camera{{ID: 1, Location: covOrigin, Kind: planner.CameraDome, FOVDeg: 360, RangeM: 30}},
		Incidents: []planner.Incident{
			{ID: 1, Location: covAt(0, -15), Weight: 2, Time: time.Date(2025, 1, 1, 23, 0, 0, 0, time.UTC)},
			{ID: 2, Location: covAt(100, -10), Weight: 1, Time: time.Date(2025, 1, 1, 9, 0, 0, 0, time.UTC)},
		},
	}
}

func within(t *testing.T, what string, got, want, rel float64) {
	t.Helper()
	if math.Abs(got-want) > rel*math.Abs(want) {
		t.Errorf("%s = %.4f, want %.4f within %.2g %%", what, got, want, 100*rel)
	}
}

func TestCoverageDomeDisc(t *testing.T) {
	ws := oneGrid()
	cov, err := planner.NewCoverage(context.Background(), ws)
	if err != nil {
		t.Fatal(err)
	}
	rep := cov.Report()
	if len(rep.Grids) != 1 {
		t.Fatalf("%d grids", len(rep.Grids))
	}
	g := rep.Grids[0]
	t.Logf("%+v", g)
	within(t, "area_m2", g.AreaM2, 250000, 0.001)
	within(t, "covered_area_m2", g.CoveredAreaM2, math.Pi*30*30, 0.005)
	within(t, "road_m", g.RoadM, ws.Roads[0].LengthM+ws.Roads[1].LengthM, 1e-9)
	// Road 1 through the camera: 2r = 60 m; road 2 at 20 m: 2·√(30²−20²).
	within(t, "covered_road_m", g.CoveredRoadM, 60+2*math.Sqrt(500), 0.005)
	if g.Cameras != 1 || g.IncidentWeight != 3 || g.CoveredIncidentWeight != 2 {
		t.Errorf("cameras %d, incidents %g, covered %g; want 1, 3, 2", g.Cameras, g.IncidentWeight, g.CoveredIncidentWeight)
	}
	if rep.Total.CoveredAreaM2 != g.CoveredAreaM2 || rep.Total.Cameras != 1 {
		t.Errorf("total %+v", rep.Total)
	}
	night := cov.ReportFor(planner.CoverageOptions{Hours: []int{22, 23, 0, 1}}).Grids[0]
	if night.IncidentWeight != 2 || night.CoveredIncidentWeight != 2 {
		t.Errorf("22–01 h: incidents %g covered %g, want 2 and 2", night.IncidentWeight, night.CoveredIncidentWeight)
	}
	gaps, err := cov.Gaps(1)
	if err != nil {
		t.Fatal(err)
	}
	within(t, "gap area", gaps.Area(), 250000-math.Pi*900, 0.0001)
	if _, err := cov.Gaps(99); planner.ErrorCode(err) != planner.ENOTFOUND {
		t.Errorf("Gaps(99): %v, want not_found", err)
	}
	// Uncovered: each road's two stretches either side of the disc; the
	// one on road 1 east of the camera has incident 2 (weight 1) next to
	// it, so it ranks first.
	un := cov.UncoveredRoads(0)
	if len(un) != 4 {
		t.Fatalf("%d uncovered stretches, want 4: %+v", len(un), un)
	}
	if un[0].RoadID != 1 || un[0].IncidentWeight != 1 || un[0].FromM < 200 {
		t.Errorf("first stretch %+v, want road 1 east of the camera with weight 1", un[0])
	}
	within(t, "first stretch length", un[0].LengthM, 170, 0.005)
	within(t, "stretch geometry length", un[0].Geometry.Length(), un[0].LengthM, 1e-6)
	var sum float64
	for _, s := range un {
		sum += s.LengthM
	}
	within(t, "uncovered sum", sum, g.RoadM-g.CoveredRoadM, 1e-9)
	if got := cov.UncoveredRoads(1); len(got) != 1 || !reflect.DeepEqual(got[0], un[0]) {
		t.Errorf("UncoveredRoads(1) = %+v", got)
	}
}

func TestCoverageBuildingOccludes(t *testing.T) {
	ws := oneGrid()
	// A building between the camera and road 2 (y = 5..15 m, x = ±60 m).
	ws.Buildings = []planner.Building{{ID: 1, Polygon: covRect(-60, 5, 60, 15)}}
	cov, err := planner.NewCoverage(context.Background(), ws)
	if err != nil {
		t.Fatal(err)
	}
	g := cov.Report().Grids[0]
	t.Logf("%+v", g)
	within(t, "covered_road_m", g.CoveredRoadM, 60, 0.005)
	if g.CoveredAreaM2 >= math.Pi*900*0.9 || g.CoveredAreaM2 < math.Pi*900*0.4 {
		t.Errorf("covered area %.1f m², want well below the disc's %.1f", g.CoveredAreaM2, math.Pi*900)
	}
	fp, ok := cov.Footprint(1)
	if !ok || fp.Polygon.Contains(covAt(0, 20)) || !fp.Polygon.Contains(covAt(0, -20)) || !fp.Polygon.Contains(covAt(25, 0)) {
		t.Errorf("footprint sees behind the building or misses open ground: %v", fp.Polygon)
	}
	// Without the building, turned into a fixed 90° camera looking east
	// with range 40 m: 40 m of road 1 along its axis, and road 2 (20 m
	// north) from the 45° side at x = 20 m to the arc at x = √(40²−20²).
	open, err := planner.NewCoverage(context.Background(), oneGrid())
	if err != nil {
		t.Fatal(err)
	}
	open.SetCamera(planner.Camera{ID: 1, Location: covOrigin, Kind: planner.CameraFixed, DirectionDeg: 90, FOVDeg: 90, RangeM: 40})
	g = open.Report().Grids[0]
	within(t, "fixed covered_road_m", g.CoveredRoadM, 40+math.Sqrt(1200)-20, 0.005)
	within(t, "fixed covered_area_m2", g.CoveredAreaM2, math.Pi*1600/4, 0.005)
	if g.CoveredIncidentWeight != 0 {
		t.Errorf("the fixed camera looks away from the incidents, yet covers %g", g.CoveredIncidentWeight)
	}
}

// roundReport rounds every figure to 1e-6 so reports computed along
// different paths can be compared exactly.
func roundReport(r planner.CoverageReport) planner.CoverageReport {
	rd := func(x float64) float64 { return math.Round(x*1e6) / 1e6 }
	f := func(g planner.GridCoverage) planner.GridCoverage {
		g.AreaM2, g.CoveredAreaM2, g.RoadM, g.CoveredRoadM = rd(g.AreaM2), rd(g.CoveredAreaM2), rd(g.RoadM), rd(g.CoveredRoadM)
		g.IncidentWeight, g.CoveredIncidentWeight = rd(g.IncidentWeight), rd(g.CoveredIncidentWeight)
		return g
	}
	out := planner.CoverageReport{Total: f(r.Total)}
	for _, g := range r.Grids {
		out.Grids = append(out.Grids, f(g))
	}
	return out
}

// TestCoverageIncrementalMatchesFresh applies 30 random adds, moves and
// deletes and checks after each that the incremental report equals a
// fresh computation over the edited workspace.
func TestCoverageIncrementalMatchesFresh(t *testing.T) {
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(7, 11))
	ws := &planner.Workspace{Name: "3x3"}
	id := int64(0)
	for i := 0; i < 3; i++ {
		for j := 0; j < 3; j++ {
			id++
			x, y := -300+200*float64(i), -300+200*float64(j)
			ws.Grids = append(ws.Grids, planner.Grid{ID: id, Name: planner.GridLabel(j, i), Polygon: covRect(x, y, x+200, y+200)})
		}
	}
	for k := 0; k < 7; k++ {
		c := -300 + 100*float64(k)
		ws.Roads = append(ws.Roads, covRoad(int64(2*k+1), "", covAt(-320, c+3), covAt(320, c-2)), covRoad(int64(2*k+2), "", covAt(c, -320), covAt(c+4, 320)))
	}
	for k := 0; k < 12; k++ {
		x, y := rng.Float64()*560-280, rng.Float64()*560-280
		ws.Buildings = append(ws.Buildings, planner.Building{ID: int64(k + 1), Polygon: covRect(x, y, x+10+rng.Float64()*30, y+10+rng.Float64()*20)})
	}
	for k := 0; k < 60; k++ {
		ws.Incidents = append(ws.Incidents, planner.Incident{ID: int64(k + 1), Location: covAt(rng.Float64()*640-320, rng.Float64()*640-320),
			Weight: float64(1 + k%3), Time: time.Date(2025, 3, 1, k%24, 0, 0, 0, time.UTC)})
	}
	randomCam := func() planner.Camera {
		kinds := []planner.CameraKind{planner.CameraFixed, planner.CameraDome, planner.CameraPTZ}
		return planner.Camera{Location: covAt(rng.Float64()*600-300, rng.Float64()*600-300), Kind: kinds[rng.IntN(3)],
			DirectionDeg: rng.Float64() * 360, FOVDeg: 30 + rng.Float64()*120, RangeM: 20 + rng.Float64()*60}
	}
	for k := 0; k < 8; k++ {
		var err error
		if ws, _, err = planner.WithCamera(ws, randomCam()); err != nil {
			t.Fatal(err)
		}
	}
	cov, err := planner.NewCoverage(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	for step := 0; step < 30; step++ {
		var err error
		switch op := rng.IntN(3); {
		case op == 0 || len(ws.Cameras) == 0: // add
			var c planner.Camera
			ws, c, err = planner.WithCamera(ws, randomCam())
			cov.SetCamera(c)
		case op == 1: // move / turn / re-range
			c := randomCam()
			c.ID = ws.Cameras[rng.IntN(len(ws.Cameras))].ID
			ws, c, err = planner.WithCamera(ws, c)
			cov.SetCamera(c)
		default:
			victim := ws.Cameras[rng.IntN(len(ws.Cameras))].ID
			ws, err = planner.WithoutCamera(ws, victim)
			if !cov.DeleteCamera(victim) {
				t.Fatalf("step %d: DeleteCamera(%d) found nothing", step, victim)
			}
		}
		if err != nil {
			t.Fatal(err)
		}
		fresh, err := planner.NewCoverage(ctx, ws)
		if err != nil {
			t.Fatal(err)
		}
		opt := planner.CoverageOptions{Hours: []int{20, 21, 22, 23}}
		if got, want := roundReport(cov.ReportFor(opt)), roundReport(fresh.ReportFor(opt)); !reflect.DeepEqual(got, want) {
			t.Fatalf("step %d: incremental report\n%+v\nfresh\n%+v", step, got, want)
		}
		if got, want := cov.UncoveredRoads(0), fresh.UncoveredRoads(0); !reflect.DeepEqual(got, want) {
			t.Fatalf("step %d: uncovered stretches differ (%d vs %d)", step, len(got), len(want))
		}
	}
	rep := cov.Report()
	if rep.Total.Cameras != len(ws.Cameras) || rep.Total.CoveredAreaM2 <= 0 || rep.Total.CoveredRoadM <= 0 {
		t.Errorf("final total %+v with %d cameras", rep.Total, len(ws.Cameras))
	}
	for _, g := range rep.Grids {
		gaps, err := cov.Gaps(g.ID)
		if err != nil {
			t.Fatal(err)
		}
		if d := math.Abs(gaps.Area() + g.CoveredAreaM2 - g.AreaM2); d > 0.01 {
			t.Errorf("grid %d: gaps %.3f + covered %.3f ≠ area %.3f", g.ID, gaps.Area(), g.CoveredAreaM2, g.AreaM2)
		}
	}
	t.Logf("final: %d cameras, total %+v", len(ws.Cameras), rep.Total)
}

func TestWithCameraValidates(t *testing.T) {
	ws := oneGrid()
	for _, c := range []planner.Camera{
		{Location: geo.Point{Lon: 200, Lat: 0}},
		{Location: covOrigin, Kind: "laser"},
		{Location: covOrigin, RangeM: 5000},
		{Location: covOrigin, Kind: planner.CameraFixed, FOVDeg: 400},
	} {
		if _, _, err := planner.WithCamera(ws, c); planner.ErrorCode(err) != planner.EINVALID {
			t.Errorf("WithCamera(%+v) = %v, want invalid", c, err)
		}
	}
	if _, _, err := planner.WithCamera(ws, planner.Camera{ID: 9, Location: covOrigin}); planner.ErrorCode(err) != planner.ENOTFOUND {
		t.Errorf("unknown id: %v", err)
	}
	ws2, c, err := planner.WithCamera(ws, planner.Camera{Location: covOrigin, Kind: planner.CameraFixed, DirectionDeg: -90})
	if err != nil || c.ID != 2 || c.DirectionDeg != 270 || c.FOVDeg != planner.DefaultFixedFOV || c.RangeM != planner.DefaultFixedRange || len(ws.Cameras) != 1 || len(ws2.Cameras) != 2 {
		t.Errorf("WithCamera: %+v %v (%d, %d cameras)", c, err, len(ws.Cameras), len(ws2.Cameras))
	}
	if _, err := planner.WithoutCamera(ws2, 7); planner.ErrorCode(err) != planner.ENOTFOUND {
		t.Errorf("WithoutCamera(7): %v", err)
	}
}

var (
	baltCovOnce sync.Once
	baltCovWS   *planner.Workspace
	baltCovErr  error
)

// baltimoreCoverage assembles Baltimore downtown clipped to the README's
// box with buildings, both real camera lists and the merged incidents.
func baltimoreCoverage(tb testing.TB) *planner.Workspace {
	tb.Helper()
	osmPath := sharedtest.Path(tb, "osm/baltimore_downtown.osm.pbf")
	camPaths := []string{sharedtest.Path(tb, "incidents/baltimore_cctv_locations_2014.csv"), sharedtest.Path(tb, "incidents/baltimore_bpd_citiwatch_cameras.csv")}
	incPath := sharedtest.Path(tb, "incidents/baltimore_incidents_merged.csv")
	baltCovOnce.Do(func() {
		ctx := context.Background()
		x, err := osmfile.ReadFile(ctx, osmPath, osmfile.Options{})
		if err != nil {
			baltCovErr = err
			return
		}
		var cams []planner.Camera
		for _, p := range camPaths {
			f, err := os.Open(p)
			if err != nil {
				baltCovErr = err
				return
			}
			cs, err := csvfile.ReadCameras(f, p)
			f.Close()
			if err != nil {
				baltCovErr = err
				return
			}
			cams = append(cams, cs...)
		}
		f, err := os.Open(incPath)
		if err != nil {
			baltCovErr = err
			return
		}
		incs, err := csvfile.ReadIncidents(f, incPath)
		f.Close()
		if err != nil {
			baltCovErr = err
			return
		}
		box := geo.Bound{Min: geo.Point{Lon: -76.6081, Lat: 39.2586}, Max: geo.Point{Lon: -76.5288, Lat: 39.3065}}
		baltCovWS, _, baltCovErr = planner.Assemble(ctx, planner.Parts{Name: "baltimore", Roads: x.Roads, Buildings: x.Buildings,
			Cameras: cams, Incidents: incs}, planner.AssembleOptions{Bound: &box, GridSizeM: 500})
	})
	if baltCovErr != nil {
		tb.Fatal(baltCovErr)
	}
	return baltCovWS
}

func TestCoverageBaltimore(t *testing.T) {
	ws := baltimoreCoverage(t)
	start := time.Now()
	cov, err := planner.NewCoverage(context.Background(), ws)
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	rep := cov.Report()
	inGrid := 0
	for _, c := range ws.Cameras {
		for _, g := range ws.Grids {
			if g.Polygon.Contains(c.Location) {
				inGrid++
				break
			}
		}
	}
	const eps = 1e-6
	for _, g := range append(slices.Clone(rep.Grids), rep.Total) {
		if g.CoveredAreaM2 > g.AreaM2*(1+eps) || g.CoveredRoadM > g.RoadM*(1+eps)+eps || g.CoveredIncidentWeight > g.IncidentWeight ||
			g.CoveredAreaM2 < 0 || g.CoveredRoadM < 0 {
			t.Errorf("grid %d %s: covered exceeds total: %+v", g.ID, g.Name, g)
		}
	}
	tot := rep.Total
	if tot.Cameras != inGrid || tot.CoveredRoadM <= 0 || tot.CoveredAreaM2 <= 0 || tot.CoveredIncidentWeight <= 0 {
		t.Errorf("total %+v; %d cameras inside grids", tot, inGrid)
	}
	// Every camera's footprint is at most its unoccluded sector.
	for _, f := range cov.Footprints(ws.Bound) {
		s := planner.CameraSector(f.Camera)
		if max := math.Pi * s.RangeM * s.RangeM * s.FOVDeg / 360; f.AreaM2 > max*1.001 {
			t.Errorf("camera %d: footprint %.1f m² > sector %.1f m²", f.Camera.ID, f.AreaM2, max)
		}
	}
	un := cov.UncoveredRoads(5)
	if len(un) != 5 || un[0].IncidentWeight < un[4].IncidentWeight {
		t.Errorf("uncovered: %+v", un)
	}
	t.Logf("baltimore: %d grids, %d cameras (%d in grids), %d buildings, %d incidents, %d roads; NewCoverage %v",
		len(ws.Grids), len(ws.Cameras), inGrid, len(ws.Buildings), len(ws.Incidents), len(ws.Roads), elapsed.Round(time.Millisecond))
	t.Logf("total: area %.2f km², covered %.3f km² (%.2f %%); road %.1f km, covered %.1f km (%.2f %%); incidents %.0f, covered %.0f (%.1f %%)",
		tot.AreaM2/1e6, tot.CoveredAreaM2/1e6, 100*tot.CoveredAreaM2/tot.AreaM2, tot.RoadM/1e3, tot.CoveredRoadM/1e3, 100*tot.CoveredRoadM/tot.RoadM,
		tot.IncidentWeight, tot.CoveredIncidentWeight, 100*tot.CoveredIncidentWeight/tot.IncidentWeight)
	for _, s := range un {
		t.Logf("uncovered: road %d %q %.0f m, %.0f incidents within 25 m", s.RoadID, s.Name, s.LengthM, s.IncidentWeight)
	}
}

// TestCoverageMunichFixedSectors checks that OSM cameras with a
// camera:direction become fixed sectors whose footprint lies towards that
// direction: the bearing from the camera to the footprint's centroid is
// within ±FOV/2 of DirectionDeg.
func TestCoverageMunichFixedSectors(t *testing.T) {
	ctx := context.Background()
	x, err := osmfile.ReadFile(ctx, sharedtest.Path(t, "osm/munchen_center.osm.pbf"), osmfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ws := &planner.Workspace{Cameras: x.Cameras, Buildings: x.Buildings}
	fps, err := planner.Footprints(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	checked, empty := 0, 0
	for _, f := range fps {
		c := f.Camera
		if slices.Contains(c.Defaulted, "direction") || c.Kind != planner.CameraFixed {
			continue
		}
		if len(f.Polygon) == 0 || f.AreaM2 < 0.01 {
			empty++ // a camera inside a building's courtyard wall, say
			continue
		}
		checked++
		fov := planner.CameraSector(c).FOVDeg
		cen := f.Polygon.Centroid()
		xy := geo.NewProjection(c.Location).Forward(cen)
		bearing := math.Mod(math.Atan2(xy.X, xy.Y)*180/math.Pi+360, 360)
		diff := math.Abs(math.Mod(bearing-c.DirectionDeg+540, 360) - 180)
		if diff > fov/2+1e-6 {
			t.Errorf("camera %d (%s): direction %.1f°, fov %.0f°, centroid bearing %.1f° (off by %.1f°)", c.ID, c.Name, c.DirectionDeg, fov, bearing, diff)
		}
	}
	if checked < 10 {
		t.Fatalf("only %d directed fixed cameras checked (of %d cameras)", checked, len(fps))
	}
	t.Logf("munich: %d cameras, %d buildings; %d directed fixed cameras checked, %d with an empty footprint", len(fps), len(ws.Buildings), checked, empty)
}

func BenchmarkCoverageBaltimore(b *testing.B) {
	ws := baltimoreCoverage(b)
	b.ReportMetric(float64(len(ws.Cameras)), "cameras")
	for b.Loop() {
		if _, err := planner.NewCoverage(context.Background(), ws); err != nil {
			b.Fatal(err)
		}
	}
}

// jittered returns ws with n copies of every camera, each moved up to 100 m
// and turned at random (seeded).
func jittered(ws *planner.Workspace, n int) *planner.Workspace {
	rng := rand.New(rand.NewPCG(1, 2))
	cp := *ws
	cp.Cameras = nil
	for k := 0; k < n; k++ {
		for _, c := range ws.Cameras {
			pr := geo.NewProjection(c.Location)
			c.ID = int64(len(cp.Cameras) + 1)
			if k > 0 {
				c.Location = pr.Inverse(geo.XY{X: rng.Float64()*200 - 100, Y: rng.Float64()*200 - 100})
				c.DirectionDeg = rng.Float64() * 360
			}
			cp.Cameras = append(cp.Cameras, c)
		}
	}
	return &cp
}

func benchScale(b *testing.B, n int) {
	ws := jittered(baltimoreCoverage(b), n)
	b.ReportMetric(float64(len(ws.Cameras)), "cameras")
	for b.Loop() {
		if _, err := planner.NewCoverage(context.Background(), ws); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkCoverageBaltimore10x(b *testing.B)  { benchScale(b, 10) }
func BenchmarkCoverageBaltimore100x(b *testing.B) { benchScale(b, 100) }

func benchMove(b *testing.B, n int) {
	ws := jittered(baltimoreCoverage(b), n)
	cov, err := planner.NewCoverage(context.Background(), ws)
	if err != nil {
		b.Fatal(err)
	}
	rng := rand.New(rand.NewPCG(3, 4))
	b.ReportMetric(float64(len(ws.Cameras)), "cameras")
	for b.Loop() {
		c := ws.Cameras[rng.IntN(len(ws.Cameras))]
		c.Location = geo.NewProjection(c.Location).Inverse(geo.XY{X: rng.Float64()*60 - 30, Y: rng.Float64()*60 - 30})
		cov.SetCamera(c)
	}
}

func BenchmarkMoveOneCamera(b *testing.B)     { benchMove(b, 1) }
func BenchmarkMoveOneCamera100x(b *testing.B) { benchMove(b, 100) }
