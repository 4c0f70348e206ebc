package osm

import (
	"math"

	"github.com/tidewatch/tidewatch/geo"
)

// joinRings joins way node lists into closed rings by matching end node
// ids; chains that do not close are dropped.
func joinRings(ways [][]int64) [][]int64 {
	var rings [][]int64
	used := make([]bool, len(ways))
	for i, w := range ways {
		if used[i] || len(w) < 2 {
			continue
		}
		used[i] = true
		chain := append([]int64(nil), w...)
		for chain[0] != chain[len(chain)-1] {
			grown := false
			for j, o := range ways {
				if used[j] || len(o) < 2 {
					continue
				}
				end := chain[len(chain)-1]
				switch end {
				case o[0]:
					chain = append(chain, o[1:]...)
				case o[len(o)-1]:
					for k := len(o) - 2; k >= 0; k-- {
						chain = append(chain, o[k])
					}
				default:
					continue
				}
				used[j], grown = true, true
				break
			}
			if !grown {
				break
			}
		}
		if len(chain) >= 4 && chain[0] == chain[len(chain)-1] {
			rings = append(rings, chain)
		}
	}
	return rings
}

// ringArea returns the signed planar area of r in square degrees and its
// area-weighted centroid (lon,lat); for a degenerate ring the centroid is
// the vertex mean.
func ringArea(r geo.Ring) (float64, geo.Point) {
	if len(r) == 0 {
		return 0, geo.Point{}
	}
	o := r[0] // shift to the first vertex for precision
	var a, cx, cy float64
	for i := 1; i < len(r); i++ {
		x0, y0 := r[i-1].Lon-o.Lon, r[i-1].Lat-o.Lat
		x1, y1 := r[i].Lon-o.Lon, r[i].Lat-o.Lat
		cr := x0*y1 - x1*y0
		a += cr
		cx += (x0 + x1) * cr
		cy += (y0 + y1) * cr
	}
	if math.Abs(a) < 1e-18 {
		return 0, meanPoint(r)
	}
	return a / 2, geo.Point{Lon: o.Lon + cx/(3*a), Lat: o.Lat + cy/(3*a)}
}

// meanPoint returns the mean of the points (lon,lat).
func meanPoint(pts []geo.Point) geo.Point {
	var p geo.Point
	for _, q := range pts {
		p.Lon += q.Lon
		p.Lat += q.Lat
	}
	n := float64(len(pts))
	return geo.Point{Lon: p.Lon / n, Lat: p.Lat / n}
}

// inRing reports whether p lies inside ring r (even-odd rule).
func inRing(p geo.Point, r geo.Ring) bool {
	in := false
	for i, j := 0, len(r)-1; i < len(r); j, i = i, i+1 {
		a, b := r[i], r[j]
		if (a.Lat > p.Lat) != (b.Lat > p.Lat) &&
			p.Lon < (b.Lon-a.Lon)*(p.Lat-a.Lat)/(b.Lat-a.Lat)+a.Lon {
			in = !in
		}
	}
	return in
}

// polygons builds polygons from outer and inner rings: each inner ring
// becomes a hole of the first outer ring containing its first vertex.
func polygons(outer, inner []geo.Ring) []geo.Polygon {
	ps := make([]geo.Polygon, len(outer))
	for i, o := range outer {
		ps[i] = geo.Polygon{o}
	}
	for _, h := range inner {
		for i, o := range outer {
			if inRing(h[0], o) {
				ps[i] = append(ps[i], h)
				break
			}
		}
	}
	return ps
}

// centroid returns the area centroid of the largest polygon's outer ring.
func centroid(ps []geo.Polygon) geo.Point {
	var best geo.Point
	bestA := -1.0
	for _, p := range ps {
		a, c := ringArea(p[0])
		if a = math.Abs(a); a > bestA {
			best, bestA = c, a
		}
	}
	return best
}
