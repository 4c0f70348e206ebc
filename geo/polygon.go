package geo

import (
	"cmp"
	"fmt"
	"math"
	"slices"
)

// Closed reports whether the ring has positions and its first position
// equals its last (lon,lat compared exactly).
func (r Ring) Closed() bool { return len(r) > 0 && r[0] == r[len(r)-1] }

// SignedArea returns the ring's area in square metres: positive when the
// ring runs counter-clockwise (east = +x, north = +y), negative when
// clockwise. It applies the shoelace formula in a local projection about the
// centre of the ring's bounding box; an unclosed ring is treated as closed.
func (r Ring) SignedArea() float64 {
	a, _, _ := r.moments(NewProjection(LineString(r).Bound().Center()))
	return a
}

// Area returns the ring's unsigned area in square metres.
func (r Ring) Area() float64 { return math.Abs(r.SignedArea()) }

// moments returns the signed area (m²) and its first moments about the
// projection origin (m³), for the centroid.
func (r Ring) moments(pr Projection) (a, mx, my float64) {
	n := len(r)
	if n < 3 {
		return 0, 0, 0
	}
	prev := pr.Forward(r[n-1])
	for _, p := range r {
		q := pr.Forward(p)
		c := prev.X*q.Y - q.X*prev.Y
		a += c
		mx += (prev.X + q.X) * c
		my += (prev.Y + q.Y) * c
		prev = q
	}
	return a / 2, mx / 6, my / 6
}

// Contains reports whether p (lon,lat) lies inside the ring by the
// even-odd rule in degree space; points exactly on an edge may go either way.
func (r Ring) Contains(p Point) bool {
	in := false
	n := len(r)
	for i, j := 0, n-1; i < n; j, i = i, i+1 {
		a, b := r[i], r[j]
		if (a.Lat > p.Lat) != (b.Lat > p.Lat) &&
			p.Lon < (b.Lon-a.Lon)*(p.Lat-a.Lat)/(b.Lat-a.Lat)+a.Lon {
			in = !in
		}
	}
	return in
}

// Area returns the polygon's area in square metres: the outer ring's area
// minus its holes' areas, whatever the rings' winding.
func (pg Polygon) Area() float64 {
	if len(pg) == 0 {
		return 0
	}
	a := pg[0].Area()
	for _, h := range pg[1:] {
		a -= h.Area()
	}
	return a
}

// Contains reports whether p (lon,lat) lies inside the outer ring and
// outside every hole (even-odd rule); points exactly on an edge may go
// either way.
func (pg Polygon) Contains(p Point) bool {
	if len(pg) == 0 || !pg.Bound().Contains(p) {
		return false
	}
	in := false
	for _, r := range pg {
		if r.Contains(p) {
			in = !in
		}
	}
	return in
}

// Centroid returns the area-weighted centroid (lon,lat) of the polygon
// with its holes removed, computed in a local projection about the centre
// of the outer ring's bounding box. A polygon without area yields the mean
// of its outer ring's positions; an empty polygon the zero Point.
func (pg Polygon) Centroid() Point {
	if len(pg) == 0 || len(pg[0]) == 0 {
		return Point{}
	}
	pr := NewProjection(pg.Bound().Center())
	var a, mx, my float64
	for i, r := range pg {
		ra, rx, ry := r.moments(pr)
		// Outer ring counts positive, holes negative, whatever the winding.
		if (ra < 0) != (i > 0) {
			ra, rx, ry = -ra, -rx, -ry
		}
		a, mx, my = a+ra, mx+rx, my+ry
	}
	if a > 1e-9 {
		return pr.Inverse(XY{mx / a, my / a})
	}
	var s XY
	for _, p := range pg[0] {
		q := pr.Forward(p)
		s.X, s.Y = s.X+q.X, s.Y+q.Y
	}
	n := float64(len(pg[0]))
	return pr.Inverse(XY{s.X / n, s.Y / n})
}

// ValidatePolygon checks that pg is a valid simple-features polygon and
// returns an error describing the first problem found:
//   - an invalid coordinate (outside lon ±180, lat ±90, or not finite);
//   - a ring with fewer than 4 positions or fewer than 3 distinct corners;
//   - a ring that is not closed;
//   - a self-intersecting ring (crossing, touching or doubling back);
//   - two rings that cross or share an edge (touching at a point is allowed);
//   - a hole outside the outer ring (the shell).
//
// Segments are compared after sorting by longitude, so only pairs whose
// bounding boxes overlap are tested. Coordinates are lon,lat degrees.
func ValidatePolygon(pg Polygon) error {
	if len(pg) == 0 {
		return fmt.Errorf("polygon has no rings")
	}
	rings := make([]Ring, len(pg))
	for i, r := range pg {
		for j, p := range r {
			if !p.Valid() {
				return fmt.Errorf("%s position %d: invalid coordinate %g,%g", ringName(i), j+1, p.Lon, p.Lat)
			}
		}
		if len(r) < 4 {
			return fmt.Errorf("%s: fewer than 4 positions (%d)", ringName(i), len(r))
		}
		if !r.Closed() {
			return fmt.Errorf("%s: not closed (first %v, last %v)", ringName(i), r[0], r[len(r)-1])
		}
		rings[i] = dedup(r)
		if distinct(rings[i]) < 3 {
			return fmt.Errorf("%s: fewer than 3 distinct corners", ringName(i))
		}
	}
	if err := checkCrossings(rings); err != nil {
		return err
	}
	shell := rings[0]
	for i, h := range rings[1:] {
		for _, p := range h {
			if onRing(shell, p) {
				continue
			}
			if !shell.Contains(p) {
				return fmt.Errorf("%s outside shell", ringName(i+1))
			}
			break
		}
	}
	return nil
}

