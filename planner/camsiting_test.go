package planner_test

import (
	"context"
	"math"
	"reflect"
	"runtime"
	"testing"
	"time"

	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// TestSiteCamerasBaltimore places 20 new cameras in Baltimore downtown
// (OSM roads and buildings, both real camera lists, the merged incidents):
// coverage grows, the gap is reported, and every proposal keeps the
// minimum spacing from the others and from the existing cameras.
func TestSiteCamerasBaltimore(t *testing.T) {
	if testing.Short() {
		t.Skip("Baltimore siting in -short mode")
	}
	ws := baltimoreCoverage(t)
	const spacing = 50.0
	start := time.Now()
	res, err := planner.SiteCameras(context.Background(), ws, planner.CameraSitingOptions{Count: 20, MinSpacingM: spacing, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)
	if len(res.Proposals) != 20 {
		t.Fatalf("%d proposals", len(res.Proposals))
	}
	if !(res.After > res.Before) || !(res.RoadAfterM > res.RoadBeforeM) || res.Gap < 0 || res.UpperBound < res.After {
		t.Errorf("before %.0f after %.0f bound %.0f gap %v; road %.0f → %.0f m", res.Before, res.After, res.UpperBound, res.Gap, res.RoadBeforeM, res.RoadAfterM)
	}
	sum := res.Before
	for i, p := range res.Proposals {
		sum += p.Gain
		pi := geo.Point{Lon: p.Lon, Lat: p.Lat}
		if p.Gain <= 0 || p.GainRoadM <= 0 || (i > 0 && p.Gain > res.Proposals[i-1].Gain*(1+1e-9)) {
			t.Errorf("#%d gain %.1f road %.1f m (previous %.1f)", p.Rank, p.Gain, p.GainRoadM, res.Proposals[max(0, i-1)].Gain)
		}
		for _, q := range res.Proposals[:i] {
			if d := geo.Distance(pi, geo.Point{Lon: q.Lon, Lat: q.Lat}); d < spacing {
				t.Errorf("#%d and #%d are %.1f m apart", p.Rank, q.Rank, d)
			}
		}
		for _, c := range ws.Cameras {
			if d := geo.Distance(pi, c.Location); d < spacing {
				t.Errorf("#%d is %.1f m from existing camera %d", p.Rank, d, c.ID)
			}
		}
	}
	if math.Abs(sum-res.After) > 1e-6*res.After {
		t.Errorf("before + gains = %.3f, after %.3f", sum, res.After)
	}
	t.Logf("baltimore: %d pieces, %d sites, %d candidates, %d existing; %v", res.Pieces, res.CandidateSites, res.Candidates, res.Existing, elapsed.Round(time.Millisecond))
	t.Logf("weighted: total %.0f, before %.0f (%.2f %%), after %.0f (%.2f %%), bound %.0f, gap %.3f %%", res.TotalWeight, res.Before,
		100*res.Before/res.TotalWeight, res.After, 100*res.After/res.TotalWeight, res.UpperBound, 100*res.Gap)
	t.Logf("road: total %.0f m, before %.0f m, after %.0f m", res.TotalRoadM, res.RoadBeforeM, res.RoadAfterM)
	for _, p := range res.Proposals {
		t.Logf("#%d %.6f,%.6f %s %.0f° gain %.0f (%.0f m road) share %.4f", p.Rank, p.Lon, p.Lat, p.Kind, p.DirectionDeg, p.Gain, p.GainRoadM, p.Share)
	}
}

// street is one grid with a straight west–east road from x0 to x1 metres
// (y = 0) about covOrigin, no cameras, no incidents.
func street(x0, x1 float64) *planner.Workspace {
	rd := covRoad(1, "长江路", covAt(x0, 0), covAt(x1, 0))
	rd.Travel[planner.ModeFoot.Index()] = planner.Travel{10, 10}
	return &planner.Workspace{
		Name:  "street",
		Grids: []planner.Grid{{ID: 1, Name: "A1", Polygon: covRect(-300, -300, 300, 300)}},
		Roads: []planner.Road{rd},
	}
}

func propAt(p planner.CameraProposal) geo.Point { return geo.Point{Lon: p.Lon, Lat: p.Lat} }

// xOf returns a proposal's metres east of covOrigin.
func xOf(p planner.CameraProposal) float64 {
	return geo.NewProjection(covOrigin).Forward(propAt(p)).X
}

// TestSiteCamerasStreet: on one straight 395 m road the first pick covers
// the most any candidate covers alone, gains do not increase, and with a
// minimum spacing of 100 m two picks are at least 100 m apart.
func TestSiteCamerasStreet(t *testing.T) {
	ctx := context.Background()
	ws := street(-197.5, 197.5)
	opt := planner.CameraSitingOptions{Count: 4, Seed: 1}
	res, err := planner.SiteCameras(ctx, ws, opt)
	if err != nil {
		t.Fatal(err)
	}
	p, err := planner.CameraCoverProblem(ctx, ws, opt)
	if err != nil {
		t.Fatal(err)
	}
	best := 0.0
	for _, c := range p.Covers {
		w := 0.0
		for _, i := range c {
			w += p.Weights[i]
		}
		best = math.Max(best, w)
	}
	within(t, "total road", res.TotalRoadM, 395, 3e-3) // haversine vs the local projection
	within(t, "total weight (no incidents: road metres)", res.TotalWeight, res.TotalRoadM, 1e-9)
	if res.Before != 0 || len(res.Proposals) != 4 || len(p.Weights) != 40 || res.CandidateSites != 8 {
		t.Fatalf("before %v, %d proposals, %d pieces, %d sites", res.Before, len(res.Proposals), len(p.Weights), res.CandidateSites)
	}
	// Pieces of 9.86 m; the 8 mid-block candidates, 49.3 m apart, stand on
	// piece midpoints. A 30 m dome sees 7 pieces (midpoints within 29.6 m),
	// a 40 m fixed camera facing along the road at most 5.
	piece := res.TotalRoadM / 40
	within(t, "first gain", res.Proposals[0].Gain, best, 1e-9)
	within(t, "first gain", res.Proposals[0].Gain, 7*piece, 1e-9)
	if res.Proposals[0].Kind != planner.CameraDome || res.Proposals[0].RangeM != planner.DefaultDomeRange || res.Proposals[0].FOVDeg != 360 {
		t.Errorf("first pick %+v, want a dome of the default range", res.Proposals[0])
	}
	for i := 1; i < len(res.Proposals); i++ {
		if res.Proposals[i].Gain > res.Proposals[i-1].Gain+1e-9 {
			t.Errorf("gain %d %.2f > gain %d %.2f", i+1, res.Proposals[i].Gain, i, res.Proposals[i-1].Gain)
		}
	}
	// Candidates stand on pieces 2, 7, …, 37: four disjoint dome views
	// see at most 7+7+7+6 pieces (a view at either end is cut short).
	within(t, "covered after 4", res.After, 27*piece, 1e-9)
	within(t, "road after 4", res.RoadAfterM, 27*piece, 1e-9)
	if res.UpperBound < res.After || res.Gap < 0 {
		t.Errorf("bound %v gap %v", res.UpperBound, res.Gap)
	}

	res2, err := planner.SiteCameras(ctx, ws, planner.CameraSitingOptions{Count: 2, MinSpacingM: 100, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	if len(res2.Proposals) != 2 {
		t.Fatalf("%d proposals", len(res2.Proposals))
	}
	if d := geo.Distance(propAt(res2.Proposals[0]), propAt(res2.Proposals[1])); d < 100 {
		t.Errorf("two picks %.1f m apart, want ≥ 100", d)
	}
	within(t, "covered after 2", res2.After, 14*piece, 1e-9)
}

// TestSiteCamerasExistingHalf: an existing dome seeing the west half of a
// 125 m road makes the best new camera cover the east half.
func TestSiteCamerasExistingHalf(t *testing.T) {
	ws := street(0, 125)
	ws.Cameras = []planner.Camera{{ID: 7, Location: covAt(30, 0), Kind: planner.CameraDome, FOVDeg: 360, RangeM: 30}}
	res, err := planner.SiteCameras(context.Background(), ws, planner.CameraSitingOptions{Count: 1, CandidateSpacingM: 2, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	// 13 pieces of 9.6 m; the existing dome sees pieces 0–5, a new dome
	// near x = 91 m the other 7 (their midpoints span 57.6 m).
	piece := res.TotalRoadM / 13
	if res.Pieces != 13 || res.Existing != 1 {
		t.Fatalf("%d pieces, %d existing", res.Pieces, res.Existing)
	}
	within(t, "covered before", res.Before, 6*piece, 1e-9)
	within(t, "road before", res.RoadBeforeM, 6*piece, 1e-9)
	if len(res.Proposals) != 1 {
		t.Fatalf("%d proposals", len(res.Proposals))
	}
	p := res.Proposals[0]
	within(t, "new road", p.GainRoadM, 7*piece, 1e-9)
	within(t, "covered after", res.After, res.TotalWeight, 1e-9)
	if x := xOf(p); x < 88 || x > 95 || p.Kind != planner.CameraDome {
		t.Errorf("pick %s at x = %.1f m, want a dome in the east half (88–95 m)", p.Kind, x)
	}
	within(t, "share after", p.Share, 1, 1e-9)
}

// TestSiteCamerasBuildingChangesPick: of two user candidates on a 170 m
// road (17 pieces of 9.98 m), the dome at x = 50 sees 6 pieces and wins
// over the one at x = 150 (5 pieces); a building across the road at
// x = 60–70 hides 2 of them and the dome at x = 150 wins.
func TestSiteCamerasBuildingChangesPick(t *testing.T) {
	ws := street(0, 170)
	opt := planner.CameraSitingOptions{Count: 1, Kinds: []planner.CameraKind{planner.CameraDome},
		Candidates: []geo.Point{covAt(50, 0), covAt(150, 0)}, Seed: 1}
	res, err := planner.SiteCameras(context.Background(), ws, opt)
	if err != nil {
		t.Fatal(err)
	}
	if x := xOf(res.Proposals[0]); math.Abs(x-50) > 0.01 {
		t.Fatalf("without the building: pick at x = %.1f, want 50", x)
	}
	piece := res.TotalRoadM / 17
	within(t, "gain without the building", res.Proposals[0].GainRoadM, 6*piece, 1e-9)
	ws.Buildings = []planner.Building{{ID: 1, Polygon: covRect(60, -8, 70, 8)}}
	res, err = planner.SiteCameras(context.Background(), ws, opt)
	if err != nil {
		t.Fatal(err)
	}
	if x := xOf(res.Proposals[0]); math.Abs(x-150) > 0.01 {
		t.Fatalf("with the building: pick at x = %.1f, want 150", x)
	}
	within(t, "gain with the building", res.Proposals[0].GainRoadM, 5*piece, 1e-9)
}

// TestSiteCamerasIncidentsAndHours: incident weight multiplies the length
// of the pieces within 25 m, only in the chosen hours, and draws the pick.
func TestSiteCamerasIncidentsAndHours(t *testing.T) {
	ws := street(-200, 200)
	at := func(h int) time.Time { return time.Date(2025, 3, 1, h, 0, 0, 0, time.UTC) }
	ws.Incidents = []planner.Incident{{ID: 1, Location: covAt(150, 5), Weight: 3, Time: at(23)}}
	night, err := planner.SiteCameras(context.Background(), ws, planner.CameraSitingOptions{Count: 1, Hours: []int{22, 23, 0, 1}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	// 40 pieces of 9.98 m; six come within 25 m of the incident (5 m off
	// the road): their weight is 4 × their length.
	piece := night.TotalRoadM / 40
	within(t, "total weight", night.TotalWeight, night.TotalRoadM+3*6*piece, 1e-9)
	if x := xOf(night.Proposals[0]); math.Abs(x-150) > 25 {
		t.Errorf("night pick at x = %.1f, want near the incident at 150", x)
	}
	day, err := planner.SiteCameras(context.Background(), ws, planner.CameraSitingOptions{Count: 1, Hours: []int{9}, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	within(t, "total weight by day", day.TotalWeight, day.TotalRoadM, 1e-9)
	if _, err := planner.SiteCameras(context.Background(), ws, planner.CameraSitingOptions{Count: 1, Hours: []int{24}}); err == nil {
		t.Error("hour 24 accepted")
	}
	if _, err := planner.SiteCameras(context.Background(), ws, planner.CameraSitingOptions{}); err == nil {
		t.Error("count 0 accepted")
	}
}

// TestCameraCoverProblemDeterministic: footprints computed on one or
// several goroutines give the same problem.
func TestCameraCoverProblemDeterministic(t *testing.T) {
	ws := street(-197.5, 197.5)
	ws.Roads = append(ws.Roads, covRoad(2, "北街", covAt(0, -150), covAt(0, 150)))
	ws.Roads[1].Travel = ws.Roads[0].Travel
	ws.Buildings = []planner.Building{{ID: 1, Polygon: covRect(20, 5, 60, 30)}, {ID: 2, Polygon: covRect(-60, -40, -15, -6)}}
	ws.Cameras = []planner.Camera{{ID: 1, Location: covAt(-100, 0), Kind: planner.CameraFixed, DirectionDeg: 90, FOVDeg: 60, RangeM: 40}}
	opt := planner.CameraSitingOptions{Count: 3, MinSpacingM: 30, Directions: 4, Kinds: []planner.CameraKind{planner.CameraFixed, planner.CameraDome, planner.CameraPTZ}}
	one := func() planner.CoverProblem {
		p, err := planner.CameraCoverProblem(context.Background(), ws, opt)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	a := one()
	runtime.GOMAXPROCS(4)
	b := one()
	if !reflect.DeepEqual(a.Weights, b.Weights) || !reflect.DeepEqual(a.Covers, b.Covers) || !reflect.DeepEqual(a.Fixed, b.Fixed) {
		t.Fatal("problems differ between 1 and 4 goroutines")
	}
	// The PTZ's 60 m disc beats every dome and fixed camera.
	res, err := planner.SiteCameras(context.Background(), ws, opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(a.Fixed) != 1 || res.Existing != 1 || res.Proposals[0].Kind != planner.CameraPTZ {
		t.Errorf("fixed %v, first pick %+v", a.Fixed, res.Proposals[0])
	}
	for _, p := range res.Proposals {
		if d := geo.Distance(propAt(p), ws.Cameras[0].Location); d < 30 {
			t.Errorf("#%d %.1f m from the existing camera", p.Rank, d)
		}
	}
}

// TestSiteCamerasJunctionBearings: at a junction of four 150 m arms the
// only candidate position (mid-block spacing 1 km) tries fixed cameras
// facing along each arm; the pick faces one of them and sees 4 pieces.
func TestSiteCamerasJunctionBearings(t *testing.T) {
	ws := street(0, 0)
	ws.Roads = nil
	for i, end := range []geo.Point{covAt(150, 0), covAt(0, 150), covAt(-150, 0), covAt(0, -150)} {
		rd := covRoad(int64(i+1), "", covOrigin, end)
		rd.From = 99
		rd.Travel[planner.ModeCar.Index()] = planner.Travel{10, 10}
		ws.Roads = append(ws.Roads, rd)
	}
	res, err := planner.SiteCameras(context.Background(), ws, planner.CameraSitingOptions{Count: 1, CandidateSpacingM: 1000,
		Kinds: []planner.CameraKind{planner.CameraFixed}})
	if err != nil {
		t.Fatal(err)
	}
	if res.CandidateSites != 1 || res.Candidates != 4 {
		t.Fatalf("%d sites, %d candidates; want the junction facing 4 ways", res.CandidateSites, res.Candidates)
	}
	p := res.Proposals[0]
	if d := math.Mod(p.DirectionDeg+0.5, 90); d > 1 || geo.Distance(propAt(p), covOrigin) > 0.01 {
		t.Errorf("pick %+v: want the junction facing along an arm", p)
	}
	// 15 pieces of 10 m per arm; a 40 m sector along an arm sees the 4
	// whose midpoints lie within 40 m (the arms at ±90° lie outside it).
	within(t, "gain", p.GainRoadM, 40, 5e-3) // N–S and E–W pieces differ by 0.2 % (haversine vs projection)
}
