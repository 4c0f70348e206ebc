package planner

import (
	"context"
	"math"
	"math/rand/v2"
	"reflect"
	"strconv"
	"testing"

	"github.com/tidewatch/tidewatch/geo"
)

// wilmOrigin is a street corner in downtown Wilmington, Delaware.
var wilmOrigin = geo.Point{Lon: -75.5480, Lat: 39.7447}

// wilmAt returns the point x metres east and y metres north of wilmOrigin.
func wilmAt(x, y float64) geo.Point { return geo.NewProjection(wilmOrigin).Inverse(geo.XY{X: x, Y: y}) }

// straightRoad returns a two-vertex road from a to b (metres from wilmOrigin).
func straightRoad(id int64, ax, ay, bx, by float64) Road {
	g := geo.LineString{wilmAt(ax, ay), wilmAt(bx, by)}
	return Road{ID: id, From: 2 * id, To: 2*id + 1, Geometry: g, Highway: "residential", LengthM: g.Length()}
}

// gridPointInRing is a crossing-number test kept independent of geo.
func gridPointInRing(ring geo.Ring, p geo.Point) bool {
	in := false
	for i, j := 0, len(ring)-1; i < len(ring); j, i = i, i+1 {
		a, b := ring[i], ring[j]
		if (a.Lat > p.Lat) != (b.Lat > p.Lat) &&
			p.Lon < a.Lon+(p.Lat-a.Lat)*(b.Lon-a.Lon)/(b.Lat-a.Lat) {
			in = !in
		}
	}
	return in
}

func TestGenerateGridsLongStraightRoad(t *testing.T) {
	// One 990 m east-west road with no inner vertices under a 200 m grid:
	// one row of five cells, the middle three only reachable by
	// densifying the segment.
	grids, err := GenerateGrids(context.Background(), []Road{straightRoad(1, 0, 0, 990, 0)}, 200, GridSquare)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for i, g := range grids {
		if g.ID != int64(i+1) || !g.Generated || len(g.Polygon) != 1 || len(g.Polygon[0]) != 5 {
			t.Errorf("grid %d: %+v", i, g)
		}
		names = append(names, g.Name)
	}
	want := []string{"网格 A1", "网格 A2", "网格 A3", "网格 A4", "网格 A5"}
	if !reflect.DeepEqual(names, want) {
		t.Errorf("names %q, want %q", names, want)
	}
}

func TestGenerateGridsKeepsCrossedCells(t *testing.T) {
	// Straight roads at assorted angles over about 3 km: a straight
	// segment crosses a convex cell at most once, so 1 m samples measure
	// each crossing's length.
	roads := []Road{
		straightRoad(1, 0, 0, 3000, 2200),
		straightRoad(2, 0, 3000, 2900, 100),
		straightRoad(3, 300, -200, 400, 3100),
		straightRoad(4, 1500, 1400, 1620, 1450), // short, inside one or two cells
		straightRoad(5, -100, 1234, 3050, 1234),
	}
	b := geo.EmptyBound()
	for _, r := range roads {
		b = b.Union(r.Geometry.Bound())
	}
	for _, tc := range []struct {
		shape string
		size  float64
		cells []geo.Polygon
	}{
		{GridSquare, 250, geo.SquareCells(b, 250)},
		{GridHex, 300, geo.HexCells(b, 300)},
	} {
		t.Run(tc.shape, func(t *testing.T) {
			grids, err := GenerateGrids(context.Background(), roads, tc.size, tc.shape)
			if err != nil {
				t.Fatal(err)
			}
			kept := map[int]bool{}
			for _, g := range grids {
				i := indexOfPolygon(tc.cells, g.Polygon)
				if i < 0 || kept[i] {
					t.Fatalf("grid %s is not a distinct cell of the tiling", g.Name)
				}
				kept[i] = true
			}
			// chord[i] is the longest crossing of cell i by one road, metres.
			chord := make([]float64, len(tc.cells))
			for _, r := range roads {
				run := make([]float64, len(tc.cells))
				a, z := r.Geometry[0], r.Geometry[1]
				n := int(r.LengthM)
				for k := 0; k <= n; k++ {
					f := float64(k) / float64(n)
					p := geo.Point{Lon: a.Lon + f*(z.Lon-a.Lon), Lat: a.Lat + f*(z.Lat-a.Lat)}
					for i, c := range tc.cells {
						if gridPointInRing(c[0], p) {
							run[i] += r.LengthM / float64(n)
						}
					}
				}
				for i := range chord {
					chord[i] = math.Max(chord[i], run[i])
				}
			}
			crossed := 0
			for i, c := range chord {
				if c > 0 {
					crossed++
				}
				if kept[i] && c == 0 {
					t.Errorf("cell %d kept but no road passes through it", i)
				}
				if !kept[i] && c >= tc.size/4+2 {
					t.Errorf("cell %d dropped though a road crosses it for %.0f m", i, c)
				}
			}
			t.Logf("%s %gm: %d of %d cells kept, %d touched by a road", tc.shape, tc.size, len(grids), len(tc.cells), crossed)
			if len(grids) == 0 || len(grids) > len(tc.cells)/2 {
				t.Errorf("kept %d of %d cells; five thin roads should keep a minority", len(grids), len(tc.cells))
			}
		})
	}
}