func ringName(i int) string {
	if i == 0 {
		return "shell"
	}
	return fmt.Sprintf("hole %d", i)
}

// dedup returns r without consecutive repeated positions.
func dedup(r Ring) Ring {
	out := make(Ring, 0, len(r))
	for _, p := range r {
		if len(out) == 0 || out[len(out)-1] != p {
			out = append(out, p)
		}
	}
	return out
}

// distinct counts r's distinct positions.
func distinct(r Ring) int {
	seen := make(map[Point]struct{}, len(r))
	for _, p := range r {
		seen[p] = struct{}{}
	}
	return len(seen)
}

// segment is one edge of a ring, for the crossing sweep.
type segment struct {
	a, b       Point
	ring, idx  int
	minX, maxX float64
}

// checkCrossings tests every pair of segments whose bounding boxes overlap.
func checkCrossings(rings []Ring) error {
	var segs []segment
	for ri, r := range rings {
		for i := 0; i+1 < len(r); i++ {
			a, b := r[i], r[i+1]
			segs = append(segs, segment{a, b, ri, i, math.Min(a.Lon, b.Lon), math.Max(a.Lon, b.Lon)})
		}
	}
	slices.SortFunc(segs, func(s, t segment) int {
		return cmp.Or(cmp.Compare(s.minX, t.minX), cmp.Compare(s.ring, t.ring), cmp.Compare(s.idx, t.idx))
	})
	for i := range segs {
		s := &segs[i]
		for j := i + 1; j < len(segs) && segs[j].minX <= s.maxX; j++ {
			t := &segs[j]
			if math.Max(s.a.Lat, s.b.Lat) < math.Min(t.a.Lat, t.b.Lat) ||
				math.Max(t.a.Lat, t.b.Lat) < math.Min(s.a.Lat, s.b.Lat) {
				continue
			}
			if err := checkPair(rings, s, t); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkPair reports an error when two segments meet in a way a valid
// polygon forbids.
func checkPair(rings []Ring, s, t *segment) error {
	k := intersect(s.a, s.b, t.a, t.b)
	if k == noMeet {
		return nil
	}
	if s.ring != t.ring {
		if k == touch {
			return nil
		}
		return fmt.Errorf("%s crosses %s near %v", ringName(min(s.ring, t.ring)), ringName(max(s.ring, t.ring)), s.a)
	}
	n := len(rings[s.ring]) - 1 // segments in the ring
	d := s.idx - t.idx
	if d < 0 {
		d = -d
	}
	if (d == 1 || d == n-1) && k != overlap {
		return nil // neighbours share their common corner
	}
	return fmt.Errorf("%s self-intersects near %v", ringName(s.ring), s.a)
}

// How two segments meet.
const (
	noMeet  = iota
	touch   // in exactly one point that is an end of at least one segment
	cross   // in one point interior to both
	overlap // collinear, sharing more than one point
)

func orient(a, b, c Point) float64 {
	v := (b.Lon-a.Lon)*(c.Lat-a.Lat) - (b.Lat-a.Lat)*(c.Lon-a.Lon)
	switch {
	case v > 0:
		return 1
	case v < 0:
		return -1
	}
	return 0
}

// within reports whether c, collinear with a-b, lies on segment a-b.
func within(a, b, c Point) bool {
	return math.Min(a.Lon, b.Lon) <= c.Lon && c.Lon <= math.Max(a.Lon, b.Lon) &&
		math.Min(a.Lat, b.Lat) <= c.Lat && c.Lat <= math.Max(a.Lat, b.Lat)
}

// intersect classifies how segments p1-p2 and q1-q2 meet.
func intersect(p1, p2, q1, q2 Point) int {
	o1, o2 := orient(p1, p2, q1), orient(p1, p2, q2)
	o3, o4 := orient(q1, q2, p1), orient(q1, q2, p2)
	if o1 == 0 && o2 == 0 {
		// Collinear: count the distinct shared end points.
		shared := map[Point]bool{}
		for _, c := range []Point{q1, q2} {
			if within(p1, p2, c) {
				shared[c] = true
			}
		}
		for _, c := range []Point{p1, p2} {
			if within(q1, q2, c) {
				shared[c] = true
			}
		}
		switch len(shared) {
		case 0:
			return noMeet
		case 1:
			return touch
		}
		return overlap
	}
	if o1*o2 < 0 && o3*o4 < 0 {
		return cross
	}
	if (o1 == 0 && within(p1, p2, q1)) || (o2 == 0 && within(p1, p2, q2)) ||
		(o3 == 0 && within(q1, q2, p1)) || (o4 == 0 && within(q1, q2, p2)) {
		return touch
	}
	return noMeet
}

// onRing reports whether p lies on one of r's edges.
func onRing(r Ring, p Point) bool {
	for i := 0; i+1 < len(r); i++ {
		if orient(r[i], r[i+1], p) == 0 && within(r[i], r[i+1], p) {
			return true
		}
	}
	return false
}
