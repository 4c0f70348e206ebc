package geo_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/tidewatch/tidewatch/geo"
)

var inf = math.Inf(1)

// straight returns a straight two-position line between two points x
// metres east of a Baltimore origin (lon,lat).
func straight(x0, x1 float64) geo.LineString {
	pr := geo.NewProjection(geo.Point{Lon: -76.61, Lat: 39.29})
	return geo.LineString{pr.Inverse(geo.XY{X: x0}), pr.Inverse(geo.XY{X: x1})}
}

// handGraph: nodes 10, 20, 30, 40 (dense 0..3).
//
//	e0 10→20 100 m, 10 s forward, 20 s back
//	e1 20→30 200 m, 20 s, one-way
//	e2 30→40 100 m, 5 s both ways
//	e3 10→40 300 m, closed forward, 30 s back (40→10 only)
func handGraph() *geo.Graph {
	return geo.NewGraph([]geo.EdgeSpec{
		{From: 10, To: 20, LengthM: 100, Forward: 10, Backward: 20, Geometry: straight(0, 100)},
		{From: 20, To: 30, LengthM: 200, Forward: 20, Backward: -1, Geometry: straight(100, 300)},
		{From: 30, To: 40, LengthM: 100, Forward: 5, Backward: 5, Geometry: straight(300, 400)},
		{From: 10, To: 40, LengthM: 300, Forward: -1, Backward: 30, Geometry: straight(0, 400)},
	})
}

func wantSeconds(t *testing.T, s *geo.Search, want []float64, wantSrc []int32) {
	t.Helper()
	if got := s.Seconds(); !slices.Equal(got, want) {
		t.Errorf("Seconds = %v, want %v", got, want)
	}
	if wantSrc != nil && !slices.Equal(s.Source(), wantSrc) {
		t.Errorf("Source = %v, want %v", s.Source(), wantSrc)
	}
	n := 0
	for _, x := range want {
		if !math.IsInf(x, 1) {
			n++
		}
	}
	if s.Settled() != n {
		t.Errorf("Settled = %d, want %d", s.Settled(), n)
	}
}

func TestDijkstraHand(t *testing.T) {
	g := handGraph()
	s := geo.NewSearch(g)
	// From node 10: one-way e1 forward, e3 closed forward.
	s.Run([]geo.Start{geo.AtNode(0)}, 100)
	wantSeconds(t, s, []float64{0, 10, 30, 35}, []int32{0, 0, 0, 0})
	// From node 40: e3 backward to 10, e1 closed backward so 20 via 10.
	s.Run([]geo.Start{geo.AtNode(3)}, 100)
	wantSeconds(t, s, []float64{30, 40, 5, 0}, nil)
	// Limit: 30 s reaches 10, 30 and 40 but not 20 (40 s).
	s.Run([]geo.Start{geo.AtNode(3)}, 30)
	wantSeconds(t, s, []float64{30, inf, 5, 0}, []int32{0, -1, 0, 0})
	// Two sources: node 10 and node 40.
	s.Run([]geo.Start{geo.AtNode(0), geo.AtNode(3)}, 100)
	wantSeconds(t, s, []float64{0, 10, 5, 0}, []int32{0, 0, 1, 1})
	// Partial source a quarter along the one-way e1: only To is reached
	// directly, after 0.75·20 = 15 s.
	s.Run([]geo.Start{{Node: -1, Edge: 1, OffsetM: 50}}, 100)
	wantSeconds(t, s, []float64{50, 60, 15, 20}, nil)
	// Partial source on two-way e0 at 30 m: From after 0.3·20 = 6 s,
	// To after 0.7·10 = 7 s.
	s.Run([]geo.Start{{Node: -1, Edge: 0, OffsetM: 30}}, 100)
	wantSeconds(t, s, []float64{6, 7, 27, 32}, nil)
	// Unknown starts are ignored; a negative limit reaches nothing.
	s.Run([]geo.Start{geo.AtNode(99), {Node: -1, Edge: 42}}, 100)
	wantSeconds(t, s, []float64{inf, inf, inf, inf}, []int32{-1, -1, -1, -1})
	s.Run([]geo.Start{geo.AtNode(0)}, -1)
	wantSeconds(t, s, []float64{inf, inf, inf, inf}, nil)
}

