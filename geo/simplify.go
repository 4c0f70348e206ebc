package geo

import "math"

// Simplify returns the line simplified with the Douglas–Peucker algorithm:
// positions are dropped while every dropped position stays within
// toleranceM metres of the kept segment that replaces it. The first and
// last positions are always kept. Distances are measured in a local
// projection about the centre of the line's bounding box. A tolerance <= 0
// or a line of fewer than 3 positions returns ls itself; otherwise the
// result is a new slice. Coordinates are lon,lat.
func (ls LineString) Simplify(toleranceM float64) LineString {
	if toleranceM <= 0 || len(ls) < 3 {
		return ls
	}
	pr := NewProjection(ls.Bound().Center())
	xy := make([]XY, len(ls))
	for i, p := range ls {
		xy[i] = pr.Forward(p)
	}
	keep := make([]bool, len(ls))
	keep[0], keep[len(ls)-1] = true, true
	type span struct{ i, j int }
	stack := []span{{0, len(ls) - 1}}
	for len(stack) > 0 {
		s := stack[len(stack)-1]
		stack = stack[:len(stack)-1]
		far, farD := -1, toleranceM
		for k := s.i + 1; k < s.j; k++ {
			if d := segmentDistance(xy[k], xy[s.i], xy[s.j]); d > farD {
				far, farD = k, d
			}
		}
		if far < 0 {
			continue
		}
		keep[far] = true
		stack = append(stack, span{s.i, far}, span{far, s.j})
	}
	out := make(LineString, 0, len(ls))
	for i, p := range ls {
		if keep[i] {
			out = append(out, p)
		}
	}
	return out
}

// segmentDistance returns the planar distance from p to segment a-b
// (same units as the inputs).
func segmentDistance(p, a, b XY) float64 {
	dx, dy := b.X-a.X, b.Y-a.Y
	t := 0.0
	if l2 := dx*dx + dy*dy; l2 > 0 {
		t = math.Max(0, math.Min(1, ((p.X-a.X)*dx+(p.Y-a.Y)*dy)/l2))
	}
	return math.Hypot(p.X-a.X-t*dx, p.Y-a.Y-t*dy)
}
