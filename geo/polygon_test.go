package geo

import (
	"math"
	"strings"
	"testing"
	"time"
)

// box returns a closed counter-clockwise rectangle ring (lon,lat degrees).
func box(w, s, e, n float64) Ring {
	return Ring{{w, s}, {e, s}, {e, n}, {w, n}, {w, s}}
}

func reversed(r Ring) Ring {
	out := make(Ring, len(r))
	for i, p := range r {
		out[len(r)-1-i] = p
	}
	return out
}

func TestRingArea(t *testing.T) {
	r := box(-76.62, 39.29, -76.61, 39.30) // about 861 m x 1110 m in Baltimore
	// Independent reference: area of a lat/lon box on the sphere.
	want := EarthRadius * EarthRadius * (0.01 * deg) * (math.Sin(39.30*deg) - math.Sin(39.29*deg))
	got := r.SignedArea()
	if got <= 0 || math.Abs(got-want)/want > 0.01 {
		t.Fatalf("ccw SignedArea = %.0f m², want +%.0f ±1%%", got, want)
	}
	if cw := reversed(r).SignedArea(); math.Abs(cw+got) > 1e-6 {
		t.Errorf("cw SignedArea = %.3f, want %.3f", cw, -got)
	}
	if a := reversed(r).Area(); math.Abs(a-got) > 1e-6 {
		t.Errorf("Area = %.3f, want %.3f", a, got)
	}
	if !r.Closed() || r[:4].Closed() || Ring(nil).Closed() {
		t.Error("Closed wrong")
	}
}

func TestPolygonAreaContainsCentroid(t *testing.T) {
	outer := box(0, 0, 0.02, 0.02)
	hole := reversed(box(0.005, 0.005, 0.01, 0.01)) // a quarter of a quarter: 1/16
	pg := Polygon{outer, hole}
	if got, want := pg.Area(), outer.Area()*15/16; math.Abs(got-want)/want > 1e-3 {
		t.Errorf("Area = %.0f, want %.0f", got, want)
	}
	for _, c := range []struct {
		p  Point
		in bool
	}{
		{Point{0.001, 0.001}, true},
		{Point{0.0075, 0.0075}, false}, // in the hole
		{Point{0.015, 0.0075}, true},
		{Point{0.03, 0.01}, false},
		{Point{-0.001, 0.01}, false},
	} {
		if got := pg.Contains(c.p); got != c.in {
			t.Errorf("Contains(%v) = %v, want %v", c.p, got, c.in)
		}
	}
	// Square with its lower-left quarter cut out: the centroid shifts up
	// and right by the removed area's moment. Full square centroid 0.01;
	// removed quarter centroid 0.0075 with weight 1/16 of the square.
	c := pg.Centroid()
	want := (0.01 - 0.0075/16) / (15.0 / 16)
	if math.Abs(c.Lon-want) > 1e-6 || math.Abs(c.Lat-want) > 1e-6 {
		t.Errorf("Centroid = %v, want %.7f,%.7f", c, want, want)
	}
	// Degenerate polygon: mean of positions.
	line := Polygon{{{1, 1}, {2, 2}, {3, 3}, {1, 1}}}
	if c := line.Centroid(); math.Abs(c.Lon-1.75) > 1e-6 {
		t.Errorf("degenerate Centroid = %v, want lon 1.75", c)
	}
}