func TestReachedHand(t *testing.T) {
	g := handGraph()
	s := geo.NewSearch(g)
	s.Run([]geo.Start{{Node: -1, Edge: 1, OffsetM: 50}}, 100)
	// 17 s: the source edge from 50 m to its end (150 m take 15 s), then
	// 2 s of the 5 s e2 from node 30: 40 m. e1 is one-way, so nothing
	// before 50 m.
	want := []geo.Piece{{Edge: 1, FromM: 50, ToM: 200}, {Edge: 2, FromM: 0, ToM: 40}}
	if got := s.Reached(17); !slices.Equal(got, want) {
		t.Errorf("Reached(17) = %v, want %v", got, want)
	}
	// 12 s: 12/20 of 200 m = 120 m along the source edge only.
	if got := s.Reached(12); !slices.Equal(got, []geo.Piece{{Edge: 1, FromM: 50, ToM: 170}}) {
		t.Errorf("Reached(12) = %v", got)
	}
	// 22 s: node 40 at 20 s adds 2 s back along e2 (40 m) and 2 s of
	// the 30 s e3 backwards (20 m of 300), merged with e2's forward 70 m.
	want = []geo.Piece{{Edge: 1, FromM: 50, ToM: 200}, {Edge: 2, FromM: 0, ToM: 100}, {Edge: 3, FromM: 280, ToM: 300}}
	if got := s.Reached(22); !slices.Equal(got, want) {
		t.Errorf("Reached(22) = %v, want %v", got, want)
	}
	// Reached above the search limit is capped at it.
	s.Run([]geo.Start{geo.AtNode(0)}, 32)
	want = []geo.Piece{{Edge: 0, FromM: 0, ToM: 100}, {Edge: 1, FromM: 0, ToM: 200}, {Edge: 2, FromM: 0, ToM: 40}}
	if got := s.Reached(1000); !slices.Equal(got, want) {
		t.Errorf("Reached(1000) after a 32 s search = %v, want %v", got, want)
	}
	// Two sources at either end of one edge: two pieces, then one.
	g2 := geo.NewGraph([]geo.EdgeSpec{{From: 1, To: 2, LengthM: 100, Forward: 10, Backward: 10, Geometry: straight(0, 100)}})
	s2 := geo.NewSearch(g2)
	s2.Run([]geo.Start{geo.AtNode(0), geo.AtNode(1)}, 60)
	want = []geo.Piece{{Edge: 0, FromM: 0, ToM: 30}, {Edge: 0, FromM: 70, ToM: 100}}
	if got := s2.Reached(3); !slices.Equal(got, want) {
		t.Errorf("two ends, 3 s: %v, want %v", got, want)
	}
	if got := s2.Reached(6); !slices.Equal(got, []geo.Piece{{Edge: 0, FromM: 0, ToM: 100}}) {
		t.Errorf("two ends, 6 s: %v, want the whole edge", got)
	}
	// A start in the middle of a two-way edge spreads both ways.
	s2.Run([]geo.Start{{Node: -1, Edge: 0, OffsetM: 40}}, 2)
	if got := s2.Reached(2); !slices.Equal(got, []geo.Piece{{Edge: 0, FromM: 20, ToM: 60}}) {
		t.Errorf("mid-edge start, 2 s: %v, want 20..60", got)
	}
}

// randomGraph returns n nodes at random positions and m random edges with
// random costs: about a tenth of directions closed, a few zero costs,
// some parallel edges and loops.
func randomGraph(rng *rand.Rand, n, m int) []geo.EdgeSpec {
	pr := geo.NewProjection(geo.Point{Lon: -76.61, Lat: 39.29})
	pos := make([]geo.Point, n)
	for i := range pos {
		pos[i] = pr.Inverse(geo.XY{X: rng.Float64() * 5000, Y: rng.Float64() * 5000})
	}
	cost := func() float64 {
		switch r := rng.Float64(); {
		case r < 0.1:
			return -1
		case r < 0.12:
			return 0
		}
		return 1 + rng.Float64()*60
	}
	edges := make([]geo.EdgeSpec, m)
	for i := range edges {
		u, v := rng.IntN(n), rng.IntN(n)
		if i < n-1 { // a spanning path so most nodes are connected
			u, v = i, i+1
		}
		geom := geo.LineString{pos[u], pos[v]}
		L := geom.Length()
		if L == 0 {
			L = 10
		}
		edges[i] = geo.EdgeSpec{From: int64(1000 + u), To: int64(1000 + v), LengthM: L,
			Forward: cost(), Backward: cost(), Geometry: geom}
	}
	return edges
}

