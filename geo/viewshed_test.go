package geo

import (
	"math"
	"math/rand"
	"slices"
	"testing"
)

// vsRect is the axis-aligned obstacle [x0,x1]×[y0,y1], metres about
// ovOrigin.
func vsRect(x0, y0, x1, y1 float64) Polygon { return ovSq(x0, y0, x1, y1) }

// vsCheck asserts the viewshed is a valid counter-clockwise polygon and
// returns its area in m².
func vsCheck(t *testing.T, name string, pg Polygon) float64 {
	t.Helper()
	if err := ValidatePolygon(pg); err != nil {
		t.Fatalf("%s: invalid viewshed: %v", name, err)
	}
	if len(pg) != 1 || pg[0].SignedArea() <= 0 {
		t.Fatalf("%s: want one counter-clockwise ring", name)
	}
	return MultiPolygon{pg}.Area()
}

func TestViewshedUnobstructed(t *testing.T) {
	for _, r := range []float64{5, 40, 150, 1000} {
		for _, fov := range []float64{1, 45, 90, 179, 180, 270, 359, 360, 720} {
			for _, dir := range []float64{0, 33, -100, 725} {
				s := Sector{Origin: ovOrigin, RangeM: r, DirectionDeg: dir, FOVDeg: fov}
				a := vsCheck(t, "free", Viewshed(s, nil))
				want := math.Pi * r * r * math.Min(fov, 360) / 360
				if math.Abs(a-want) > 0.005*want || a > want*(1+1e-6) {
					t.Errorf("r=%g fov=%g dir=%g: area %.3f, want %.3f (−0.5 %%)", r, fov, dir, a, want)
				}
			}
		}
	}
	// The axis points where asked: a narrow sector facing east lies east.
	pg := Viewshed(Sector{Origin: ovOrigin, RangeM: 40, DirectionDeg: 90, FOVDeg: 10}, nil)
	c := ovProj.Forward(pg.Centroid())
	if !(c.X > 20 && math.Abs(c.Y) < 1e-6*40+1e-6) {
		t.Errorf("east-facing sector centroid at %v", c)
	}
	for _, s := range []Sector{
		{Origin: ovOrigin, RangeM: 0, FOVDeg: 90},
		{Origin: ovOrigin, RangeM: 40, FOVDeg: 0},
		{Origin: ovOrigin, RangeM: math.NaN(), FOVDeg: 90},
		{Origin: ovOrigin, RangeM: 40, FOVDeg: 90, DirectionDeg: math.Inf(1)},
		{Origin: Point{math.NaN(), 0}, RangeM: 40, FOVDeg: 90},
	} {
		if pg := Viewshed(s, nil); pg != nil {
			t.Errorf("%+v: want nil, got %d rings", s, len(pg))
		}
	}
}

