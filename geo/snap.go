package geo

import "math"

// Snap is the nearest point on a graph edge to a query point.
type Snap struct {
	Edge    int32   // edge index
	OffsetM float64 // metres along the edge from its From end, 0..EdgeLength
	DistM   float64 // metres from the query point to Point
	Point   Point   // the snapped position on the edge (lon,lat)
}

// buildSnapIndex indexes every segment of every edge open in at least one
// direction.
func (g *Graph) buildSnapIndex() {
	for e := range g.from {
		if g.costF[e] < 0 && g.costB[e] < 0 {
			continue
		}
		for i := g.ptOff[e]; i+1 < g.ptOff[e+1]; i++ {
			a, b := g.pts[i], g.pts[i+1]
			g.segs.Insert([2]float64{min(a.Lon, b.Lon), min(a.Lat, b.Lat)},
				[2]float64{max(a.Lon, b.Lon), max(a.Lat, b.Lat)}, i)
		}
	}
}

// Snap returns the nearest point to p (lon,lat) on any edge usable in at
// least one direction, with distances measured in a local projection about
// p (metres). ok is false when the graph has no such edge (DistM is then
// +Inf) or the nearest point is farther than maxM metres; in the latter
// case the returned Snap still describes that nearest point, so the
// caller can report how far it was. Snap is safe for concurrent use.
func (g *Graph) Snap(p Point, maxM float64) (s Snap, ok bool) {
	s = Snap{Edge: -1, DistM: math.Inf(1)}
	if g.segs.Len() == 0 {
		return s, false
	}
	pr := NewProjection(p)
	kx, ky := pr.kx, pr.ky
	seg := int32(-1)
	var segT float64
	g.segs.Nearby(func(lo, hi [2]float64, i int32, item bool) float64 {
		if !item {
			dx := math.Max(0, math.Max(lo[0]-p.Lon, p.Lon-hi[0])) * kx
			dy := math.Max(0, math.Max(lo[1]-p.Lat, p.Lat-hi[1])) * ky
			return math.Hypot(dx, dy)
		}
		d, _ := segDist(p, g.pts[i], g.pts[i+1], kx, ky)
		return d
	}, func(_, _ [2]float64, i int32, d float64) bool {
		seg, s.DistM = i, d
		return false
	})
	if seg < 0 {
		return s, false
	}
	_, segT = segDist(p, g.pts[seg], g.pts[seg+1], kx, ky)
	e := g.segEdge[seg]
	s.Edge = e
	s.Point = lerp(g.pts[seg], g.pts[seg+1], segT)
	s.OffsetM = math.Min(g.length[e], g.cum[seg]+segT*(g.cum[seg+1]-g.cum[seg]))
	return s, s.DistM <= maxM
}

// segDist returns the planar distance in metres from p to segment a-b in
// an equirectangular projection about p with kx, ky metres per degree,
// and the fraction along a-b of the nearest point.
func segDist(p, a, b Point, kx, ky float64) (d, t float64) {
	ax, ay := (a.Lon-p.Lon)*kx, (a.Lat-p.Lat)*ky
	dx, dy := (b.Lon-a.Lon)*kx, (b.Lat-a.Lat)*ky
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t = math.Max(0, math.Min(1, -(ax*dx+ay*dy)/l2))
	}
	return math.Hypot(ax+t*dx, ay+t*dy), t
}

// Start returns a search start at the snapped position.
func (s Snap) Start() Start { return Start{Node: -1, Edge: s.Edge, OffsetM: s.OffsetM} }
