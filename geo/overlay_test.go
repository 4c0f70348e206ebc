package geo

import (
	"math"
	"math/rand"
	"testing"
)

// ovOrigin anchors the overlay tests' local metres (Beijing).
var ovOrigin = Point{116.40, 39.90}

var ovProj = NewProjection(ovOrigin)

// ovRing builds a closed lon,lat ring from metre coordinates x0,y0,x1,y1,…
// about ovOrigin.
func ovRing(xy ...float64) Ring {
	r := make(Ring, 0, len(xy)/2+1)
	for i := 0; i+1 < len(xy); i += 2 {
		r = append(r, ovProj.Inverse(XY{xy[i], xy[i+1]}))
	}
	return append(r, r[0])
}

// ovRect is the counter-clockwise rectangle [x0,x1]×[y0,y1] in metres.
func ovRect(x0, y0, x1, y1 float64) Ring { return ovRing(x0, y0, x1, y0, x1, y1, x0, y1) }

// ovSq is the rectangle as a polygon.
func ovSq(x0, y0, x1, y1 float64) Polygon { return Polygon{ovRect(x0, y0, x1, y1)} }

// ovCheck asserts that every polygon is valid, shells run
// counter-clockwise and holes clockwise, and returns the area.
func ovCheck(t *testing.T, name string, mp MultiPolygon) float64 {
	t.Helper()
	for i, pg := range mp {
		if err := ValidatePolygon(pg); err != nil {
			t.Errorf("%s: polygon %d invalid: %v", name, i, err)
		}
		for j, r := range pg {
			if a := r.SignedArea(); (j == 0) != (a > 0) {
				t.Errorf("%s: polygon %d ring %d has signed area %g", name, i, j, a)
			}
		}
	}
	return mp.Area()
}

func ovNear(t *testing.T, name string, got, want, rel float64) {
	t.Helper()
	if math.Abs(got-want) > rel*math.Max(1, math.Abs(want)) {
		t.Errorf("%s = %.6f, want %.6f (±%g relative)", name, got, want, rel)
	}
}

