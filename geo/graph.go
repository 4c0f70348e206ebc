package geo

import (
	"math"
	"sort"

	"github.com/tidwall/rtree"
)

// EdgeSpec is one edge of a network as a caller describes it: an
// undirected stretch between two nodes with a travel cost per direction.
type EdgeSpec struct {
	From, To int64 // external node ids at the ends; Geometry runs From→To
	// LengthM is the edge's length in metres; when it is not a positive
	// finite number, the geodesic length of Geometry is used.
	LengthM float64
	// Forward and Backward are seconds to traverse the whole edge From→To
	// and To→From. A negative, NaN or infinite cost closes that direction.
	Forward, Backward float64
	// Geometry (lon,lat) runs From→To. Its ends give the nodes'
	// coordinates; edges with fewer than two positions are routable but
	// cannot be snapped to.
	Geometry LineString
}

// Arc is one directed traversal of an edge, out of the node whose arcs are
// listed (Graph.OutArcs).
type Arc struct {
	Head    int32   // dense id of the node the arc leads to
	Edge    int32   // edge index (position in NewGraph's input)
	Cost    float64 // seconds to traverse the whole edge this way
	Forward bool    // true when the arc runs along the geometry (From→To)
}

// Graph is a compact, immutable directed network built from EdgeSpecs.
// Nodes get dense int32 ids 0..NumNodes()-1 in order of first appearance
// (From before To, edge by edge); edges keep their input index. Out-arcs
// are stored in compressed sparse row form. A Graph is safe for
// concurrent use; searches over it use a Search each.
type Graph struct {
	ext    []int64 // dense node id → external id
	ids    map[int64]int32
	coords []Point // per node, lon,lat; NaN when no geometry names it

	// CSR out-arcs: arcs of node v are off[v] .. off[v+1]-1.
	off  []int32
	head []int32
	cost []float64
	edge []int32
	fwd  []bool

	// Per edge.
	from, to []int32
	length   []float64 // metres
	costF    []float64 // seconds From→To, <0 closed
	costB    []float64 // seconds To→From, <0 closed
	ptOff    []int32   // geometry of edge e is pts[ptOff[e]:ptOff[e+1]]
	pts      []Point
	cum      []float64 // cumulative distance along the edge at each position, metres, scaled so the last is length[e]
	segEdge  []int32   // edge of the segment starting at pts[i]

	// Snapping index over the segments of edges open in some direction,
	// keyed by the index of the segment's first position in pts.
	segs rtree.RTreeGN[float64, int32]
}

// closed reports whether a direction cost means "may not travel".
func closed(c float64) bool { return !(c >= 0) || math.IsInf(c, 1) }

// NewGraph builds the graph of edges. Directions with a negative (or NaN,
// or infinite) cost get no arc; edges closed both ways keep their index
// and geometry but get no arcs and are not snapped to.
func NewGraph(edges []EdgeSpec) *Graph {
	ne := len(edges)
	g := &Graph{
		ids:    make(map[int64]int32, ne),
		from:   make([]int32, ne),
		to:     make([]int32, ne),
		length: make([]float64, ne),
		costF:  make([]float64, ne),
		costB:  make([]float64, ne),
		ptOff:  make([]int32, ne+1),
	}
	node := func(ext int64, p Point, has bool) int32 {
		v, ok := g.ids[ext]
		if !ok {
			v = int32(len(g.ext))
			g.ids[ext] = v
			g.ext = append(g.ext, ext)
			g.coords = append(g.coords, Point{math.NaN(), math.NaN()})
		}
		if has && math.IsNaN(g.coords[v].Lon) {
			g.coords[v] = p
		}
		return v
	}
	npts := 0
	for i := range edges {
		if n := len(edges[i].Geometry); n >= 2 {
			npts += n
		}
	}
	g.pts = make([]Point, 0, npts)
	g.cum = make([]float64, 0, npts)
	g.segEdge = make([]int32, 0, npts)
	var narcs int
	deg := make([]int32, 0, ne)
	for i := range edges {
		e := &edges[i]
		geom := e.Geometry
		has := len(geom) >= 2
		var a, b Point
		if has {
			a, b = geom[0], geom[len(geom)-1]
		}
		u := node(e.From, a, has)
		v := node(e.To, b, has)
		g.from[i], g.to[i] = u, v
		for len(deg) < len(g.ext) {
			deg = append(deg, 0)
		}
		f, bw := e.Forward, e.Backward
		if closed(f) {
			f = -1
		}
		if closed(bw) {
			bw = -1
		}
		g.costF[i], g.costB[i] = f, bw
		if f >= 0 {
			deg[u]++
			narcs++
		}
		if bw >= 0 {
			deg[v]++
			narcs++
		}
		// Geometry and cumulative lengths.
		start := len(g.pts)
		var total float64
		if has {
			for k, p := range geom {
				if k > 0 {
					total += Distance(geom[k-1], p)
				}
				g.pts = append(g.pts, p)
				g.cum = append(g.cum, total)
				g.segEdge = append(g.segEdge, int32(i))
			}
		}
		L := e.LengthM
		if !(L > 0) || math.IsInf(L, 1) {
			L = total
		}
		g.length[i] = L
		if total > 0 && L != total {
			s := L / total
			c := g.cum[start:]
			for k := range c {
				c[k] *= s
			}
			c[len(c)-1] = L
		}
		g.ptOff[i+1] = int32(len(g.pts))
	}
	nn := len(g.ext)
	g.off = make([]int32, nn+1)
	for v := 0; v < nn; v++ {
		g.off[v+1] = g.off[v] + deg[v]
	}
	g.head = make([]int32, narcs)
	g.cost = make([]float64, narcs)
	g.edge = make([]int32, narcs)
	g.fwd = make([]bool, narcs)
	next := append([]int32(nil), g.off[:nn]...)
	put := func(u, v int32, c float64, e int32, fwd bool) {
		k := next[u]
		next[u]++
		g.head[k], g.cost[k], g.edge[k], g.fwd[k] = v, c, e, fwd
	}
	for i := 0; i < ne; i++ {
		if g.costF[i] >= 0 {
			put(g.from[i], g.to[i], g.costF[i], int32(i), true)
		}
		if g.costB[i] >= 0 {
			put(g.to[i], g.from[i], g.costB[i], int32(i), false)
		}
	}
	g.buildSnapIndex()
	return g
}

