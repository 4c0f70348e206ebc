package geo

import (
	"math"
	"math/bits"
	"slices"
)

// Start is where a search begins: a node (Node ≥ 0) or a point part-way
// along an edge (Node < 0; Edge and OffsetM, metres from the edge's From
// end, as a Snap gives them).
type Start struct {
	Node    int32
	Edge    int32
	OffsetM float64
}

// AtNode returns a search start at dense node v.
func AtNode(v int32) Start { return Start{Node: v, Edge: -1} }

// Piece is the stretch FromM..ToM (metres from the edge's From end,
// FromM < ToM) of edge Edge that a search reaches within a time limit.
type Piece struct {
	Edge       int32
	FromM, ToM float64
}

// Search is a reusable multi-source, time-bounded Dijkstra over one
// Graph. Its arrays are allocated once and reset in time proportional to
// the previous run's work, so running many searches with one Search is
// cheap. A Search is not safe for concurrent use; use one per goroutine.
type Search struct {
	g       *Graph
	secs    []float64 // per node: seconds from the nearest start, +Inf unreached
	src     []int32   // per node: index of the nearest start, -1 unreached
	pos     []int32   // per node: heap position, -1 not in heap, -2 settled
	heap    []heapItem
	touched []int32 // nodes whose secs/src/pos were set this run
	starts  []Start
	limit   float64
	settled int
	// Reached's scratch: per-edge visit stamps, candidate edges, start pieces.
	mark    []uint32
	stamp   uint32
	cand    []int32
	spieces []Piece
}

type heapItem struct {
	key float64
	v   int32
}

// NewSearch returns a Search over g.
func NewSearch(g *Graph) *Search {
	n := g.NumNodes()
	s := &Search{g: g, secs: make([]float64, n), src: make([]int32, n), pos: make([]int32, n)}
	for i := range s.secs {
		s.secs[i], s.src[i], s.pos[i] = math.Inf(1), -1, -1
	}
	return s
}

// Run computes, for every node reachable within limitS seconds of any
// start, the travel time in seconds from the nearest start and which start
// that is. A start on an edge reaches the edge's To end after
// (1-OffsetM/length)·forward seconds when the forward direction is open,
// and its From end after (OffsetM/length)·backward seconds when the
// backward direction is open. Starts with an unknown node or edge are
// ignored. It returns the number of nodes settled (reached within the
// limit). Results stay valid until the next Run.
func (s *Search) Run(starts []Start, limitS float64) int {
	s.reset()
	s.starts = append(s.starts[:0], starts...)
	s.limit = limitS
	g := s.g
	if !(limitS >= 0) {
		return 0
	}
	for i, st := range starts {
		si := int32(i)
		if st.Node >= 0 {
			if int(st.Node) < len(s.secs) {
				s.relax(st.Node, 0, si)
			}
			continue
		}
		e := st.Edge
		if e < 0 || int(e) >= len(g.from) {
			continue
		}
		L := g.length[e]
		frac := 0.0
		if L > 0 {
			frac = math.Max(0, math.Min(1, st.OffsetM/L))
		}
		if f := g.costF[e]; f >= 0 {
			if t := (1 - frac) * f; t <= limitS {
				s.relax(g.to[e], t, si)
			}
		}
		if b := g.costB[e]; b >= 0 {
			if t := frac * b; t <= limitS {
				s.relax(g.from[e], t, si)
			}
		}
	}
	s.run4()
	return s.settled
}

// reset clears what the previous run touched.
func (s *Search) reset() {
	for _, v := range s.touched {
		s.secs[v], s.src[v], s.pos[v] = math.Inf(1), -1, -1
	}
	s.touched = s.touched[:0]
	s.heap = s.heap[:0]
	s.settled = 0
}

// relax offers time t from start si to node v (t ≤ limit).
func (s *Search) relax(v int32, t float64, si int32) {
	if !(t < s.secs[v]) {
		return
	}
	if s.pos[v] == -1 && math.IsInf(s.secs[v], 1) {
		s.touched = append(s.touched, v)
	}
	s.secs[v], s.src[v] = t, si
	if p := s.pos[v]; p >= 0 {
		s.heap[p].key = t
		s.up4(int(p))
		return
	}
	s.heap = append(s.heap, heapItem{t, v})
	s.pos[v] = int32(len(s.heap) - 1)
	s.up4(len(s.heap) - 1)
}

// run4 is Dijkstra with a 4-ary heap and decrease-key.
func (s *Search) run4() {
	g, lim := s.g, s.limit
	for len(s.heap) > 0 {
		top := s.heap[0]
		last := s.heap[len(s.heap)-1]
		s.heap = s.heap[:len(s.heap)-1]
		if len(s.heap) > 0 {
			s.heap[0] = last
			s.pos[last.v] = 0
			s.down4(0)
		}
		u := top.v
		s.pos[u] = -2
		s.settled++
		tu, su := top.key, s.src[u]
		for a, end := g.off[u], g.off[u+1]; a < end; a++ {
			v := g.head[a]
			if t := tu + g.cost[a]; t <= lim && t < s.secs[v] {
				s.relax(v, t, su)
			}
		}
	}
}

func (s *Search) up4(i int) {
	h := s.heap
	it := h[i]
	for i > 0 {
		p := (i - 1) >> 2
		if h[p].key <= it.key {
			break
		}
		h[i] = h[p]
		s.pos[h[i].v] = int32(i)
		i = p
	}
	h[i] = it
	s.pos[it.v] = int32(i)
}

