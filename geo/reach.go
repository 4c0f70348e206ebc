package geo

import "math"

// Defaults of ReachOptions, in metres.
const (
	DefaultReachCellM   = 15.0
	DefaultReachBufferM = 60.0
)

// ReachOptions configures ReachPolygons and ReachPolygonsTiers.
type ReachOptions struct {
	// CellM is the side of the square lattice cells in metres (default
	// DefaultReachCellM). Output edges run along cell sides.
	CellM float64
	// BufferM bounds, in metres, how far any point of the output may lie
	// from the nearest input line (default DefaultReachBufferM). A cell is
	// kept when its centre lies within BufferM − CellM·√2/2 of a line, so
	// every point of a kept cell is within BufferM. BufferM below CellM·√2
	// is raised to CellM·√2, the least that still contains every line.
	BufferM float64
	// Origin (lon,lat) is the projection origin and lattice anchor: cell
	// corners sit at whole multiples of CellM metres east and north of it
	// in NewProjection(Origin). Calls that share Origin and CellM share the
	// lattice bit for bit, so their outputs nest whenever their marked
	// cells do. The zero Point means the centre of the lines' bound.
	Origin Point
}

// reachNone marks a cell that no tier reaches.
const reachNone = math.MaxUint8

// reachRaster is the lattice of ReachOptions cut to the input's extent:
// per cell the lowest tier whose lines pass within the marking radius of
// the cell's centre. Column i, row j is the cell whose south-west corner is
// at ((gx0+i)·cell, (gy0+j)·cell) metres in proj; rows run south to north.
type reachRaster struct {
	proj     Projection
	cell     float64
	gx0, gy0 int
	w, h     int
	lv       []uint8 // row-major, len w·h
}

// ReachPolygons returns the area within reach of lines (lon,lat) as
// polygons built from the square lattice of opt:
//   - every point of every line lies inside or on the boundary of the
//     result (containment);
//   - no point of the result lies farther than opt.BufferM metres from a
//     line (tightness), so streets on opposite sides of a river, rail yard
//     or park wider than 2·BufferM are never bridged;
//   - with a shared Origin and CellM the result is monotone: lines A that
//     are among lines B give ReachPolygons(A) ⊆ ReachPolygons(B) exactly;
//     when A holds cut pieces of B's lines it also holds, except that a
//     cell centre within rounding error (~1e-9 m) of the marking radius
//     may go either way; ReachPolygonsTiers nests exactly in every case;
//   - each polygon passes ValidatePolygon; shells run counter-clockwise,
//     holes clockwise; rings of one polygon, and separate polygons, may
//     touch at single corners but never share an edge.
//
// Distances are planar metres in NewProjection(opt.Origin) (within 0.1 %
// of true distances over a city). A line of one position counts as that
// point; non-finite positions are skipped. Memory is about 7 bytes per
// cell of the lines' bound grown by BufferM (2 MB for 8 km × 8 km at
// 15 m). An empty input gives nil.
func ReachPolygons(lines []LineString, opt ReachOptions) MultiPolygon {
	return ReachPolygonsTiers([][]LineString{lines}, opt)[0]
}

// ReachPolygonsTiers builds the polygons of several nested reach tiers
// (for example 1-, 3- and 5-minute response rings) in one pass over one
// lattice. Tier i covers tiers[0] ∪ … ∪ tiers[i], so callers may pass
// either cumulative line sets or only each tier's additions; either way
// result[i] ⊆ result[i+1] exactly (shared cells, bit-identical corners).
// Every result has the properties listed at ReachPolygons with respect to
// the union of its lines. At most 255 tiers; more panic. Coordinates are
// lon,lat; distances metres.
func ReachPolygonsTiers(tiers [][]LineString, opt ReachOptions) []MultiPolygon {
	if len(tiers) > reachNone {
		panic("geo: ReachPolygonsTiers: more than 255 tiers")
	}
	out := make([]MultiPolygon, len(tiers))
	g, ok := newReachRaster(tiers, opt)
	if !ok {
		return out
	}
	for k := range tiers {
		out[k] = g.polygons(uint8(k))
	}
	return out
}

// reachParams returns the cell side and marking radius, in metres.
func (opt ReachOptions) reachParams() (cell, r float64) {
	cell = opt.CellM
	if !(cell > 0) || math.IsInf(cell, 0) {
		cell = DefaultReachCellM
	}
	buf := opt.BufferM
	if !(buf > 0) || math.IsInf(buf, 0) {
		buf = DefaultReachBufferM
	}
	hd := cell * math.Sqrt2 / 2
	return cell, math.Max(buf-hd, hd)
}

func reachFinite(p Point) bool {
	return !math.IsNaN(p.Lon) && !math.IsNaN(p.Lat) && !math.IsInf(p.Lon, 0) && !math.IsInf(p.Lat, 0)
}