func TestOverlayAnalytic(t *testing.T) {
	before := overlayFallbacks.Load()
	// Areas are exact in the projection about ovOrigin; MultiPolygon.Area
	// follows the latitude, which differs by under 1e-5 over 200 m.
	const rel = 2e-5
	a, b := ovSq(0, 0, 100, 100), ovSq(50, 50, 150, 150)
	A, B := MultiPolygon{a}, MultiPolygon{b}

	u := UnionPolygons([]Polygon{a, b})
	ovNear(t, "overlap union", ovCheck(t, "overlap union", u), 17500, rel)
	if len(u) != 1 || len(u[0]) != 1 || len(u[0][0]) != 9 {
		t.Errorf("overlap union: want one 8-corner polygon, got %v", u)
	}
	ovNear(t, "overlap intersection", ovCheck(t, "i", Intersection(A, B)), 2500, rel)
	ovNear(t, "overlap difference", ovCheck(t, "d", Difference(A, B)), 7500, rel)
	ovNear(t, "overlap difference b-a", ovCheck(t, "d", Difference(B, A)), 7500, rel)

	// Disjoint.
	c := ovSq(300, 0, 350, 40)
	u = UnionPolygons([]Polygon{a, c})
	if len(u) != 2 {
		t.Errorf("disjoint union: %d polygons, want 2", len(u))
	}
	ovNear(t, "disjoint union", ovCheck(t, "u", u), 12000, rel)
	if got := Intersection(A, MultiPolygon{c}); len(got) != 0 {
		t.Errorf("disjoint intersection = %v, want empty", got)
	}
	ovNear(t, "disjoint difference", ovCheck(t, "d", Difference(A, MultiPolygon{c})), 10000, rel)

	// Touching along an edge: the union is one polygon, the intersection
	// (a segment) is empty.
	e := ovSq(100, 0, 200, 100)
	u = UnionPolygons([]Polygon{a, e})
	if len(u) != 1 || len(u[0]) != 1 {
		t.Errorf("edge-sharing union: want one polygon without holes, got %d", len(u))
	}
	ovNear(t, "edge-sharing union", ovCheck(t, "u", u), 20000, rel)
	if got := Intersection(A, MultiPolygon{e}); len(got) != 0 {
		t.Errorf("edge-sharing intersection = %v, want empty", got)
	}

	// Nested: the difference has a hole.
	n := ovSq(20, 30, 60, 50)
	ovNear(t, "nested union", ovCheck(t, "u", UnionPolygons([]Polygon{a, n})), 10000, rel)
	ovNear(t, "nested intersection", ovCheck(t, "i", Intersection(A, MultiPolygon{n})), 800, rel)
	d := Difference(A, MultiPolygon{n})
	ovNear(t, "nested difference", ovCheck(t, "d", d), 9200, rel)
	if len(d) != 1 || len(d[0]) != 2 {
		t.Errorf("nested difference: want one polygon with one hole, got %d polygons", len(d))
	}
	if got := Difference(MultiPolygon{n}, A); len(got) != 0 {
		t.Errorf("inner minus outer = %v, want empty", got)
	}

	// With holes: a frame 0..100 with a hole 25..75.
	frame := Polygon{ovRect(0, 0, 100, 100), ovRing(25, 25, 25, 75, 75, 75, 75, 25)}
	F := MultiPolygon{frame}
	ovNear(t, "frame area", F.Area(), 7500, rel)
	ovNear(t, "frame area vs Polygon.Area", F.Area(), frame.Area(), 1e-8)
	island := ovSq(40, 40, 60, 60)
	u = UnionPolygons([]Polygon{frame, island})
	ovNear(t, "frame+island union", ovCheck(t, "u", u), 7900, rel)
	if len(u) != 2 {
		t.Errorf("frame+island union: %d polygons, want 2", len(u))
	}
	if got := Intersection(F, MultiPolygon{island}); len(got) != 0 {
		t.Errorf("island in hole intersection = %v, want empty", got)
	}
	half := MultiPolygon{ovSq(-10, -10, 50, 110)}
	ovNear(t, "frame ∩ west half", ovCheck(t, "i", Intersection(F, half)), 5000-1250, rel)
	ovNear(t, "frame − west half", ovCheck(t, "d", Difference(F, half)), 5000-1250, rel)
	// Filling the hole removes it.
	plug := ovSq(20, 20, 80, 80)
	u = UnionPolygons([]Polygon{frame, plug})
	ovNear(t, "frame+plug", ovCheck(t, "u", u), 10000, rel)
	if len(u) != 1 || len(u[0]) != 1 {
		t.Errorf("frame+plug: want one polygon without holes, got %v", u)
	}

	// Many touching cells union to one square.
	var cells []Polygon
	for i := 0; i < 10; i++ {
		for j := 0; j < 10; j++ {
			cells = append(cells, ovSq(float64(i)*10, float64(j)*10, float64(i+1)*10, float64(j+1)*10))
		}
	}
	u = UnionPolygons(cells)
	ovNear(t, "100 cells", ovCheck(t, "cells", u), 10000, rel)
	if len(u) != 1 || len(u[0]) != 1 {
		t.Errorf("100 cells: want one polygon without holes, got %d polygons", len(u))
	}

	if UnionPolygons(nil) != nil || Intersection(nil, A) != nil || Difference(nil, A) != nil {
		t.Error("empty inputs should give nil")
	}
	ovNear(t, "Difference(A, nil)", Difference(A, nil).Area(), 10000, rel)
	if got := overlayFallbacks.Load() - before; got != 0 {
		t.Errorf("valid inputs took the repair/retry path %d times", got)
	}
}

func TestOverlayInvalidInputs(t *testing.T) {
	// A bow-tie (self-crossing shell), a ring with NaN, an unclosed ring, a
	// two-point ring and a zero-area ring: no panic, sensible output.
	bow := Polygon{ovRing(0, 0, 100, 100, 100, 0, 0, 100)}
	nan := ovSq(0, 0, 10, 10)
	nan[0] = append(Ring{{math.NaN(), 0}}, nan[0]...)
	unclosed := Polygon{ovRect(20, 0, 30, 10)[:4]}
	twoPt := Polygon{Ring{ovOrigin, ovProj.Inverse(XY{5, 5}), ovOrigin}}
	flat := Polygon{ovRing(0, 0, 10, 0, 20, 0)}
	u := UnionPolygons([]Polygon{bow, nan, unclosed, twoPt, flat, nil, {}})
	area := ovCheck(t, "invalid union", u)
	// The bow-tie's lobes are wound oppositely and its total signed area
	// is zero; the repair keeps one lobe, the east triangle (50,50)
	// (100,100) (100,0) of 2500 m², which the two 100 m² squares (the NaN
	// one and the closed-up one) do not touch.
	ovNear(t, "invalid union", area, 2700, 2e-5)
	inEast := false
	for _, pg := range u {
		inEast = inEast || pg.Contains(ovProj.Inverse(XY{90, 50}))
	}
	if !inEast {
		t.Error("invalid union: east lobe of the bow-tie missing")
	}
	for _, pg := range []Polygon{unclosed, nan} {
		ovNear(t, "repaired square", ovCheck(t, "sq", UnionPolygons([]Polygon{pg})), 100, 2e-5)
	}
	if got := UnionPolygons([]Polygon{twoPt, flat}); got != nil {
		t.Errorf("degenerate rings: got %v, want nil", got)
	}
	// Overlapping polygons inside one operand are unioned first.
	over := MultiPolygon{ovSq(0, 0, 100, 100), ovSq(50, 0, 150, 100)}
	ovNear(t, "overlapping operand", ovCheck(t, "i", Intersection(over, MultiPolygon{ovSq(0, 0, 200, 50)})), 7500, 2e-5)
}