func TestViewshedAnalyticShadows(t *testing.T) {
	const r = 40.0
	north := Sector{Origin: ovOrigin, RangeM: r, DirectionDeg: 0, FOVDeg: 90}
	free := vsCheck(t, "free", Viewshed(north, nil))

	// A wall across the whole sector at 20 m: the visible part is the
	// triangle origin, (−20,20), (20,20), exactly (no arc left).
	wall := vsRect(-100, 20, 100, 25)
	a := vsCheck(t, "wall", Viewshed(north, []Polygon{wall}))
	if want := 20.0 * 20.0; math.Abs(a-want) > 1e-4*want {
		t.Errorf("wall: area %.4f, want %.4f", a, want)
	}
	// A curved wall: an annulus-like ring of obstacles replaced by a
	// disc-shaped hole: a viewer in a round courtyard of radius 15 m sees
	// the courtyard only.
	court := Polygon{ovRect(-100, -100, 100, 100), circleHole(15, 256)}
	disc := Sector{Origin: ovOrigin, RangeM: r, FOVDeg: 360}
	a = vsCheck(t, "courtyard", Viewshed(disc, []Polygon{court}))
	if want := (MultiPolygon{{court[1]}}).Area(); math.Abs(a-want) > 1e-6*want {
		t.Errorf("courtyard: area %.4f, want %.4f", a, want)
	}

	// A 10 m square straight ahead at 10..20 m: it hides the wedge between
	// its front corners (±5,10), beyond its front face.
	g := math.Atan(0.5)
	shadow := r*r*g - 0.5*10*10 // sector of half-angle g minus the triangle up to the front face
	a = vsCheck(t, "square ahead", Viewshed(north, []Polygon{vsRect(-5, 10, 5, 20)}))
	if got := free - a; math.Abs(got-shadow) > 0.01*shadow {
		t.Errorf("square ahead: removed %.3f, want %.3f", got, shadow)
	}
	// Off-axis square at x 5..15, y 10..20: silhouette corners (5,20) and
	// (15,10); the faces x=5 and y=10 face the viewer.
	b0, b1 := math.Atan2(5, 20), math.Atan2(15, 10)
	quad := 0.5 * math.Abs(5*10-5*20+(5*10-15*10)) // shoelace of O,(5,20),(5,10),(15,10)
	shadow = r*r*(b1-b0)/2 - quad
	a = vsCheck(t, "square aside", Viewshed(Sector{Origin: ovOrigin, RangeM: r, FOVDeg: 120}, []Polygon{vsRect(5, 10, 15, 20)}))
	free120 := vsCheck(t, "free120", Viewshed(Sector{Origin: ovOrigin, RangeM: r, FOVDeg: 120}, nil))
	if got := free120 - a; math.Abs(got-shadow) > 0.01*shadow {
		t.Errorf("square aside: removed %.3f, want %.3f", got, shadow)
	}

	// Behind the viewer, beyond range, or containing the viewer (a façade
	// mount): no effect.
	for name, obs := range map[string]Polygon{
		"behind":    vsRect(-10, -20, 10, -10),
		"far":       vsRect(-10, 45, 10, 60),
		"inside":    vsRect(-10, -10, 10, 10),
		"on edge":   vsRect(-10, -10, 10, 0),
		"mount 5mm": vsRect(-10, -10, 10, -0.005),
	} {
		if a := vsCheck(t, name, Viewshed(north, []Polygon{obs})); math.Abs(a-free) > 1e-9*free {
			t.Errorf("%s: area %.6f, want %.6f", name, a, free)
		}
	}
}

// circleHole is a clockwise n-gon of radius r metres about ovOrigin.
func circleHole(r float64, n int) Ring {
	xy := make([]float64, 0, 2*n)
	for i := 0; i < n; i++ {
		a := -2 * math.Pi * float64(i) / float64(n)
		xy = append(xy, r*math.Cos(a), r*math.Sin(a))
	}
	return ovRing(xy...)
}

// vsRandomBuildings returns n rotated rectangles of 6..30 m sides within
// half metres of the origin, avoiding a 1 m disc about the origin.
func vsRandomBuildings(rng *rand.Rand, n int, half float64) ([]Polygon, [][]XY) {
	var ps []Polygon
	var xs [][]XY
	for len(ps) < n {
		cx, cy := (rng.Float64()*2-1)*half, (rng.Float64()*2-1)*half
		w, h := 6+rng.Float64()*24, 6+rng.Float64()*24
		th := rng.Float64() * math.Pi
		c, s := math.Cos(th), math.Sin(th)
		var xy []XY
		var flat []float64
		for _, d := range [][2]float64{{-1, -1}, {1, -1}, {1, 1}, {-1, 1}} {
			x, y := d[0]*w/2, d[1]*h/2
			q := XY{cx + c*x - s*y, cy + s*x + c*y}
			xy = append(xy, q)
			flat = append(flat, q.X, q.Y)
		}
		xy = append(xy, xy[0])
		if segmentDistanceRing(XY{}, xy) < 1 || xyRingContains(xy, XY{}) {
			continue
		}
		ps = append(ps, Polygon{ovRing(flat...)})
		xs = append(xs, xy)
	}
	return ps, xs
}