func (s *Search) down4(i int) {
	h := s.heap
	n := len(h)
	it := h[i]
	for {
		c := i<<2 + 1
		if c >= n {
			break
		}
		best, bk := c, h[c].key
		for k := c + 1; k < c+4 && k < n; k++ {
			if h[k].key < bk {
				best, bk = k, h[k].key
			}
		}
		if bk >= it.key {
			break
		}
		h[i] = h[best]
		s.pos[h[i].v] = int32(i)
		i = best
	}
	h[i] = it
	s.pos[it.v] = int32(i)
}

// Seconds returns, per dense node id, the travel time in seconds from the
// nearest start of the last Run, +Inf for nodes not reached within its
// limit. The slice is owned by the Search and overwritten by the next Run.
func (s *Search) Seconds() []float64 { return s.secs }

// Source returns, per dense node id, the index (into the last Run's
// starts) of the start nearest in time, -1 for nodes not reached. Ties go
// to the start that reached the node first. The slice is owned by the
// Search and overwritten by the next Run.
func (s *Search) Source() []int32 { return s.src }

// Settled returns the number of nodes the last Run reached within its
// limit.
func (s *Search) Settled() int { return s.settled }

// Reached returns the stretches of edges reachable within limitS seconds
// (capped at the last Run's limit) from the last Run's starts, travelling
// along edges in their open directions at each edge's own speed
// (length / cost): from each reached node onward into its out-edges, and
// from each edge start along its own edge. Pieces are merged per edge and
// sorted by edge then FromM; an edge reached all along is one piece
// 0..EdgeLength, one reached from both ends but not in the middle gives
// two. Zero-length stretches are dropped. Lengths are metres.
func (s *Search) Reached(limitS float64) []Piece {
	g := s.g
	lim := math.Min(limitS, s.limit)
	if !(lim >= 0) {
		return nil
	}
	if s.mark == nil {
		s.mark = make([]uint32, len(g.from))
	}
	s.stamp++
	if s.stamp == 0 { // wrapped: clear old marks
		clear(s.mark)
		s.stamp = 1
	}
	// Candidate edges: the out-edges of every reached node (an edge open
	// away from a reached end) and the start edges.
	cand := s.cand[:0]
	for _, u := range s.touched {
		if !(s.secs[u] <= lim) {
			continue
		}
		for a, end := g.off[u], g.off[u+1]; a < end; a++ {
			if e := g.edge[a]; s.mark[e] != s.stamp {
				s.mark[e] = s.stamp
				cand = append(cand, e)
			}
		}
	}
	// Start pieces, sorted by edge.
	sp := s.spieces[:0]
	for _, st := range s.starts {
		e := st.Edge
		if st.Node >= 0 || e < 0 || int(e) >= len(g.from) {
			continue
		}
		L := g.length[e]
		o := math.Max(0, math.Min(L, st.OffsetM))
		if f := g.costF[e]; f >= 0 {
			if d := along(lim, L, f); d >= L-o {
				sp = append(sp, Piece{e, o, L})
			} else {
				sp = append(sp, Piece{e, o, o + d})
			}
		}
		if b := g.costB[e]; b >= 0 {
			if d := along(lim, L, b); d >= o {
				sp = append(sp, Piece{e, 0, o})
			} else {
				sp = append(sp, Piece{e, o - d, o})
			}
		}
		if s.mark[e] != s.stamp {
			s.mark[e] = s.stamp
			cand = append(cand, e)
		}
	}
	slices.SortFunc(sp, cmpPiece)
	if n := len(cand); n > 0 && n*bits.Len(uint(n)) > len(g.from) {
		// A large share of the graph: reading the marks in edge order is
		// cheaper than sorting.
		cand = cand[:0]
		for e, m := range s.mark {
			if m == s.stamp {
				cand = append(cand, int32(e))
			}
		}
	} else {
		slices.Sort(cand)
	}
	s.cand, s.spieces = cand, sp
	out := make([]Piece, 0, len(cand)+len(sp))
	var ps []Piece
	for _, e := range cand {
		L := g.length[e]
		ps = ps[:0]
		if f := g.costF[e]; f >= 0 {
			if tu := s.secs[g.from[e]]; tu <= lim {
				ps = append(ps, Piece{e, 0, along(lim-tu, L, f)})
			}
		}
		if b := g.costB[e]; b >= 0 {
			if tv := s.secs[g.to[e]]; tv <= lim {
				ps = append(ps, Piece{e, L - along(lim-tv, L, b), L})
			}
		}
		for len(sp) > 0 && sp[0].Edge == e {
			ps = append(ps, sp[0])
			sp = sp[1:]
		}
		if len(ps) > 1 {
			slices.SortFunc(ps, cmpPiece)
		}
		first := len(out)
		for _, p := range ps {
			if !(p.ToM > p.FromM) {
				continue
			}
			if n := len(out); n > first && p.FromM <= out[n-1].ToM {
				out[n-1].ToM = math.Max(out[n-1].ToM, p.ToM)
				continue
			}
			out = append(out, p)
		}
	}
	return out
}

// along returns how far, in metres, remS seconds carry along an edge of
// length L metres and cost c seconds (c ≥ 0).
func along(remS, L, c float64) float64 {
	if remS >= c {
		return L
	}
	return remS / c * L
}

func cmpPiece(a, b Piece) int {
	switch {
	case a.Edge != b.Edge:
		return int(a.Edge - b.Edge)
	case a.FromM < b.FromM:
		return -1
	case a.FromM > b.FromM:
		return 1
	}
	return 0
}