// ovStar returns a random star-shaped polygon about (cx,cy) metres, with
// an optional random hole; it passes ValidatePolygon.
func ovStar(rng *rand.Rand, cx, cy, r float64, hole bool) Polygon {
	for {
		n := 3 + rng.Intn(12)
		xy := make([]float64, 0, 2*n)
		for i := 0; i < n; i++ {
			a := 2 * math.Pi * (float64(i) + 0.8*rng.Float64()) / float64(n)
			rr := r * (0.5 + 0.5*rng.Float64())
			xy = append(xy, cx+rr*math.Cos(a), cy+rr*math.Sin(a))
		}
		pg := Polygon{ovRing(xy...)}
		if hole {
			h := r * 0.1
			pg = append(pg, ovRing(cx-h, cy-h, cx-h, cy+h, cx+h, cy+h, cx+h, cy-h))
		}
		if ValidatePolygon(pg) == nil {
			return pg
		}
	}
}

func TestOverlayRandomConsistency(t *testing.T) {
	before := overlayFallbacks.Load()
	rng := rand.New(rand.NewSource(7))
	for trial := 0; trial < 150; trial++ {
		var A, B MultiPolygon
		// A: up to 3 disjoint stars; B: one or two stars near them.
		for k := 0; k < 1+rng.Intn(3); k++ {
			A = append(A, ovStar(rng, float64(k)*250, 0, 100, rng.Intn(2) == 0))
		}
		for k := 0; k < 1+rng.Intn(2); k++ {
			B = append(B, ovStar(rng, float64(k)*250+rng.Float64()*150-30, rng.Float64()*160-80, 90, rng.Intn(3) == 0))
		}
		aA, aB := A.Area(), B.Area()
		U := UnionPolygons(append(append([]Polygon{}, A...), B...))
		I := Intersection(A, B)
		D := Difference(A, B)
		aU, aI, aD := ovCheck(t, "U", U), ovCheck(t, "I", I), ovCheck(t, "D", D)
		if math.Abs(aU-(aA+aB-aI)) > 1e-6*aU {
			t.Fatalf("trial %d: area(A∪B)=%.9f, area(A)+area(B)−area(A∩B)=%.9f", trial, aU, aA+aB-aI)
		}
		if math.Abs(aD-(aA-aI)) > 1e-6*aA {
			t.Fatalf("trial %d: area(A−B)=%.9f, area(A)−area(A∩B)=%.9f", trial, aD, aA-aI)
		}
		// The union is the same cascaded or accumulated one by one.
		acc := A
		for _, pg := range B {
			acc = UnionPolygons(append(append([]Polygon{}, acc...), pg))
		}
		if math.Abs(acc.Area()-aU) > 1e-6*aU {
			t.Fatalf("trial %d: sequential union %.6f, cascaded %.6f", trial, acc.Area(), aU)
		}
	}
	if got := overlayFallbacks.Load() - before; got != 0 {
		t.Errorf("valid inputs took the repair/retry path %d times", got)
	}
}

func TestMultiPolygonAreaAdditive(t *testing.T) {
	// Splitting a polygon far from the projection centre keeps the sum.
	a := ovSq(5000, 8000, 5400, 8300)
	l, r := ovSq(5000, 8000, 5123.4, 8300), ovSq(5123.4, 8000, 5400, 8300)
	whole := MultiPolygon{a}.Area()
	sum := MultiPolygon{l}.Area() + MultiPolygon{r}.Area()
	if math.Abs(whole-sum) > 1e-9*whole {
		t.Errorf("area not additive: %.9f vs %.9f", whole, sum)
	}
	ovNear(t, "area vs Polygon.Area", whole, a.Area(), 1e-8)
	// Winding does not matter; holes are subtracted.
	rev := Polygon{reversedRing(a[0])}
	ovNear(t, "reversed", MultiPolygon{rev}.Area(), whole, 1e-12)
	if got := (MultiPolygon{}).Area(); got != 0 {
		t.Errorf("empty area %g", got)
	}
}