func TestValidatePolygon(t *testing.T) {
	sq := box(0, 0, 1, 1)
	cases := []struct {
		name string
		pg   Polygon
		want string // "" = valid
	}{
		{"square", Polygon{sq}, ""},
		{"clockwise", Polygon{reversed(sq)}, ""},
		{"hole", Polygon{sq, box(0.2, 0.2, 0.4, 0.4)}, ""},
		{"hole touching shell corner", Polygon{sq, {{0, 0}, {0.5, 0.2}, {0.2, 0.5}, {0, 0}}}, ""},
		{"repeated position", Polygon{{{0, 0}, {1, 0}, {1, 0}, {1, 1}, {0, 0}}}, ""},
		{"no rings", Polygon{}, "no rings"},
		{"too few", Polygon{{{0, 0}, {1, 0}, {0, 0}}}, "shell: fewer than 4 positions (3)"},
		{"open", Polygon{{{0, 0}, {1, 0}, {1, 1}, {0, 1}}}, "shell: not closed"},
		{"bad coordinate", Polygon{{{0, 0}, {181, 0}, {1, 1}, {0, 0}}}, "shell position 2: invalid coordinate 181,0"},
		{"nan", Polygon{{{0, 0}, {math.NaN(), 0}, {1, 1}, {0, 0}}}, "invalid coordinate"},
		{"bow tie", Polygon{{{0, 0}, {1, 1}, {1, 0}, {0, 1}, {0, 0}}}, "shell self-intersects"},
		{"spike", Polygon{{{0, 0}, {1, 0}, {2, 0}, {1, 0}, {1, 1}, {0, 0}}}, "shell self-intersects"},
		{"self touch", Polygon{{{0, 0}, {2, 0}, {2, 2}, {1, 0}, {0, 2}, {0, 0}}}, "shell self-intersects"},
		{"collinear", Polygon{{{0, 0}, {1, 0}, {2, 0}, {0, 0}}}, "shell self-intersects"},
		{"two corners", Polygon{{{0, 0}, {1, 0}, {0, 0}, {1, 0}, {0, 0}}}, "fewer than 3 distinct"},
		{"hole outside", Polygon{sq, box(2, 2, 3, 3)}, "hole 1 outside shell"},
		{"hole crossing", Polygon{sq, box(0.5, 0.5, 1.5, 1.5)}, "shell crosses hole 1"},
		{"hole sharing edge", Polygon{sq, box(0, 0.2, 0.5, 0.5)}, "shell crosses hole 1"},
		{"hole open", Polygon{sq, {{0.2, 0.2}, {0.3, 0.2}, {0.3, 0.3}, {0.2, 0.3}}}, "hole 1: not closed"},
	}
	for _, c := range cases {
		err := ValidatePolygon(c.pg)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: unexpected error %v", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want)):
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}

// circle returns a closed ring of n positions approximating a circle of
// radius rDeg degrees about (lon,lat).
func circle(lon, lat, rDeg float64, n int) Ring {
	r := make(Ring, 0, n+1)
	for i := range n {
		a := 2 * math.Pi * float64(i) / float64(n)
		r = append(r, Point{lon + rDeg*math.Cos(a), lat + rDeg*math.Sin(a)})
	}
	return append(r, r[0])
}

func TestValidateLargeRing(t *testing.T) {
	pg := Polygon{circle(116.4, 39.9, 0.05, 50000), circle(116.4, 39.9, 0.01, 20000)}
	start := time.Now()
	if err := ValidatePolygon(pg); err != nil {
		t.Fatal(err)
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("validating 70k vertices took %v", d)
	}
	// Circle area: π r² with r in metres (the projection's metres/degree).
	kx, ky := NewProjection(Point{116.4, 39.9}).MetresPerDegree()
	want := math.Pi*0.05*0.05*kx*ky - math.Pi*0.01*0.01*kx*ky
	if got := pg.Area(); math.Abs(got-want)/want > 1e-3 {
		t.Errorf("Area = %.0f, want %.0f", got, want)
	}
}

func TestSimplify(t *testing.T) {
	pr := NewProjection(Point{121.47, 31.23})
	// A 1 km eastward line zigzagging 3 m, with a 50 m high bump at 400-600 m.
	line := func(bump bool) LineString {
		var ls LineString
		for i := 0; i <= 100; i++ {
			y := 3.0 * float64(i%2)
			if bump && i >= 40 && i <= 60 {
				y += 50
			}
			ls = append(ls, pr.Inverse(XY{float64(i) * 10, y}))
		}
		return ls
	}
	if got := line(false).Simplify(5); len(got) != 2 {
		t.Errorf("zigzag Simplify(5) kept %d positions, want 2", len(got))
	}
	ls := line(true)
	got := ls.Simplify(5)
	if len(got) < 4 || len(got) > 12 || got[0] != ls[0] || got[len(got)-1] != ls[100] {
		t.Fatalf("Simplify(5) kept %d positions: %v", len(got), got)
	}
	// Every original position lies within the tolerance of the result.
	for i, p := range ls {
		best := math.Inf(1)
		for k := 1; k < len(got); k++ {
			best = math.Min(best, segmentDistance(pr.Forward(p), pr.Forward(got[k-1]), pr.Forward(got[k])))
		}
		if best > 5+1e-9 {
			t.Errorf("position %d is %.2f m from the simplified line", i, best)
		}
	}
	if n := len(ls.Simplify(1)); n != len(ls) {
		t.Errorf("Simplify(1) kept %d of %d", n, len(ls))
	}
	if n := len(ls.Simplify(0)); n != len(ls) {
		t.Errorf("Simplify(0) kept %d", n)
	}
}