// newReachRaster sizes the lattice to the lines and marks every tier.
func newReachRaster(tiers [][]LineString, opt ReachOptions) (*reachRaster, bool) {
	b := EmptyBound()
	for _, lines := range tiers {
		for _, ls := range lines {
			for _, p := range ls {
				if reachFinite(p) {
					b = b.Extend(p)
				}
			}
		}
	}
	if b.IsEmpty() {
		return nil, false
	}
	origin := opt.Origin
	if origin == (Point{}) {
		origin = b.Center()
	}
	cell, r := opt.reachParams()
	g := &reachRaster{proj: NewProjection(origin), cell: cell}
	lo, hi := g.proj.Forward(b.Min), g.proj.Forward(b.Max)
	// Two spare cells on every side keep the border cells unmarked, so
	// every boundary edge lies strictly inside the raster.
	g.gx0 = int(math.Floor((lo.X-r)/cell)) - 2
	g.gy0 = int(math.Floor((lo.Y-r)/cell)) - 2
	g.w = int(math.Ceil((hi.X+r)/cell)) + 2 - g.gx0
	g.h = int(math.Ceil((hi.Y+r)/cell)) + 2 - g.gy0
	g.lv = make([]uint8, g.w*g.h)
	for i := range g.lv {
		g.lv[i] = reachNone
	}
	for k, lines := range tiers {
		for _, ls := range lines {
			g.markLine(ls, r, uint8(k))
		}
	}
	return g, true
}

// markLine marks, for tier k, every cell whose centre lies within r metres
// of ls.
func (g *reachRaster) markLine(ls LineString, r float64, k uint8) {
	var prev XY
	have := false
	for _, p := range ls {
		if !reachFinite(p) {
			continue
		}
		q := g.proj.Forward(p)
		if !have {
			g.markSegment(q, q, r, k)
			have = true
		} else {
			g.markSegment(prev, q, r, k)
		}
		prev = q
	}
}

// markSegment lowers to k the level of every cell whose centre lies within
// r metres of segment a-b (projected metres). The set of such centres in
// one row is the intersection of the row's centre line with the capsule
// around a-b, a single interval found in closed form.
func (g *reachRaster) markSegment(a, b XY, r float64, k uint8) {
	c := g.cell
	j0 := max(0, int(math.Ceil((math.Min(a.Y, b.Y)-r)/c-0.5))-g.gy0)
	j1 := min(g.h-1, int(math.Floor((math.Max(a.Y, b.Y)+r)/c-0.5))-g.gy0)
	dx, dy := b.X-a.X, b.Y-a.Y
	l2 := dx*dx + dy*dy
	for j := j0; j <= j1; j++ {
		yc := (float64(g.gy0+j) + 0.5) * c
		lo, hi := math.Inf(1), math.Inf(-1)
		for _, e := range [2]XY{a, b} {
			if v := yc - e.Y; math.Abs(v) <= r {
				s := math.Sqrt(r*r - v*v)
				lo, hi = math.Min(lo, e.X-s), math.Max(hi, e.X+s)
			}
		}
		if l2 > 0 {
			// Band of the capsule: projection onto the segment within
			// [0,1] and distance to its line at most r.
			blo, bhi := math.Inf(-1), math.Inf(1)
			if dy != 0 {
				xs := a.X + (yc-a.Y)*dx/dy
				half := r * math.Sqrt(l2) / math.Abs(dy)
				blo, bhi = xs-half, xs+half
			} else if math.Abs(yc-a.Y) > r {
				blo, bhi = 1, 0
			}
			if dx != 0 {
				x0 := a.X - (yc-a.Y)*dy/dx
				x1 := x0 + l2/dx
				blo, bhi = math.Max(blo, math.Min(x0, x1)), math.Min(bhi, math.Max(x0, x1))
			} else if t := (yc - a.Y) * dy; t < 0 || t > l2 {
				blo, bhi = 1, 0
			}
			if blo <= bhi {
				lo, hi = math.Min(lo, blo), math.Max(hi, bhi)
			}
		}
		if !(lo <= hi) {
			continue
		}
		i0 := max(0, int(math.Ceil(lo/c-0.5))-g.gx0)
		i1 := min(g.w-1, int(math.Floor(hi/c-0.5))-g.gx0)
		row := g.lv[j*g.w : (j+1)*g.w]
		for i := i0; i <= i1; i++ {
			if row[i] > k {
				row[i] = k
			}
		}
	}
}

// polygons traces the cells of tiers 0..k and converts the rings to
// lon,lat.
func (g *reachRaster) polygons(k uint8) MultiPolygon {
	m := reachMask{w: g.w, h: g.h, lv: g.lv, k: k}
	ipolys := m.trace()
	if len(ipolys) == 0 {
		return nil
	}
	kx, ky := g.proj.MetresPerDegree()
	// Corners are computed from absolute lattice indexes so that every
	// tier and every call with the same Origin and CellM yields the same
	// bits for the same corner.
	lon := func(x int32) float64 { return g.proj.Origin.Lon + float64(g.gx0+int(x))*g.cell/kx }
	lat := func(y int32) float64 { return g.proj.Origin.Lat + float64(g.gy0+int(y))*g.cell/ky }
	out := make(MultiPolygon, len(ipolys))
	for i, ip := range ipolys {
		pg := make(Polygon, len(ip))
		for j, ir := range ip {
			ring := make(Ring, len(ir)+1)
			for n, v := range ir {
				ring[n] = Point{lon(v.x), lat(v.y)}
			}
			ring[len(ir)] = ring[0]
			pg[j] = ring
		}
		out[i] = pg
	}
	return out
}