// naive is an O(n²) Dijkstra over edge specs, without a limit, from
// starts given as (external node) or (edge, offset); it returns seconds per
// external node id.
func naive(edges []geo.EdgeSpec, g *geo.Graph, starts []geo.Start) map[int64]float64 {
	d := map[int64]float64{}
	for _, e := range edges {
		d[e.From], d[e.To] = inf, inf
	}
	offer := func(v int64, t float64) {
		if t < d[v] {
			d[v] = t
		}
	}
	for _, st := range starts {
		if st.Node >= 0 {
			offer(g.ExternalID(st.Node), 0)
			continue
		}
		e := edges[st.Edge]
		frac := st.OffsetM / g.EdgeLength(st.Edge)
		if e.Forward >= 0 {
			offer(e.To, (1-frac)*e.Forward)
		}
		if e.Backward >= 0 {
			offer(e.From, frac*e.Backward)
		}
	}
	done := map[int64]bool{}
	for {
		var u int64
		best := inf
		for v, t := range d {
			if !done[v] && (t < best || t == best && t < inf && v < u) {
				u, best = v, t
			}
		}
		if math.IsInf(best, 1) {
			return d
		}
		done[u] = true
		for _, e := range edges {
			if e.From == u && e.Forward >= 0 {
				offer(e.To, best+e.Forward)
			}
			if e.To == u && e.Backward >= 0 {
				offer(e.From, best+e.Backward)
			}
		}
	}
}

func TestDijkstraMatchesNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	for trial := range 30 {
		n := 20 + rng.IntN(150)
		edges := randomGraph(rng, n, n+rng.IntN(3*n))
		g := geo.NewGraph(edges)
		s := geo.NewSearch(g) // one Search reused across runs
		for run := range 4 {
			var starts []geo.Start
			for range 1 + rng.IntN(3) {
				if rng.IntN(2) == 0 {
					starts = append(starts, geo.AtNode(int32(rng.IntN(g.NumNodes()))))
				} else {
					e := int32(rng.IntN(g.NumEdges()))
					starts = append(starts, geo.Start{Node: -1, Edge: e, OffsetM: rng.Float64() * g.EdgeLength(e)})
				}
			}
			limit := 30 + rng.Float64()*300
			s.Run(starts, limit)
			want := naive(edges, g, starts)
			secs, src := s.Seconds(), s.Source()
			settled := 0
			alone := map[int32]map[int64]float64{} // per start: its own times
			for v := int32(0); v < int32(g.NumNodes()); v++ {
				w := want[g.ExternalID(v)]
				if math.Abs(w-limit) < 1e-9 {
					continue // on the boundary: either answer is right
				}
				if w > limit {
					w = inf
				} else {
					settled++
				}
				if got := secs[v]; got != w && math.Abs(got-w) > 1e-9 {
					t.Fatalf("trial %d run %d node %d: %v s, naive %v s", trial, run, v, got, w)
				}
				if math.IsInf(w, 1) {
					if src[v] != -1 {
						t.Fatalf("unreached node %d has source %d", v, src[v])
					}
					continue
				}
				// The named source alone reaches v in the same time.
				if alone[src[v]] == nil {
					alone[src[v]] = naive(edges, g, starts[src[v]:src[v]+1])
				}
				if a := alone[src[v]][g.ExternalID(v)]; math.Abs(a-w) > 1e-9 {
					t.Fatalf("node %d: source %d alone takes %v s, nearest %v s", v, src[v], a, w)
				}
			}
			if s.Settled() != settled {
				t.Fatalf("Settled = %d, want %d", s.Settled(), settled)
			}
			checkPieces(t, g, edges, starts, want, s, limit)
			checkPieces(t, g, edges, starts, want, s, limit*0.4)
		}
	}
}

// checkPieces samples every edge at 400 steps and compares reachability
// within lim, computed from naive node times, with s.Reached(lim); it also
// compares the total reached length.
func checkPieces(t *testing.T, g *geo.Graph, edges []geo.EdgeSpec, starts []geo.Start, d map[int64]float64, s *geo.Search, lim float64) {
	t.Helper()
	ps := s.Reached(lim)
	byEdge := map[int32][]geo.Piece{}
	var total float64
	for i, p := range ps {
		if !(p.FromM < p.ToM) || p.FromM < 0 || p.ToM > g.EdgeLength(p.Edge) {
			t.Fatalf("bad piece %+v (edge length %v)", p, g.EdgeLength(p.Edge))
		}
		if i > 0 && (ps[i-1].Edge > p.Edge || ps[i-1].Edge == p.Edge && ps[i-1].ToM >= p.FromM) {
			t.Fatalf("pieces %+v, %+v not sorted and merged", ps[i-1], p)
		}
		byEdge[p.Edge] = append(byEdge[p.Edge], p)
		total += p.ToM - p.FromM
	}
	var sampled, maxStep float64
	for ei, e := range edges {
		L := g.EdgeLength(int32(ei))
		maxStep = math.Max(maxStep, L/400)
		time := func(x float64) float64 {
			best := inf
			if e.Forward >= 0 {
				best = math.Min(best, d[e.From]+x/L*e.Forward)
			}
			if e.Backward >= 0 {
				best = math.Min(best, d[e.To]+(L-x)/L*e.Backward)
			}
			for _, st := range starts {
				if st.Node >= 0 || st.Edge != int32(ei) {
					continue
				}
				if x >= st.OffsetM && e.Forward >= 0 {
					best = math.Min(best, (x-st.OffsetM)/L*e.Forward)
				}
				if x <= st.OffsetM && e.Backward >= 0 {
					best = math.Min(best, (st.OffsetM-x)/L*e.Backward)
				}
			}
			return best
		}
		step := L / 400
		for x := step / 2; x < L; x += step {
			tx := time(x)
			in := false
			for _, p := range byEdge[int32(ei)] {
				in = in || p.FromM <= x && x <= p.ToM
			}
			if math.Abs(tx-lim) > 1e-6 && in != (tx <= lim) {
				t.Fatalf("edge %d at %.1f m: %.6f s (limit %.6f), pieces %v", ei, x, tx, lim, byEdge[int32(ei)])
			}
			if tx <= lim {
				sampled += math.Min(step, L-(x-step/2))
			}
		}
	}
	// Each piece end can be off by at most half a step.
	if math.Abs(total-sampled) > float64(len(ps))*maxStep+1e-6 {
		t.Fatalf("pieces total %.3f m, sampling %.3f m", total, sampled)
	}
}

