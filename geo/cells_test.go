package geo

import (
	"math"
	"math/rand/v2"
	"testing"
)

// cellsBound is an 8.5 km × 8.9 km box over Wilmington, Delaware.
var cellsBound = Bound{Min: Point{-75.60, 39.70}, Max: Point{-75.50, 39.78}}

// cellsRingAreaM2 returns the signed shoelace area of ring in square metres,
// measured in a projection about the ring's own first vertex (positive
// for counter-clockwise rings).
func cellsRingAreaM2(ring Ring) float64 {
	pr := NewProjection(ring[0])
	var a float64
	for i := 1; i < len(ring); i++ {
		p, q := pr.Forward(ring[i-1]), pr.Forward(ring[i])
		a += p.X*q.Y - q.X*p.Y
	}
	return a / 2
}

// cellsInRing is an independent crossing-number point-in-ring test in degrees.
func cellsInRing(ring Ring, p Point) bool {
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

// cellsContaining returns the indexes of every cell whose ring contains p.
func cellsContaining(cells []Polygon, bounds []Bound, p Point) []int {
	var out []int
	for i, c := range cells {
		if bounds[i].Contains(p) && cellsInRing(c[0], p) {
			out = append(out, i)
		}
	}
	return out
}

func TestCellAreas(t *testing.T) {
	for _, tc := range []struct {
		name  string
		cells func(Bound, float64) []Polygon
		size  float64
		want  float64
		verts int
	}{
		{"square", SquareCells, 250, 250 * 250, 5},
		{"hex", HexCells, 300, math.Sqrt(3) / 2 * 300 * 300, 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cells := tc.cells(cellsBound, tc.size)
			if len(cells) < 100 {
				t.Fatalf("%d cells, want a city's worth", len(cells))
			}
			worst := 0.0
			for i, c := range cells {
				if len(c) != 1 || len(c[0]) != tc.verts || c[0][0] != c[0][len(c[0])-1] {
					t.Fatalf("cell %d: want one closed ring of %d positions, got %v", i, tc.verts, c)
				}
				a := cellsRingAreaM2(c[0])
				if a <= 0 {
					t.Fatalf("cell %d: area %.1f m², want a counter-clockwise ring", i, a)
				}
				worst = math.Max(worst, math.Abs(a/tc.want-1))
			}
			if worst > 0.005 {
				t.Errorf("worst relative area error %.4f, want ≤ 0.5 %%", worst)
			}
			t.Logf("%d cells, worst area error %.4f %%", len(cells), worst*100)
		})
	}
}

func TestCellsTileBound(t *testing.T) {
	for _, tc := range []struct {
		name string
		lat  func(Bound, float64) Lattice
		size float64
	}{
		{"square", NewSquareLattice, 400},
		{"hex", NewHexLattice, 500},
		{"hex-coarse", NewHexLattice, 3000}, // few rows: edge rows matter
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := tc.lat(cellsBound, tc.size)
			cells := l.Cells()
			bounds := make([]Bound, len(cells))
			for i, c := range cells {
				bounds[i] = c.Bound()
			}
			rng := rand.New(rand.NewPCG(1, 2))
			w, h := cellsBound.Max.Lon-cellsBound.Min.Lon, cellsBound.Max.Lat-cellsBound.Min.Lat
			pts := []Point{cellsBound.Min, cellsBound.Max, {cellsBound.Min.Lon, cellsBound.Max.Lat},
				{cellsBound.Max.Lon, cellsBound.Min.Lat}}
			for range 4000 {
				pts = append(pts, Point{cellsBound.Min.Lon + rng.Float64()*w, cellsBound.Min.Lat + rng.Float64()*h})
			}
			for _, p := range pts {
				in := cellsContaining(cells, bounds, p)
				if len(in) != 1 {
					t.Fatalf("point %v lies in cells %v, want exactly one", p, in)
				}
				r, c, ok := l.Locate(p)
				if !ok || r*l.Cols()+c != in[0] {
					t.Fatalf("Locate(%v) = %d,%d,%v; ring test says cell %d", p, r, c, ok, in[0])
				}
			}
		})
	}
}

func TestCellsRowMajorAndTight(t *testing.T) {
	pr := NewProjection(cellsBound.Center())
	lo, hi := pr.Forward(cellsBound.Min), pr.Forward(cellsBound.Max)
	const size = 500.0
	l := NewSquareLattice(cellsBound, size)
	if want := int(math.Ceil((hi.X - lo.X) / size)); l.Cols() != want {
		t.Errorf("square cols = %d, want %d", l.Cols(), want)
	}
	if want := int(math.Ceil((hi.Y - lo.Y) / size)); l.Rows() != want {
		t.Errorf("square rows = %d, want %d", l.Rows(), want)
	}
	for _, l := range []Lattice{l, NewHexLattice(cellsBound, size)} {
		cells := l.Cells()
		if len(cells) != l.Rows()*l.Cols() {
			t.Fatalf("%d cells, want %d×%d", len(cells), l.Rows(), l.Cols())
		}
		for i := 1; i < len(cells); i++ {
			a, b := cells[i-1].Bound().Center(), cells[i].Bound().Center()
			if i%l.Cols() != 0 && !(b.Lon > a.Lon) {
				t.Fatalf("hex=%v cell %d not east of cell %d", l.Hex(), i, i-1)
			}
			if i%l.Cols() == 0 && !(b.Lat < a.Lat) {
				t.Fatalf("hex=%v row starting at cell %d not south of the previous row", l.Hex(), i)
			}
		}
		// No whole row or column of cells lies outside the bound.
		first, last := cells[0].Bound(), cells[len(cells)-1].Bound()
		if first.Max.Lat <= cellsBound.Max.Lat || first.Min.Lat >= cellsBound.Max.Lat ||
			last.Min.Lat >= cellsBound.Min.Lat || last.Max.Lat <= cellsBound.Min.Lat {
			t.Errorf("hex=%v first/last rows %v / %v do not straddle the bound's edges", l.Hex(), first, last)
		}
	}
}

func TestCellsDegenerate(t *testing.T) {
	if c := SquareCells(EmptyBound(), 100); len(c) != 0 {
		t.Errorf("empty bound: %d cells", len(c))
	}
	for _, s := range []float64{0, -5, math.NaN(), math.Inf(1)} {
		if c := HexCells(cellsBound, s); len(c) != 0 {
			t.Errorf("size %v: %d cells", s, len(c))
		}
	}
	p := Point{-75.55, 39.74}
	for _, cells := range [][]Polygon{SquareCells(Bound{p, p}, 100), HexCells(Bound{p, p}, 100)} {
		if len(cells) != 1 || !cellsInRing(cells[0][0], p) {
			t.Errorf("point bound: want one cell around the point, got %v", cells)
		}
	}
	if _, _, ok := NewSquareLattice(cellsBound, 1000).Locate(Point{-75.7, 39.74}); ok {
		t.Error("Locate found a cell for a point 8 km outside the lattice")
	}
}