// indexOfPolygon returns the index of pg in cells, or -1.
func indexOfPolygon(cells []geo.Polygon, pg geo.Polygon) int {
	for i, c := range cells {
		if reflect.DeepEqual(c, pg) {
			return i
		}
	}
	return -1
}

func TestGenerateGridsErrors(t *testing.T) {
	ctx := context.Background()
	roads := []Road{straightRoad(1, 0, 0, 500, 500)}
	for _, tc := range []struct {
		name  string
		roads []Road
		size  float64
		shape string
	}{
		{"too small", roads, 49, GridSquare},
		{"too large", roads, 10001, GridHex},
		{"NaN size", roads, math.NaN(), GridSquare},
		{"bad shape", roads, 500, "triangle"},
		{"no roads", nil, 500, GridSquare},
		{"no geometry", []Road{{ID: 1}}, 500, GridSquare},
		{"too many cells", []Road{straightRoad(1, 0, 0, 200000, 200000)}, 50, GridSquare},
	} {
		if _, err := GenerateGrids(ctx, tc.roads, tc.size, tc.shape); ErrorCode(err) != EINVALID {
			t.Errorf("%s: err = %v, want %s", tc.name, err, EINVALID)
		}
	}
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := GenerateGrids(cancelled, roads, 500, GridHex); err != context.Canceled {
		t.Errorf("cancelled: err = %v", err)
	}
}

func TestGridLabel(t *testing.T) {
	for _, tc := range []struct {
		row, col int
		want     string
	}{
		{0, 0, "A1"}, {2, 11, "C12"}, {25, 0, "Z1"}, {26, 2, "AA3"},
		{51, 0, "AZ1"}, {52, 0, "BA1"}, {701, 9, "ZZ10"}, {702, 0, "AAA1"},
	} {
		if got := GridLabel(tc.row, tc.col); got != tc.want {
			t.Errorf("GridLabel(%d,%d) = %q, want %q", tc.row, tc.col, got, tc.want)
		}
	}
}

// cityRoads returns an n × n street lattice with blocks of about spacing
// metres, its nodes jittered by up to a fifth of a block, every tenth
// street primary: a stand-in for a city's network in benchmarks.
func cityRoads(n int, spacing float64) []Road {
	rng := rand.New(rand.NewPCG(42, 42))
	pts := make([]geo.Point, n*n)
	for i := range pts {
		x, y := float64(i%n)*spacing, float64(i/n)*spacing
		pts[i] = wilmAt(x+(rng.Float64()-0.5)*spacing/5, y+(rng.Float64()-0.5)*spacing/5)
	}
	var roads []Road
	add := func(a, b int, major bool) {
		g := geo.LineString{pts[a], pts[b]}
		hw := "residential"
		if major {
			hw = "primary"
		}
		roads = append(roads, Road{ID: int64(len(roads) + 1), From: int64(a), To: int64(b), Geometry: g, Highway: hw, LengthM: g.Length()})
	}
	for i := range pts {
		if i%n+1 < n {
			add(i, i+1, (i/n)%10 == 0)
		}
		if i+n < len(pts) {
			add(i, i+n, (i%n)%10 == 0)
		}
	}
	return roads
}

func BenchmarkGenerateGrids(b *testing.B) {
	roads := cityRoads(120, 80) // 9.5 km square, 28,560 roads, 2,280 km
	for _, size := range []float64{50, 500} {
		b.Run(strconv.FormatFloat(size, 'f', 0, 64), func(b *testing.B) {
			for b.Loop() {
				if _, err := GenerateGrids(context.Background(), roads, size, GridHex); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
