package geo

import (
	"math"
	"slices"
)

// Sector is a viewer's field of view: the disc of radius RangeM metres
// about Origin (lon,lat), cut to the wedge of angular width FOVDeg degrees
// centred on the bearing DirectionDeg (degrees clockwise from north). An
// FOVDeg of 360 or more means the full disc, whatever the direction.
type Sector struct {
	Origin       Point
	RangeM       float64
	DirectionDeg float64
	FOVDeg       float64
}

// Tuning of Viewshed.
const (
	// viewshedChordM caps the sagitta (metres) of the chords that stand in
	// for the range arc; the cap is also at most RangeM/viewshedChordFrac,
	// which keeps the area within 0.3 % of the true sector's.
	viewshedChordM    = 0.5
	viewshedChordFrac = 500
	// viewshedEps is the angular offset (radians) of the rays cast just
	// beside every obstacle corner and every point where an obstacle edge
	// leaves the range circle.
	viewshedEps = 1e-7
	// viewshedMountM: an obstacle that contains the origin or has it
	// within this many metres of its boundary is ignored.
	viewshedMountM = 0.01
	// viewshedFlatM: output corners within this many metres of the
	// segment joining their neighbours are dropped.
	viewshedFlatM = 1e-6
)

// Viewshed returns the part of sector s that is visible from its origin
// when the obstacles (lon,lat polygons, holes allowed) are opaque and of
// unlimited height: every point of the result can be joined to s.Origin
// by a segment that crosses no obstacle's interior.
//
// It is an angular sweep in a local projection about the origin (metres):
// rays are cast to every obstacle corner within range and just beside it
// (±1e-7 rad), to the points where obstacle edges cross the range circle
// or each other (overlapping obstacles) and beside them, along the sector's two sides and at even spacing along
// the range arc; each ray stops at the nearest obstacle edge or at RangeM.
// The arc is approximated by inscribed chords with a sagitta of at most
// min(0.5 m, RangeM/500), so the result never reaches beyond the range
// and, unobstructed, has within 0.3 % of the area πr²·fov/360.
//
// Obstacles that contain the origin, or whose boundary passes within 1 cm
// of it, are ignored: viewers are often mounted on a façade, so their
// position can fall inside the footprint it is fixed to. A hole of an
// obstacle is open space, so a viewer in a courtyard sees the courtyard.
//
// The result is one simple polygon without holes (star-shaped about the
// origin), closed and counter-clockwise, in lon,lat; it passes
// ValidatePolygon. It is nil when RangeM or FOVDeg is not a positive
// finite number (FOVDeg may be +Inf, meaning a disc), or the origin or
// the direction is not finite.
func Viewshed(s Sector, obstacles []Polygon) Polygon {
	r := s.RangeM
	if !finite(s.Origin) || !(r > 0) || math.IsInf(r, 0) || !(s.FOVDeg > 0) || math.IsNaN(s.DirectionDeg) || math.IsInf(s.DirectionDeg, 0) {
		return nil
	}
	full := s.FOVDeg >= 360
	span := 2 * math.Pi
	start := 0.0
	if !full {
		span = s.FOVDeg * deg
		start = math.Mod((s.DirectionDeg-s.FOVDeg/2)*deg, 2*math.Pi)
	}
	pr := NewProjection(s.Origin)
	edges := viewshedEdges(pr, r, obstacles)

	// Ray angles, relative to start (clockwise), in [0, span] (a sector)
	// or [0, 2π) (a disc).
	sag := math.Min(viewshedChordM, r/viewshedChordFrac)
	step := 2 * math.Acos(1-sag/r)
	n := max(1, int(math.Ceil(span/step)))
	angles := make([]float64, 0, n+1+6*len(edges))
	for i := 0; i < n; i++ {
		angles = append(angles, span*float64(i)/float64(n))
	}
	if !full {
		angles = append(angles, span)
	}
	rel := func(q XY) float64 {
		return math.Mod(math.Atan2(q.X, q.Y)-start+4*math.Pi, 2*math.Pi)
	}
	addAround := func(a float64) {
		for _, d := range [3]float64{-viewshedEps, 0, viewshedEps} {
			b := a + d
			if full {
				b = math.Mod(b+2*math.Pi, 2*math.Pi)
			} else if b < 0 || b > span {
				continue
			}
			angles = append(angles, b)
		}
	}
	for _, e := range edges {
		if math.Hypot(e.a.X, e.a.Y) <= r {
			addAround(rel(e.a))
		}
		// Crossings of the range circle: |a + t(b−a)| = r.
		dx, dy := e.b.X-e.a.X, e.b.Y-e.a.Y
		qa := dx*dx + dy*dy
		qb := 2 * (e.a.X*dx + e.a.Y*dy)
		qc := e.a.X*e.a.X + e.a.Y*e.a.Y - r*r
		if disc := qb*qb - 4*qa*qc; disc >= 0 && qa > 0 {
			sq := math.Sqrt(disc)
			for _, t := range [2]float64{(-qb - sq) / (2 * qa), (-qb + sq) / (2 * qa)} {
				if t >= 0 && t <= 1 {
					addAround(rel(XY{e.a.X + t*dx, e.a.Y + t*dy}))
				}
			}
		}
	}
	// Where edges of overlapping obstacles cross, the nearest edge can
	// change between corners.
	for i, e := range edges {
		for _, f := range edges[i+1:] {
			if e.minX > f.maxX || f.minX > e.maxX || e.minY > f.maxY || f.minY > e.maxY {
				continue
			}
			if q, ok := crossPoint(e.a, e.b, f.a, f.b); ok && math.Hypot(q.X, q.Y) <= r {
				addAround(rel(q))
			}
		}
	}
	slices.Sort(angles)
	angles = slices.CompactFunc(angles, func(a, b float64) bool { return math.Abs(a-b) < 1e-12 })
	if full && len(angles) > 1 && angles[len(angles)-1] > 2*math.Pi-1e-12 {
		angles = angles[:len(angles)-1]
	}

	pts := make([]XY, 0, len(angles)+1)
	if !full {
		pts = append(pts, XY{})
	}
	for _, a := range angles {
		u := XY{math.Sin(start + a), math.Cos(start + a)}
		d := r
		for _, e := range edges {
			if h, ok := rayHit(u, e.a, e.b); ok && h < d {
				d = h
			}
		}
		pts = append(pts, XY{u.X * d, u.Y * d})
	}
	pts = dropFlat(pts)
	if len(pts) < 3 {
		return nil
	}
	// Angles run clockwise; emit counter-clockwise.
	ring := make(Ring, 0, len(pts)+1)
	for i := len(pts) - 1; i >= 0; i-- {
		ring = append(ring, pr.Inverse(pts[i]))
	}
	ring = append(ring, ring[0])
	return Polygon{ring}
}