func segmentDistanceRing(q XY, r []XY) float64 {
	d := math.Inf(1)
	for i := 0; i+1 < len(r); i++ {
		d = math.Min(d, segmentDistance(q, r[i], r[i+1]))
	}
	return d
}

// vsBlocked reports whether the segment from the origin to p passes
// through the interior of one of the rings (metres): some piece between
// consecutive crossings has its midpoint strictly inside.
func vsBlocked(p XY, rings [][]XY) bool {
	for _, r := range rings {
		ts := []float64{0, 1}
		for i := 0; i+1 < len(r); i++ {
			ts = segmentCuts(XY{}, p, r[i], r[i+1], ts)
		}
		slices.Sort(ts)
		for k := 0; k+1 < len(ts); k++ {
			m := (ts[k] + ts[k+1]) / 2
			q := XY{p.X * m, p.Y * m}
			if ts[k+1]-ts[k] > 1e-12 && xyRingContains(r, q) && segmentDistanceRing(q, r) > 1e-9 {
				return true
			}
		}
	}
	return false
}

func TestViewshedRandomVisibility(t *testing.T) {
	rng := rand.New(rand.NewSource(3))
	const r, step, tol = 40.0, 0.5, 0.5
	for trial := 0; trial < 12; trial++ {
		obs, rings := vsRandomBuildings(rng, 12, 45)
		s := Sector{Origin: ovOrigin, RangeM: r, DirectionDeg: rng.Float64() * 360, FOVDeg: 30 + rng.Float64()*300}
		if trial%4 == 0 {
			s.FOVDeg = 360
		}
		// A building around the viewer (mounted inside it) is ignored.
		obs = append(obs, vsRect(-3, -2, 4, 0.5))
		pg := Viewshed(s, obs)
		vsCheck(t, "random", pg)
		var vs []XY
		for _, p := range pg[0] {
			vs = append(vs, ovProj.Forward(p))
		}
		start := (s.DirectionDeg - s.FOVDeg/2) * deg
		inSector := func(q XY) bool {
			if s.FOVDeg >= 360 {
				return true
			}
			a := math.Mod(math.Atan2(q.X, q.Y)-start+4*math.Pi, 2*math.Pi)
			return a <= s.FOVDeg*deg
		}
		in, checked := 0, 0
		for x := -r; x <= r; x += step {
			for y := -r; y <= r; y += step {
				q := XY{x + 0.123, y + 0.0789}
				if segmentDistanceRing(q, vs) <= tol {
					continue
				}
				checked++
				inside := xyRingContains(vs, q)
				visible := math.Hypot(q.X, q.Y) <= r && inSector(q) && !vsBlocked(q, rings)
				if inside != visible {
					t.Fatalf("trial %d: point %v inside viewshed=%v, visible=%v", trial, q, inside, visible)
				}
				if inside {
					in++
				}
			}
		}
		if in == 0 || checked < 20000 {
			t.Fatalf("trial %d: only %d points visible of %d checked", trial, in, checked)
		}
	}
}

// BenchmarkViewshed casts a 40 m, 90° sector among 50 random buildings.
func BenchmarkViewshed(b *testing.B) {
	rng := rand.New(rand.NewSource(5))
	obs, _ := vsRandomBuildings(rng, 50, 120)
	sectors := make([]Sector, 64)
	for i := range sectors {
		sectors[i] = Sector{Origin: ovProj.Inverse(XY{rng.Float64()*160 - 80, rng.Float64()*160 - 80}), RangeM: 40, DirectionDeg: rng.Float64() * 360, FOVDeg: 90}
	}
	i, verts := 0, 0
	for b.Loop() {
		pg := Viewshed(sectors[i%len(sectors)], obs)
		verts += len(pg[0])
		i++
	}
	b.ReportMetric(float64(verts)/float64(i), "vertices/op")
}
