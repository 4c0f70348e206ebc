package geo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

// reachBalt is a corner of downtown Baltimore (lon,lat) used as origin.
var reachBalt = Point{-76.6122, 39.2904}

// reachOpt are the default options anchored at reachBalt.
var reachOpt = ReachOptions{CellM: 15, BufferM: 60, Origin: reachBalt}

// reachLine builds a line from projected metres (east, north of reachBalt).
func reachLine(xy ...float64) LineString {
	pr := NewProjection(reachBalt)
	ls := make(LineString, 0, len(xy)/2)
	for i := 0; i+1 < len(xy); i += 2 {
		ls = append(ls, pr.Inverse(XY{xy[i], xy[i+1]}))
	}
	return ls
}

// reachSegDist is a brute-force planar point-to-segment distance.
func reachSegDist(p, a, b XY) float64 {
	dx, dy := b.X-a.X, b.Y-a.Y
	t := 0.0
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t = ((p.X-a.X)*dx + (p.Y-a.Y)*dy) / l2
		t = math.Max(0, math.Min(1, t))
	}
	return math.Hypot(p.X-(a.X+t*dx), p.Y-(a.Y+t*dy))
}

// reachSegs projects every segment of lines (a single position gives a
// zero-length segment) for brute-force distances.
func reachSegs(pr Projection, lines []LineString) [][2]XY {
	var out [][2]XY
	for _, ls := range lines {
		for i := range ls {
			a := pr.Forward(ls[i])
			b := a
			if i+1 < len(ls) {
				b = pr.Forward(ls[i+1])
			} else if i > 0 {
				continue
			}
			out = append(out, [2]XY{a, b})
		}
	}
	return out
}

// reachDistToSegs is the distance in metres from q to the nearest segment.
func reachDistToSegs(segs [][2]XY, q XY) float64 {
	best := math.Inf(1)
	for _, s := range segs {
		best = math.Min(best, reachSegDist(q, s[0], s[1]))
	}
	return best
}

// reachNear buckets segments so that the exact distance from a point to
// every segment within lim metres is computed; farther ones give +Inf.
type reachNear struct {
	lim     float64
	buckets map[[2]int][][2]XY
}

func newReachNear(segs [][2]XY, lim float64) *reachNear {
	n := &reachNear{lim: lim, buckets: map[[2]int][][2]XY{}}
	for _, s := range segs {
		x0 := int(math.Floor((math.Min(s[0].X, s[1].X) - lim) / lim))
		x1 := int(math.Floor((math.Max(s[0].X, s[1].X) + lim) / lim))
		y0 := int(math.Floor((math.Min(s[0].Y, s[1].Y) - lim) / lim))
		y1 := int(math.Floor((math.Max(s[0].Y, s[1].Y) + lim) / lim))
		for x := x0; x <= x1; x++ {
			for y := y0; y <= y1; y++ {
				n.buckets[[2]int{x, y}] = append(n.buckets[[2]int{x, y}], s)
			}
		}
	}
	return n
}

// dist returns the distance from q to the nearest segment when it is at
// most lim metres, else a value above lim.
func (n *reachNear) dist(q XY) float64 {
	return reachDistToSegs(n.buckets[[2]int{int(math.Floor(q.X / n.lim)), int(math.Floor(q.Y / n.lim))}], q)
}

// reachIndex answers point queries against a multipolygon: inside (by
// Polygon.Contains) or within 1e-6 m of an edge.
type reachIndex struct {
	pr     Projection
	mp     MultiPolygon
	bounds []Bound
	edges  [][2]XY
}

func newReachIndex(pr Projection, mp MultiPolygon) *reachIndex {
	ix := &reachIndex{pr: pr, mp: mp}
	for _, pg := range mp {
		ix.bounds = append(ix.bounds, pg.Bound())
		for _, r := range pg {
			for i := 0; i+1 < len(r); i++ {
				ix.edges = append(ix.edges, [2]XY{pr.Forward(r[i]), pr.Forward(r[i+1])})
			}
		}
	}
	return ix
}