// viewshedEdges projects the obstacles' edges that come within r metres
// of the origin, skipping obstacles that contain the origin or pass
// within viewshedMountM of it.
func viewshedEdges(pr Projection, r float64, obstacles []Polygon) []clipEdge {
	var edges []clipEdge
	for _, pg := range obstacles {
		b := finiteBound(pg)
		if b.IsEmpty() {
			continue
		}
		lo, hi := pr.Forward(b.Min), pr.Forward(b.Max)
		if lo.X > r || hi.X < -r || lo.Y > r || hi.Y < -r {
			continue
		}
		in, mount := false, false
		first := len(edges)
		for _, ring := range pg {
			var xy []XY
			for _, p := range ring {
				if finite(p) {
					xy = append(xy, pr.Forward(p))
				}
			}
			if len(xy) < 3 {
				continue
			}
			if xy[0] != xy[len(xy)-1] {
				xy = append(xy, xy[0])
			}
			if xyRingContains(xy, XY{}) {
				in = !in
			}
			for i := 0; i+1 < len(xy); i++ {
				a, c := xy[i], xy[i+1]
				if a == c {
					continue
				}
				d := segmentDistance(XY{}, a, c)
				if d <= viewshedMountM {
					mount = true
				}
				if d <= r {
					edges = append(edges, newClipEdge(a, c))
				}
			}
		}
		if in || mount {
			edges = edges[:first]
		}
	}
	return edges
}

// crossPoint returns the point where segments a-b and c-d cross, if they
// meet in a single point.
func crossPoint(a, b, c, d XY) (XY, bool) {
	rx, ry := b.X-a.X, b.Y-a.Y
	sx, sy := d.X-c.X, d.Y-c.Y
	den := rx*sy - ry*sx
	if den == 0 {
		return XY{}, false
	}
	qx, qy := c.X-a.X, c.Y-a.Y
	t := (qx*sy - qy*sx) / den
	u := (qx*ry - qy*rx) / den
	if t < 0 || t > 1 || u < 0 || u > 1 {
		return XY{}, false
	}
	return XY{a.X + t*rx, a.Y + t*ry}, true
}

// rayHit returns the distance along the unit ray from the origin in
// direction u to segment a-b, or ok=false when they do not meet. Rays
// parallel to the segment are treated as missing it (its ends are hit
// through the neighbouring edges); a ray passing within a relative 1e-9
// of an end hits it.
func rayHit(u, a, b XY) (float64, bool) {
	ex, ey := b.X-a.X, b.Y-a.Y
	den := u.X*ey - u.Y*ex
	if den == 0 {
		return 0, false
	}
	s := (a.X*ey - a.Y*ex) / den
	t := (a.X*u.Y - a.Y*u.X) / den
	const tol = 1e-9
	if s < 0 || t < -tol || t > 1+tol {
		return 0, false
	}
	return s, true
}

// dropFlat removes, from a closed cyclic list of corners, those within
// viewshedFlatM of the segment joining their neighbours (collinear runs
// and repeats).
func dropFlat(pts []XY) []XY {
	flat := func(a, b, c XY) bool { return segmentDistance(b, a, c) <= viewshedFlatM }
	out := make([]XY, 0, len(pts))
	for _, p := range pts {
		for len(out) >= 2 && flat(out[len(out)-2], out[len(out)-1], p) {
			out = out[:len(out)-1]
		}
		out = append(out, p)
	}
	for len(out) >= 3 && flat(out[len(out)-2], out[len(out)-1], out[0]) {
		out = out[:len(out)-1]
	}
	for len(out) >= 3 && flat(out[len(out)-1], out[0], out[1]) {
		out = out[1:]
	}
	return out
}