// NumNodes returns the number of nodes.
func (g *Graph) NumNodes() int { return len(g.ext) }

// NumEdges returns the number of edges (the length of NewGraph's input).
func (g *Graph) NumEdges() int { return len(g.from) }

// NumArcs returns the number of directed arcs (open edge directions).
func (g *Graph) NumArcs() int { return len(g.head) }

// NodeID returns the dense id of the node with external id ext.
func (g *Graph) NodeID(ext int64) (int32, bool) {
	v, ok := g.ids[ext]
	return v, ok
}

// ExternalID returns the external id of dense node v.
func (g *Graph) ExternalID(v int32) int64 { return g.ext[v] }

// Coord returns node v's position (lon,lat), taken from the end of the
// first edge geometry that names it; ok is false when no edge with a
// geometry touches v.
func (g *Graph) Coord(v int32) (p Point, ok bool) {
	p = g.coords[v]
	return p, !math.IsNaN(p.Lon)
}

// OutArcs returns the range [first, end) of arc indexes leaving node v,
// for use with Arc.
func (g *Graph) OutArcs(v int32) (first, end int32) { return g.off[v], g.off[v+1] }

// Arc returns arc a (see OutArcs).
func (g *Graph) Arc(a int32) Arc {
	return Arc{Head: g.head[a], Edge: g.edge[a], Cost: g.cost[a], Forward: g.fwd[a]}
}

// EdgeEnds returns the dense ids of edge e's From and To nodes.
func (g *Graph) EdgeEnds(e int32) (from, to int32) { return g.from[e], g.to[e] }

// EdgeLength returns edge e's length in metres.
func (g *Graph) EdgeLength(e int32) float64 { return g.length[e] }

// EdgeCost returns seconds to traverse edge e From→To (forward) and
// To→From (backward); -1 marks a closed direction.
func (g *Graph) EdgeCost(e int32) (forward, backward float64) { return g.costF[e], g.costB[e] }

// EdgeGeometry returns edge e's geometry (lon,lat, From→To). The slice is
// shared with the graph and must not be modified.
func (g *Graph) EdgeGeometry(e int32) LineString {
	return LineString(g.pts[g.ptOff[e]:g.ptOff[e+1]:g.ptOff[e+1]])
}

// locate returns the index i of the segment pts[i]..pts[i+1] of edge e
// containing distance d metres from the edge start (0 ≤ d ≤ length), and
// the fraction of that segment at d.
func (g *Graph) locate(e int32, d float64) (i int, t float64) {
	lo, hi := int(g.ptOff[e]), int(g.ptOff[e+1])-1 // hi: last position
	c := g.cum[lo : hi+1]
	// First position whose cumulative distance exceeds d, minus one.
	k := sort.SearchFloat64s(c, d)
	for k < len(c) && c[k] <= d {
		k++
	}
	k--
	if k < 0 {
		k = 0
	}
	if k >= len(c)-1 {
		k = len(c) - 2
	}
	if span := c[k+1] - c[k]; span > 0 {
		t = math.Max(0, math.Min(1, (d-c[k])/span))
	} else {
		t = 1
	}
	return lo + k, t
}

func lerp(a, b Point, t float64) Point {
	if t == 0 {
		return a
	}
	if t == 1 {
		return b
	}
	return Point{a.Lon + (b.Lon-a.Lon)*t, a.Lat + (b.Lat-a.Lat)*t}
}

// PointAt returns the point (lon,lat) distM metres along edge e from its
// From end, clamped to the edge; positions are interpolated linearly
// between geometry vertices. An edge without geometry returns its From
// node's coordinates (NaN when unknown).
func (g *Graph) PointAt(e int32, distM float64) Point {
	if g.ptOff[e+1]-g.ptOff[e] < 2 {
		return g.coords[g.from[e]]
	}
	d := math.Max(0, math.Min(g.length[e], distM))
	i, t := g.locate(e, d)
	return lerp(g.pts[i], g.pts[i+1], t)
}

// Sub returns the part of edge e's geometry from fromM to toM metres from
// its From end (lon,lat), clamped to the edge, always running From→To and
// always with at least two positions; fromM > toM is swapped. It is a new
// slice. An edge without geometry returns nil.
func (g *Graph) Sub(e int32, fromM, toM float64) LineString {
	if g.ptOff[e+1]-g.ptOff[e] < 2 {
		return nil
	}
	if fromM > toM {
		fromM, toM = toM, fromM
	}
	L := g.length[e]
	fromM = math.Max(0, math.Min(L, fromM))
	toM = math.Max(0, math.Min(L, toM))
	i, s := g.locate(e, fromM)
	j, t := g.locate(e, toM)
	out := make(LineString, 0, j-i+2)
	out = append(out, lerp(g.pts[i], g.pts[i+1], s))
	for k := i + 1; k <= j; k++ {
		if p := g.pts[k]; p != out[len(out)-1] {
			out = append(out, p)
		}
	}
	if p := lerp(g.pts[j], g.pts[j+1], t); p != out[len(out)-1] || len(out) == 1 {
		out = append(out, p)
	}
	return out
}