// inside reports whether p is strictly inside one polygon (edges may go
// either way).
func (ix *reachIndex) inside(p Point) bool {
	for i, pg := range ix.mp {
		if ix.bounds[i].Contains(p) && pg.Contains(p) {
			return true
		}
	}
	return false
}

// covers reports whether p is inside or on the boundary.
func (ix *reachIndex) covers(p Point) bool {
	if ix.inside(p) {
		return true
	}
	return reachDistToSegs(ix.edges, ix.pr.Forward(p)) < 1e-6
}

// reachSamples returns points every stepM metres along ls (ends included).
func reachSamples(pr Projection, ls LineString, stepM float64) []Point {
	var out []Point
	for i := range ls {
		a := pr.Forward(ls[i])
		out = append(out, ls[i])
		if i+1 == len(ls) {
			break
		}
		b := pr.Forward(ls[i+1])
		n := int(math.Hypot(b.X-a.X, b.Y-a.Y) / stepM)
		for k := 1; k <= n; k++ {
			t := float64(k) / float64(n+1)
			out = append(out, pr.Inverse(XY{a.X + t*(b.X-a.X), a.Y + t*(b.Y-a.Y)}))
		}
	}
	return out
}

// reachInteriorSamples returns points of a stepM-metre grid (offset so it
// avoids lattice lines) that lie inside mp.
func reachInteriorSamples(pr Projection, mp MultiPolygon, stepM float64) []Point {
	ix := newReachIndex(pr, mp)
	b := mp.Bound()
	lo, hi := pr.Forward(b.Min), pr.Forward(b.Max)
	var out []Point
	for y := lo.Y + 0.37; y < hi.Y; y += stepM {
		for x := lo.X + 0.61; x < hi.X; x += stepM {
			if p := pr.Inverse(XY{x, y}); ix.inside(p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// reachCheck asserts validity, containment and tightness of mp for lines
// and returns the number of sample points checked for tightness.
func reachCheck(t *testing.T, name string, lines []LineString, opt ReachOptions, mp MultiPolygon) int {
	t.Helper()
	pr := NewProjection(opt.Origin)
	for i, pg := range mp {
		if err := ValidatePolygon(pg); err != nil {
			t.Fatalf("%s: polygon %d invalid: %v", name, i, err)
		}
		if pg[0].SignedArea() <= 0 {
			t.Errorf("%s: polygon %d shell not counter-clockwise", name, i)
		}
		for j, h := range pg[1:] {
			if h.SignedArea() >= 0 {
				t.Errorf("%s: polygon %d hole %d not clockwise", name, i, j+1)
			}
		}
	}
	ix := newReachIndex(pr, mp)
	for _, ls := range lines {
		for _, p := range reachSamples(pr, ls, 5) {
			if !ix.covers(p) {
				t.Fatalf("%s: line point %v not covered", name, p)
			}
		}
	}
	near := newReachNear(reachSegs(pr, lines), opt.BufferM+1)
	n := 0
	worst := 0.0
	check := func(p Point) {
		n++
		d := near.dist(pr.Forward(p))
		worst = math.Max(worst, d)
		if d > opt.BufferM+1e-6 {
			t.Fatalf("%s: polygon point %v is %.3f m from every line (limit %g)", name, p, d, opt.BufferM)
		}
	}
	for _, pg := range mp {
		for _, r := range pg {
			for _, p := range reachSamples(pr, LineString(r), 5) {
				check(p)
			}
		}
	}
	for _, p := range reachInteriorSamples(pr, mp, 7) {
		check(p)
	}
	t.Logf("%s: %d polygons, %d samples, farthest %.2f m", name, len(mp), n, worst)
	return n
}

func reachHoles(mp MultiPolygon) int {
	n := 0
	for _, pg := range mp {
		n += len(pg) - 1
	}
	return n
}

func TestReachMarkSegmentMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for it := 0; it < 300; it++ {
		a := XY{rng.Float64()*400 - 200, rng.Float64()*400 - 200}
		b := XY{rng.Float64()*400 - 200, rng.Float64()*400 - 200}
		switch it % 5 {
		case 1:
			b.Y = a.Y // horizontal
		case 2:
			b.X = a.X // vertical
		case 3:
			b = a // point
		}
		r := 5 + rng.Float64()*60
		g := &reachRaster{proj: NewProjection(reachBalt), cell: 10, gx0: -40, gy0: -40, w: 80, h: 80}
		g.lv = make([]uint8, g.w*g.h)
		for i := range g.lv {
			g.lv[i] = reachNone
		}
		g.markSegment(a, b, r, 0)
		for j := 0; j < g.h; j++ {
			for i := 0; i < g.w; i++ {
				c := XY{(float64(g.gx0+i) + 0.5) * g.cell, (float64(g.gy0+j) + 0.5) * g.cell}
				d := reachSegDist(c, a, b)
				marked := g.lv[j*g.w+i] == 0
				if marked && d > r+1e-9 || !marked && d < r-1e-9 {
					t.Fatalf("it %d seg %v-%v r %.2f: cell (%d,%d) dist %.6f marked=%v", it, a, b, r, i, j, d, marked)
				}
			}
		}
	}
}

// reachMaskPolygons traces a hand-made mask on a raster at reachBalt.
func reachMaskPolygons(w, h int, fg func(x, y int) bool) (MultiPolygon, *reachRaster) {
	g := &reachRaster{proj: NewProjection(reachBalt), cell: 10, gx0: -3, gy0: 5, w: w, h: h}
	g.lv = make([]uint8, w*h)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			g.lv[y*w+x] = reachNone
			if x > 0 && y > 0 && x < w-1 && y < h-1 && fg(x, y) {
				g.lv[y*w+x] = 0
			}
		}
	}
	return g.polygons(0), g
}

func TestReachTraceRandomMasks(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for it := 0; it < 400; it++ {
		w, h := 3+rng.IntN(25), 3+rng.IntN(25)
		dens := 0.2 + 0.7*rng.Float64()
		mp, g := reachMaskPolygons(w, h, func(x, y int) bool { return rng.Float64() < dens })
		cells := 0
		for _, l := range g.lv {
			if l == 0 {
				cells++
			}
		}
		if cells == 0 {
			if mp != nil {
				t.Fatalf("it %d: empty mask gave %d polygons", it, len(mp))
			}
			continue
		}
		var area float64
		for i, pg := range mp {
			if err := ValidatePolygon(pg); err != nil {
				t.Fatalf("it %d polygon %d: %v\n%v", it, i, err, pg)
			}
			area += pg.Area()
			for _, r := range pg {
				// No collinear corners: consecutive edges turn.
				for k := 1; k+1 < len(r)+1; k++ {
					a, b, c := r[k-1], r[k%(len(r)-1)], r[(k+1)%(len(r)-1)]
					if orient(a, b, c) == 0 {
						t.Fatalf("it %d: collinear corner %v", it, b)
					}
				}
			}
		}
		if want := float64(cells) * 100; math.Abs(area-want) > 1e-3*want {
			t.Fatalf("it %d: area %.2f m², want %.2f (%d cells)", it, area, want, cells)
		}
		// Every cell centre lies in exactly one polygon iff foreground.
		for y := 0; y < h; y++ {
			for x := 0; x < w; x++ {
				p := g.proj.Inverse(XY{(float64(g.gx0+x) + 0.5) * 10, (float64(g.gy0+y) + 0.5) * 10})
				n := 0
				for _, pg := range mp {
					if pg.Contains(p) {
						n++
					}
				}
				if want := reachB2I(g.lv[y*w+x] == 0); n != want {
					t.Fatalf("it %d cell (%d,%d): in %d polygons, want %d", it, x, y, n, want)
				}
			}
		}
	}
}

func reachB2I(b bool) int {
	if b {
		return 1
	}
	return 0
}

func TestReachTraceSaddles(t *testing.T) {
	// A ring of cells whose hole touches the outside at one corner: the
	// outer boundary passes that corner twice and must be split into a
	// shell and a hole touching it.
	rows := []string{
		".....",
		".###.",
		".#.#.",
		".##..",
		".....",
	}
	mp, _ := reachMaskPolygons(5, 5, func(x, y int) bool { return rows[4-y][x] == '#' })
	if len(mp) != 1 || len(mp[0]) != 2 {
		t.Fatalf("got %d polygons, rings %v; want 1 polygon with 1 hole", len(mp), mp)
	}
	if err := ValidatePolygon(mp[0]); err != nil {
		t.Fatal(err)
	}
	if a := mp[0][1].Area(); math.Abs(a-100) > 0.1 {
		t.Errorf("hole area %.2f, want 100", a)
	}
	// Two cells touching only at a corner are two polygons.
	mp, _ = reachMaskPolygons(4, 4, func(x, y int) bool { return x == y })
	if len(mp) != 2 {
		t.Fatalf("diagonal cells: %d polygons, want 2", len(mp))
	}
}

func TestReachStraightStreet(t *testing.T) {
	lines := []LineString{reachLine(0, 0, 500, 0)}
	mp := ReachPolygons(lines, reachOpt)
	reachCheck(t, "straight", lines, reachOpt, mp)
	if len(mp) != 1 || len(mp[0]) != 1 {
		t.Fatalf("got %d polygons / %d holes, want 1 without holes", len(mp), reachHoles(mp))
	}
	// The union of kept cells holds the capsule of radius BufferM − CellM·√2
	// and lies in the capsule of radius BufferM.
	inner := 60 - 15*math.Sqrt2
	lo, hi := math.Pi*inner*inner+2*inner*500, math.Pi*60*60+2*60*500
	a := reachArea(mp)
	if a < lo || a > hi {
		t.Errorf("area %.0f m², want in [%.0f, %.0f]", a, lo, hi)
	}
	t.Logf("straight 500 m street: area %.0f m² (capsule bounds %.0f..%.0f), %d shell corners", a, lo, hi, len(mp[0][0])-1)
}

// reachArea sums the polygons' areas in square metres.
func reachArea(mp MultiPolygon) float64 {
	var a float64
	for _, pg := range mp {
		a += pg.Area()
	}
	return a
}

func TestReachLAndBlocks(t *testing.T) {
	cases := []struct {
		name        string
		lines       []LineString
		polys, hole int
	}{
		{"L", []LineString{reachLine(0, 0, 400, 0, 400, 300)}, 1, 0},
		// 300 m block: the park in the middle is > 2·60 m wide.
		{"block300", []LineString{reachLine(0, 0, 300, 0, 300, 300), reachLine(300, 300, 0, 300, 0, 0)}, 1, 1},
		// 100 m block: every point is within 50 m of a street.
		{"block100", []LineString{reachLine(0, 0, 100, 0, 100, 100, 0, 100, 0, 0)}, 1, 0},
		{"parallel200", []LineString{reachLine(0, 0, 600, 0), reachLine(0, 200, 600, 200)}, 2, 0},
		{"parallel100", []LineString{reachLine(0, 0, 600, 0), reachLine(0, 100, 600, 100)}, 1, 0},
		{"diagonal", []LineString{reachLine(0, 0, 300, 170), reachLine(0, 170, 300, 0)}, 1, 0},
		{"point", []LineString{reachLine(10, 10)}, 1, 0},
	}
	for _, c := range cases {
		mp := ReachPolygons(c.lines, reachOpt)
		reachCheck(t, c.name, c.lines, reachOpt, mp)
		if len(mp) != c.polys || reachHoles(mp) != c.hole {
			t.Errorf("%s: %d polygons / %d holes, want %d / %d", c.name, len(mp), reachHoles(mp), c.polys, c.hole)
		}
		if c.name == "block300" {
			// The hole spans the park less the buffer: between 300−2·60
			// and 300−2·(60−15√2) metres on a side.
			h := mp[0][1].Area()
			inner := 60 - 15*math.Sqrt2
			if lo, hi := (300-120.0)*(300-120.0), (300-2*inner)*(300-2*inner); h < lo || h > hi {
				t.Errorf("block300 hole %.0f m², want in [%.0f, %.0f]", h, lo, hi)
			}
		}
		if c.name == "parallel200" {
			// The gap between the two polygons is at least 200 − 2·60 m.
			pr := NewProjection(reachBalt)
			top, bottom := math.Inf(1), math.Inf(-1)
			for _, pg := range mp {
				for _, p := range pg[0] {
					q := pr.Forward(p)
					if q.Y > 100 {
						top = math.Min(top, q.Y)
					} else {
						bottom = math.Max(bottom, q.Y)
					}
				}
			}
			if gap := top - bottom; gap < 80-1e-6 {
				t.Errorf("parallel200 gap %.2f m, want ≥ 80", gap)
			}
		}
	}
}

func TestReachEmptyAndDefaults(t *testing.T) {
	if mp := ReachPolygons(nil, reachOpt); mp != nil {
		t.Errorf("nil lines: %v", mp)
	}
	if mp := ReachPolygons([]LineString{{{math.NaN(), 1}}}, reachOpt); mp != nil {
		t.Errorf("NaN line: %v", mp)
	}
	lines := []LineString{reachLine(0, 0, 250, 40)}
	a := ReachPolygons(lines, ReachOptions{Origin: reachBalt})
	b := ReachPolygons(lines, reachOpt)
	if !reflect.DeepEqual(a, b) {
		t.Error("zero CellM/BufferM differ from the defaults 15/60")
	}
	// Zero origin: the lines' bound centre; still valid and tight.
	c := ReachPolygons(lines, ReachOptions{})
	opt := ReachOptions{CellM: 15, BufferM: 60, Origin: lines[0].Bound().Center()}
	reachCheck(t, "zero origin", lines, opt, c)
	// A buffer below CellM·√2 is raised to it: still contains the line.
	d := ReachPolygons(lines, ReachOptions{CellM: 15, BufferM: 5, Origin: reachBalt})
	reachCheck(t, "small buffer", lines, ReachOptions{CellM: 15, BufferM: 15 * math.Sqrt2, Origin: reachBalt}, d)
}

// reachRandomStreets returns n random polylines of 2–4 positions in a
// 1.2 km square about reachBalt.
func reachRandomStreets(rng *rand.Rand, n int) []LineString {
	out := make([]LineString, n)
	for i := range out {
		k := 2 + rng.IntN(3)
		xy := make([]float64, 0, 2*k)
		x, y := rng.Float64()*1200-600, rng.Float64()*1200-600
		for j := 0; j < k; j++ {
			xy = append(xy, x, y)
			x += rng.Float64()*400 - 200
			y += rng.Float64()*400 - 200
		}
		out[i] = reachLine(xy...)
	}
	return out
}

// reachTruncate returns the first fraction f of ls (by vertex-parameter),
// a geometric subset of ls as a travel-time piece would be.
func reachTruncate(ls LineString, f float64) LineString {
	segs := float64(len(ls) - 1)
	s := f * segs
	i := int(s)
	if i >= len(ls)-1 {
		return ls
	}
	out := append(LineString(nil), ls[:i+1]...)
	t := s - float64(i)
	a, b := ls[i], ls[i+1]
	return append(out, Point{a.Lon + t*(b.Lon-a.Lon), a.Lat + t*(b.Lat-a.Lat)})
}

func TestReachRandomContainTightNest(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pr := NewProjection(reachBalt)
	for it := 0; it < 8; it++ {
		b := reachRandomStreets(rng, 6+rng.IntN(14))
		var a []LineString
		for _, ls := range b {
			switch rng.IntN(3) {
			case 0:
				a = append(a, ls)
			case 1:
				a = append(a, reachTruncate(ls, rng.Float64()))
			}
		}
		name := fmt.Sprintf("random %d", it)
		mb := ReachPolygons(b, reachOpt)
		reachCheck(t, name+" B", b, reachOpt, mb)
		if len(a) == 0 {
			continue
		}
		ma := ReachPolygons(a, reachOpt)
		reachCheck(t, name+" A", a, reachOpt, ma)
		// Nesting: every corner and interior sample of A lies in B.
		ib := newReachIndex(pr, mb)
		n := 0
		for _, pg := range ma {
			for _, r := range pg {
				for _, p := range r {
					n++
					if !ib.covers(p) {
						t.Fatalf("%s: corner %v of A outside B", name, p)
					}
				}
			}
		}
		for _, p := range reachInteriorSamples(pr, ma, 6) {
			n++
			if !ib.covers(p) {
				t.Fatalf("%s: interior point %v of A outside B", name, p)
			}
		}
		if reachArea(ma) > reachArea(mb)+1e-6 {
			t.Errorf("%s: area A %.0f > area B %.0f", name, reachArea(ma), reachArea(mb))
		}
		t.Logf("%s: nesting checked at %d points; area A %.0f m² ⊆ B %.0f m²", name, n, reachArea(ma), reachArea(mb))
	}
}

func TestReachTiersMatchSeparateCalls(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	all := reachRandomStreets(rng, 30)
	// Incremental tiers: 10 lines, then 10 more, then the rest.
	tiers := [][]LineString{all[:10], all[10:20], all[20:]}
	got := ReachPolygonsTiers(tiers, reachOpt)
	if len(got) != 3 {
		t.Fatalf("%d tiers", len(got))
	}
	for k, cum := range [][]LineString{all[:10], all[:20], all} {
		want := ReachPolygons(cum, reachOpt)
		if !reflect.DeepEqual(got[k], want) {
			t.Errorf("tier %d differs from ReachPolygons of its cumulative lines", k)
		}
		reachCheck(t, fmt.Sprintf("tier %d", k), cum, reachOpt, got[k])
	}
	for k := 1; k < 3; k++ {
		if reachArea(got[k-1]) > reachArea(got[k]) {
			t.Errorf("tier %d area %.0f > tier %d area %.0f", k-1, reachArea(got[k-1]), k, reachArea(got[k]))
		}
	}
}

// reachGridStreets returns an n×n-block street grid with blockM-metre
// blocks centred on reachBalt, each street split at every intersection
// (one LineString per block side), plus the Manhattan distance in metres
// of each piece's ends from the centre.
func reachGridStreets(n int, blockM float64) (lines []LineString, ends [][2]float64) {
	half := float64(n) * blockM / 2
	for i := 0; i <= n; i++ {
		for j := 0; j < n; j++ {
			u := -half + float64(i)*blockM
			v0, v1 := -half+float64(j)*blockM, -half+float64(j+1)*blockM
			lines = append(lines, reachLine(v0, u, v1, u), reachLine(u, v0, u, v1))
			d0, d1 := math.Abs(u)+math.Abs(v0), math.Abs(u)+math.Abs(v1)
			ends = append(ends, [2]float64{d0, d1}, [2]float64{d0, d1})
		}
	}
	return lines, ends
}

// reachGridTiers cuts grid pieces to those within limits (metres of
// Manhattan distance from the centre), as a travel-time search would,
// dropping every piece with keep(i) false (missing streets).
func reachGridTiers(lines []LineString, ends [][2]float64, limits []float64, keep func(i int) bool) [][]LineString {
	out := make([][]LineString, len(limits))
	for k, lim := range limits {
		for i, ls := range lines {
			if !keep(i) {
				continue
			}
			d0, d1 := ends[i][0], ends[i][1]
			switch {
			case d0 <= lim && d1 <= lim:
				out[k] = append(out[k], ls)
			case d0 <= lim:
				f := (lim - d0) / math.Abs(d1-d0)
				out[k] = append(out[k], reachTruncate(ls, f))
			case d1 <= lim:
				f := (lim - d1) / math.Abs(d1-d0)
				out[k] = append(out[k], reachTruncate(LineString{ls[1], ls[0]}, f))
			}
		}
	}
	return out
}

func TestReachGridTiersWithParks(t *testing.T) {
	// 2 km grid of 100 m blocks with every street piece inside two
	// 400 m parks removed: the parks become holes.
	lines, ends := reachGridStreets(20, 100)
	pr := NewProjection(reachBalt)
	inPark := func(i int) bool {
		a, b := pr.Forward(lines[i][0]), pr.Forward(lines[i][1])
		m := XY{(a.X + b.X) / 2, (a.Y + b.Y) / 2}
		in := func(x0, y0 float64) bool { return m.X > x0 && m.X < x0+400 && m.Y > y0 && m.Y < y0+400 }
		return in(-700, -700) || in(200, 100)
	}
	tiers := reachGridTiers(lines, ends, []float64{600, 1200, 2000}, func(i int) bool { return !inPark(i) })
	got := ReachPolygonsTiers(tiers, reachOpt)
	for k := range tiers {
		reachCheck(t, fmt.Sprintf("grid tier %d", k), tiers[k], reachOpt, got[k])
	}
	if n := reachHoles(got[2]); n != 2 || len(got[2]) != 1 {
		t.Errorf("tier 2: %d polygons / %d holes, want 1 / 2 parks", len(got[2]), n)
	}
	for k := 1; k < 3; k++ {
		ix := newReachIndex(pr, got[k])
		for _, pg := range got[k-1] {
			for _, p := range pg[0] {
				if !ix.covers(p) {
					t.Fatalf("tier %d corner %v outside tier %d", k-1, p, k)
				}
			}
		}
	}
}

func BenchmarkReachPolygons(b *testing.B) {
	// 8 km × 8 km grid of 100 m blocks: 80·81·2 pieces, 1,296 km.
	lines, ends := reachGridStreets(80, 100)
	km := 0.0
	for _, ls := range lines {
		km += ls.Length() / 1000
	}
	// Remove about a fifth of the pieces (pseudo-random, fixed) so that
	// blocks merge into holes as in a real network.
	rng := rand.New(rand.NewPCG(9, 9))
	drop := make([]bool, len(lines))
	for i := range drop {
		drop[i] = rng.Float64() < 0.2
	}
	keep := func(i int) bool { return !drop[i] }
	// 1/3/5-minute tiers at 30 km/h: 500, 1500, 2500 m of street.
	tiers := reachGridTiers(lines, ends, []float64{500, 1500, 2500}, keep)
	// A downtown-sized network: 5.7 km square of 100 m blocks, ~650 km.
	dl, de := reachGridStreets(57, 100)
	dkm := 0.0
	for _, ls := range dl {
		dkm += ls.Length() / 1000
	}
	dtiers := reachGridTiers(dl, de, []float64{1000, 2500, 4000}, func(i int) bool { return true })
	b.Run(fmt.Sprintf("full_grid_%.0fkm", km), func(b *testing.B) {
		for b.Loop() {
			ReachPolygons(lines, reachOpt)
		}
	})
	b.Run("three_tiers_8km_grid_20pct_missing", func(b *testing.B) {
		var got []MultiPolygon
		for b.Loop() {
			got = ReachPolygonsTiers(tiers, reachOpt)
		}
		reachMetrics(b, got[2])
	})
	b.Run(fmt.Sprintf("three_tiers_downtown_%.0fkm", dkm), func(b *testing.B) {
		var got []MultiPolygon
		for b.Loop() {
			got = ReachPolygonsTiers(dtiers, reachOpt)
		}
		reachMetrics(b, got[2])
	})
	b.Run("three_separate_calls_downtown", func(b *testing.B) {
		cum := [][]LineString{dtiers[0], append(append([]LineString(nil), dtiers[0]...), dtiers[1]...), nil}
		cum[2] = append(append([]LineString(nil), cum[1]...), dtiers[2]...)
		for b.Loop() {
			for _, ls := range cum {
				ReachPolygons(ls, reachOpt)
			}
		}
	})
}

// reachMetrics reports the outermost tier's size.
func reachMetrics(b *testing.B, mp MultiPolygon) {
	corners := 0
	for _, pg := range mp {
		for _, r := range pg {
			corners += len(r) - 1
		}
	}
	b.ReportMetric(float64(len(mp)), "polys")
	b.ReportMetric(float64(reachHoles(mp)), "holes")
	b.ReportMetric(float64(corners), "corners")
	b.ReportMetric(reachArea(mp)/1e6, "km²")
}