func reversedRing(r Ring) Ring {
	out := make(Ring, len(r))
	for i, p := range r {
		out[len(r)-1-i] = p
	}
	return out
}

func TestClipLineInside(t *testing.T) {
	sq := MultiPolygon{ovSq(0, 0, 100, 100)}
	line := func(xy ...float64) LineString { return LineString(ovRing(xy...)[:len(xy)/2]) }
	type iv = [2]float64
	check := func(name string, ls LineString, mp MultiPolygon, want []iv) {
		t.Helper()
		got := ClipLineInside(ls, mp)
		if len(got) != len(want) {
			t.Errorf("%s: got %v, want %v", name, got, want)
			return
		}
		for i := range got {
			for k := 0; k < 2; k++ {
				if math.Abs(got[i][k]-want[i][k]) > 1e-6 {
					t.Errorf("%s: got %v, want %v", name, got, want)
					return
				}
			}
		}
	}
	// Crossing the square: in at 50 m, out at 150 m of a 200 m line.
	ls := line(-50, 50, 150, 50)
	L := ls.Length()
	check("crossing", ls, sq, []iv{{L / 4, 3 * L / 4}})
	// Bent line entering through the west side and leaving through the top.
	ls = line(-50, 50, 50, 50, 50, 150)
	l1, l2 := Distance(ls[0], ls[1]), Distance(ls[1], ls[2])
	check("bent", ls, sq, []iv{{l1 / 2, l1 + l2/2}})
	// Touching a corner only: nothing of positive length.
	check("corner", line(-50, 50, 50, 150), sq, nil)
	// Along the bottom edge: the boundary counts as inside.
	ls = line(-50, 0, 150, 0)
	L = ls.Length()
	check("along edge", ls, sq, []iv{{L / 4, 3 * L / 4}})
	// Entirely inside, and entirely outside.
	ls = line(10, 10, 90, 20, 30, 80)
	check("inside", ls, sq, []iv{{0, ls.Length()}})
	check("outside", line(200, 0, 300, 100), sq, nil)
	// Through a hole: two stretches.
	frame := MultiPolygon{{ovRect(0, 0, 100, 100), ovRing(25, 25, 25, 75, 75, 75, 75, 25)}}
	ls = line(-100, 50, 200, 50)
	L = ls.Length()
	check("hole", ls, frame, []iv{{L / 3, L * 125 / 300}, {L * 175 / 300, L * 2 / 3}})
	// Two squares sharing an edge merge into one stretch; a gap splits.
	two := MultiPolygon{ovSq(0, 0, 100, 100), ovSq(100, 0, 200, 100), ovSq(250, 0, 300, 100)}
	ls = line(-100, 50, 400, 50)
	L = ls.Length()
	check("adjacent", ls, two, []iv{{L / 5, L * 3 / 5}, {L * 7 / 10, L * 4 / 5}})
	// A line that re-enters: crossing a U shape twice.
	u := MultiPolygon{{ovRing(0, 0, 100, 0, 100, 100, 70, 100, 70, 30, 30, 30, 30, 100, 0, 100)}}
	ls = line(-50, 60, 150, 60)
	L = ls.Length()
	check("U", ls, u, []iv{{L / 4, L * 80 / 200}, {L * 120 / 200, L * 3 / 4}})
	if got := ClipLineInside(LineString{ovOrigin}, sq); got != nil {
		t.Errorf("one-point line: %v", got)
	}
}

// BenchmarkUnion unions 1,000 overlapping 40 m sectors scattered over
// 2 km².
func BenchmarkUnion(b *testing.B) {
	rng := rand.New(rand.NewSource(1))
	side := math.Sqrt(2e6)
	ps := make([]Polygon, 1000)
	verts := 0
	for i := range ps {
		o := ovProj.Inverse(XY{rng.Float64() * side, rng.Float64() * side})
		ps[i] = Viewshed(Sector{Origin: o, RangeM: 40, DirectionDeg: rng.Float64() * 360, FOVDeg: 60 + rng.Float64()*60}, nil)
		verts += len(ps[i][0])
	}
	var u MultiPolygon
	for b.Loop() {
		u = UnionPolygons(ps)
	}
	out := 0
	for _, pg := range u {
		for _, r := range pg {
			out += len(r)
		}
	}
	b.ReportMetric(float64(verts), "in_vertices")
	b.ReportMetric(float64(out), "out_vertices")
	b.ReportMetric(float64(len(u)), "polygons")
	b.ReportMetric(u.Area(), "m²")
}