func TestReachedSubLimitMatchesSmallerSearch(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 10))
	edges := randomGraph(rng, 300, 900)
	g := geo.NewGraph(edges)
	big, small := geo.NewSearch(g), geo.NewSearch(g)
	starts := []geo.Start{geo.AtNode(5), {Node: -1, Edge: 17, OffsetM: g.EdgeLength(17) / 3}}
	big.Run(starts, 300)
	for _, lim := range []float64{60, 180, 300} {
		small.Run(starts, lim)
		if a, b := big.Reached(lim), small.Reached(lim); !slices.Equal(a, b) {
			t.Errorf("limit %v: Reached from a 300 s search (%d pieces) differs from a %v s search (%d pieces)",
				lim, len(a), lim, len(b))
		}
	}
}

// cityGrid is a synthetic street grid of n×n junctions, 100 m blocks at
// 5–15 m/s, a fifth of the streets one-way: about the size of a city
// centre for n = 75 (11,100 edges).
func cityGrid(n int) (*geo.Graph, []geo.Start) {
	r := rand.New(rand.NewPCG(7, 7))
	var specs []geo.EdgeSpec
	id := func(i, j int) int64 { return int64(i*n + j) }
	pt := func(i, j int) geo.Point { return geo.Point{Lon: 114 + float64(i)*0.001, Lat: 30 + float64(j)*0.0009} }
	add := func(a, b int64, pa, pb geo.Point) {
		c := 100 / (5 + 10*r.Float64())
		back := c
		if r.IntN(5) == 0 {
			back = -1
		}
		specs = append(specs, geo.EdgeSpec{From: a, To: b, LengthM: 100, Forward: c, Backward: back, Geometry: geo.LineString{pa, pb}})
	}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i+1 < n {
				add(id(i, j), id(i+1, j), pt(i, j), pt(i+1, j))
			}
			if j+1 < n {
				add(id(i, j), id(i, j+1), pt(i, j), pt(i, j+1))
			}
		}
	}
	g := geo.NewGraph(specs)
	var starts []geo.Start
	for _, q := range [][2]int{{n / 4, n / 4}, {3 * n / 4, n / 4}, {n / 2, n / 2}, {n / 4, 3 * n / 4}, {3 * n / 4, 3 * n / 4}} {
		v, _ := g.NodeID(id(q[0], q[1]))
		starts = append(starts, geo.AtNode(v))
	}
	return g, starts
}

// BenchmarkIsochrones runs one 300 s search from each of five starts on a
// synthetic 75×75 street grid, with either heap, and with the 1, 3 and 5
// minute reached pieces. The same job on real Baltimore streets is
// planner's BenchmarkIsochronesBaltimore; pgRouting's is data/postgis
// BenchmarkPgrDrivingDistance.
func BenchmarkIsochrones(b *testing.B) {
	g, starts := cityGrid(75)
	for _, bc := range []struct {
		name   string
		pieces bool
	}{{"4ary", false}, {"4ary+pieces", true}} {
		b.Run(bc.name, func(b *testing.B) {
			s := geo.NewSearch(g)
			settled, pieces := 0, 0
			for b.Loop() {
				for _, st := range starts {
					settled += s.Run([]geo.Start{st}, 300)
					if bc.pieces {
						for _, lim := range []float64{60, 180, 300} {
							pieces += len(s.Reached(lim))
						}
					}
				}
			}
			b.ReportMetric(float64(settled)/b.Elapsed().Seconds(), "nodes/s")
			b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N*len(starts)), "µs/isochrone")
			b.ReportMetric(float64(settled)/float64(b.N*len(starts)), "nodes/isochrone")
		})
	}
}
