package osm

import "github.com/tidewatch/tidewatch/geo"

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

// polygons builds polygons from outer and inner rings: each inner ring
// becomes a hole of the first outer ring containing its first vertex.
func polygons(outer, inner []geo.Ring) []geo.Polygon {
	ps := make([]geo.Polygon, len(outer))
	for i, o := range outer {
		ps[i] = geo.Polygon{o}
	}
	for _, h := range inner {
		for i, o := range outer {
			if o.Contains(h[0]) {
				ps[i] = append(ps[i], h)
				break
			}
		}
	}
	return ps
}

// centroid returns the area centroid (lon,lat) of the outer ring of the
// largest polygon by outer-ring area (m²); holes are not subtracted.
func centroid(ps []geo.Polygon) geo.Point {
	var best geo.Ring
	bestA := -1.0
	for _, p := range ps {
		if a := p[0].Area(); a > bestA {
			best, bestA = p[0], a
		}
	}
	return geo.Polygon{best}.Centroid()
}
