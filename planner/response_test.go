package planner_test

import (
	"context"
	"math"
	"testing"

	osmfile "github.com/tidewatch/tidewatch/data/osm"
	"github.com/tidewatch/tidewatch/data/sharedtest"
	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// baltimore assembles the Baltimore downtown workspace (OSM police as kiosks,
// generated 500 m grids).
func baltimore(t testing.TB) *planner.Workspace {
	t.Helper()
	x, err := osmfile.ReadFile(context.Background(), sharedtest.Path(t, "osm/baltimore_downtown.osm.pbf"), osmfile.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ws, _, err := planner.Assemble(context.Background(), planner.Parts{Name: "baltimore", Roads: x.Roads,
		OSMKiosks: x.Kiosks, OSMSites: x.Sites}, planner.AssembleOptions{GridSizeM: 500})
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// segmentIndex indexes the segments of lines for nearest-distance queries.
type segmentIndex struct {
	segs [][2]geo.Point
	ix   *geo.Index
}

func newSegmentIndex(lines []geo.LineString) *segmentIndex {
	si := &segmentIndex{}
	for _, ls := range lines {
		for i := 1; i < len(ls); i++ {
			si.segs = append(si.segs, [2]geo.Point{ls[i-1], ls[i]})
		}
		if len(ls) == 1 {
			si.segs = append(si.segs, [2]geo.Point{ls[0], ls[0]})
		}
	}
	si.ix = geo.NewIndex(len(si.segs), func(i int) geo.Bound {
		return geo.EmptyBound().Extend(si.segs[i][0]).Extend(si.segs[i][1])
	})
	return si
}

// nearest returns the distance in metres from p to the closest segment
// within 200 m (+Inf beyond).
func (si *segmentIndex) nearest(p geo.Point) float64 {
	pr := geo.NewProjection(p)
	kx, ky := pr.MetresPerDegree()
	d := 200.0
	box := geo.Bound{Min: geo.Point{Lon: p.Lon - d/kx, Lat: p.Lat - d/ky}, Max: geo.Point{Lon: p.Lon + d/kx, Lat: p.Lat + d/ky}}
	best := math.Inf(1)
	for _, i := range si.ix.Search(box) {
		a, b := pr.Forward(si.segs[i][0]), pr.Forward(si.segs[i][1])
		dx, dy := b.X-a.X, b.Y-a.Y
		t := 0.0
		if l2 := dx*dx + dy*dy; l2 > 0 {
			t = math.Max(0, math.Min(1, (-a.X*dx-a.Y*dy)/l2))
		}
		best = math.Min(best, math.Hypot(a.X+t*dx, a.Y+t*dy))
	}
	return best
}

// area is a multipolygon with an index over its boundary, to test points
// inside or on the boundary.
type area struct {
	mp       geo.MultiPolygon
	boundary *segmentIndex
}

func newArea(mp geo.MultiPolygon) *area {
	var rings []geo.LineString
	for _, pg := range mp {
		for _, r := range pg {
			rings = append(rings, geo.LineString(r))
		}
	}
	return &area{mp: mp, boundary: newSegmentIndex(rings)}
}

// covers reports whether p lies in the area or within tolM metres of its boundary.
func (a *area) covers(p geo.Point, tolM float64) bool {
	for _, pg := range a.mp {
		if pg.Contains(p) {
			return true
		}
	}
	return a.boundary.nearest(p) <= tolM
}

// densify returns points every stepM metres along every line, ends included.
func densify(lines []geo.LineString, stepM float64) []geo.Point {
	var out []geo.Point
	for _, ls := range lines {
		for i := 1; i < len(ls); i++ {
			n := int(math.Ceil(geo.Distance(ls[i-1], ls[i]) / stepM))
			for k := 0; k <= n; k++ {
				f := float64(k) / math.Max(1, float64(n))
				out = append(out, geo.Point{Lon: ls[i-1].Lon + f*(ls[i].Lon-ls[i-1].Lon), Lat: ls[i-1].Lat + f*(ls[i].Lat-ls[i-1].Lat)})
			}
		}
	}
	return out
}

func TestRingsBaltimoreContainTightNest(t *testing.T) {
	ws := baltimore(t)
	r, err := planner.NewReach(context.Background(), ws, planner.ResponseOptions{Mode: planner.ModeCar})
	if err != nil {
		t.Fatal(err)
	}
	rings := r.Rings()
	if len(rings) != 3 {
		t.Fatalf("%d rings, want 3", len(rings))
	}
	for i, ring := range rings {
		if len(ring.Polygon) == 0 || ring.RoadKm <= 0 {
			t.Fatalf("tier %g: empty ring", ring.Minutes)
		}
		if i > 0 && ring.RoadKm < rings[i-1].RoadKm {
			t.Errorf("tier %g reaches %.1f km, less than tier %g", ring.Minutes, ring.RoadKm, rings[i-1].Minutes)
		}
		for _, pg := range ring.Polygon {
			if err := geo.ValidatePolygon(pg); err != nil {
				t.Fatalf("tier %g: invalid polygon: %v", ring.Minutes, err)
			}
		}
		// Containment: every reached road point (every 5 m) lies in the ring.
		ar := newArea(ring.Polygon)
		outside := 0
		pts := densify(ring.Lines, 5)
		for _, p := range pts {
			if !ar.covers(p, 1e-3) {
				outside++
			}
		}
		if outside > 0 {
			t.Errorf("tier %g: %d of %d reached road points outside the ring", ring.Minutes, outside, len(pts))
		}
		// Tightness: no ring vertex or edge point is more than 60 m from a reached road.
		si := newSegmentIndex(ring.Lines)
		worst := 0.0
		for _, pg := range ring.Polygon {
			for _, rg := range pg {
				for _, p := range densify([]geo.LineString{geo.LineString(rg)}, 10) {
					worst = math.Max(worst, si.nearest(p))
				}
			}
		}
		if worst > 60 {
			t.Errorf("tier %g: a ring point lies %.1f m from the nearest reached road (limit 60 m)", ring.Minutes, worst)
		}
		t.Logf("tier %g min: %.1f km of road, %d polygons, farthest boundary point %.1f m from a reached road", ring.Minutes, ring.RoadKm, len(ring.Polygon), worst)
	}
	// Nesting: every vertex of an inner ring lies in the next outer ring.
	for i := 1; i < len(rings); i++ {
		outer := newArea(rings[i].Polygon)
		bad := 0
		for _, pg := range rings[i-1].Polygon {
			for _, rg := range pg {
				for _, p := range rg {
					if !outer.covers(p, 1e-3) {
						bad++
					}
				}
			}
		}
		if bad > 0 {
			t.Errorf("%d vertices of the %g-minute ring lie outside the %g-minute ring", bad, rings[i-1].Minutes, rings[i].Minutes)
		}
	}
}

func TestResponseReportBaltimore(t *testing.T) {
	ws := baltimore(t)
	rep, err := planner.Response(context.Background(), ws, planner.ResponseOptions{Mode: planner.ModeCar})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Kiosks) != 5 || len(rep.Grids) != len(ws.Grids) || len(rep.Sites) != len(ws.Sites) {
		t.Fatalf("report sizes: %d kiosks %d grids %d sites", len(rep.Kiosks), len(rep.Grids), len(rep.Sites))
	}
	// Generated grids cover every road, so per-grid sums match the network
	// and each tier's exact road length to within the 10 m attribution step.
	var road float64
	reached := make([]float64, len(rep.Minutes))
	for _, g := range rep.Grids {
		road += g.RoadM
		for k := range rep.Minutes {
			reached[k] += g.ReachedM[k]
			if g.Share[k] < 0 || g.Share[k] > 1+1e-9 || (k > 0 && g.Share[k] < g.Share[k-1]) {
				t.Fatalf("grid %d: shares %v not within 0..1 and rising", g.GridID, g.Share)
			}
		}
		if g.BackupShare > g.Share[len(g.Share)-1]+1e-9 {
			t.Errorf("grid %d: backup share %.3f above its 5-minute share %.3f", g.GridID, g.BackupShare, g.Share[len(g.Share)-1])
		}
	}
	if math.Abs(road/1000-rep.NetworkKm) > 0.001*rep.NetworkKm {
		t.Errorf("grids hold %.2f km of road, the network %.2f km", road/1000, rep.NetworkKm)
	}
	for k, tier := range rep.Tiers {
		if math.Abs(reached[k]/1000-tier.RoadKm) > 0.01*tier.RoadKm {
			t.Errorf("tier %g: grids sum to %.2f km, the exact reach is %.2f km", tier.Minutes, reached[k]/1000, tier.RoadKm)
		}
	}
	// Site verdicts agree with their times, and the count of failures adds up.
	failing := 0
	for _, s := range rep.Sites {
		if s.OK != (s.Seconds != nil && *s.Seconds <= float64(s.Tier)*60) {
			t.Errorf("site %d: ok=%v with %v s against tier %d", s.SiteID, s.OK, s.Seconds, s.Tier)
		}
		if !s.OK {
			failing++
		}
	}
	if failing != rep.FailingSites || failing == 0 || failing == len(rep.Sites) {
		t.Errorf("failing sites %d (report %d) of %d", failing, rep.FailingSites, len(rep.Sites))
	}
	// A single kiosk never gives backup.
	one, err := planner.Response(context.Background(), ws, planner.ResponseOptions{Mode: planner.ModeCar, KioskIDs: []int64{ws.Kiosks[0].ID}})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range one.Grids {
		if g.KiosksWithin > 1 || g.BackupShare != 0 {
			t.Fatalf("one kiosk gives grid %d backup: %+v", g.GridID, g)
		}
	}
	if _, err := planner.Response(context.Background(), ws, planner.ResponseOptions{KioskIDs: []int64{999}}); planner.ErrorCode(err) != planner.ENOTFOUND {
		t.Errorf("unknown kiosk: %v", err)
	}
	if _, err := planner.Response(context.Background(), ws, planner.ResponseOptions{Minutes: []float64{-1}}); planner.ErrorCode(err) != planner.EINVALID {
		t.Errorf("negative tier: %v", err)
	}
}

// BenchmarkRingsBaltimore times the whole ring job on Baltimore: network,
// snapping, one multi-source search from all kiosks, and the nested 1/3/5
// polygons (the target: under 200 ms).
func BenchmarkRingsBaltimore(b *testing.B) {
	ws := baltimore(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		r, err := planner.NewReach(context.Background(), ws, planner.ResponseOptions{Mode: planner.ModeCar})
		if err != nil {
			b.Fatal(err)
		}
		if rings := r.Rings(); len(rings) != 3 {
			b.Fatal("want 3 rings")
		}
	}
}

// BenchmarkResponseBaltimore times the full response report (rings' road
// lengths, per-grid shares, one search per kiosk for backup, site times).
func BenchmarkResponseBaltimore(b *testing.B) {
	ws := baltimore(b)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := planner.Response(context.Background(), ws, planner.ResponseOptions{Mode: planner.ModeCar}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkIsochronesBaltimore runs one 300 s car search from each police
// station of Baltimore downtown (snapped to its road), plus the 1, 3 and 5
// minute reached pieces: compare with data/postgis
// BenchmarkPgrDrivingDistance, the same job in pgRouting.
func BenchmarkIsochronesBaltimore(b *testing.B) {
	ws := baltimore(b)
	net := planner.NewNetwork(ws, planner.ModeCar)
	var starts []geo.Start
	for _, k := range ws.Kiosks {
		if sn, ok := net.Graph.Snap(k.Location, 500); ok {
			starts = append(starts, sn.Start())
		}
	}
	s := geo.NewSearch(net.Graph)
	settled := 0
	for b.Loop() {
		for _, st := range starts {
			settled += s.Run([]geo.Start{st}, 300)
			for _, lim := range []float64{60, 180, 300} {
				_ = s.Reached(lim)
			}
		}
	}
	b.ReportMetric(float64(settled)/b.Elapsed().Seconds(), "nodes/s")
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(starts)), "µs/isochrone")
}
