package geo

import (
	"math"
	"math/rand/v2"
	"testing"
)

func TestSnap(t *testing.T) {
	pr := NewProjection(Point{-76.61, 39.29})
	xy := func(x, y float64) Point { return pr.Inverse(XY{x, y}) }
	g := NewGraph([]EdgeSpec{
		// e0: an L from (0,0) to (200,0) to (200,200), one-way.
		{From: 1, To: 2, LengthM: 400, Forward: 40, Backward: -1, Geometry: LineString{xy(0, 0), xy(200, 0), xy(200, 200)}},
		// e1: closed both ways, right next to the query point: never snapped to.
		{From: 3, To: 4, LengthM: 100, Forward: -1, Backward: -1, Geometry: LineString{xy(100, 20), xy(200, 20)}},
		// e2: far to the west, two ways.
		{From: 5, To: 6, LengthM: 100, Forward: 5, Backward: 5, Geometry: LineString{xy(-1000, 0), xy(-1000, 100)}},
	})
	s, ok := g.Snap(xy(150, 21), 50)
	if !ok || s.Edge != 0 {
		t.Fatalf("Snap = %+v,%v; want edge 0", s, ok)
	}
	if math.Abs(s.DistM-21) > 0.001 || math.Abs(s.OffsetM-150) > 0.5 {
		t.Errorf("Snap = %+v; want DistM 21, OffsetM 150", s)
	}
	if q := pr.Forward(s.Point); math.Abs(q.X-150) > 0.01 || math.Abs(q.Y) > 0.01 {
		t.Errorf("snapped point at %.3f,%.3f m, want 150,0", q.X, q.Y)
	}
	// On the second segment: offset 200 + 120.
	s, ok = g.Snap(xy(230, 120), 50)
	if !ok || s.Edge != 0 || math.Abs(s.DistM-30) > 0.001 || math.Abs(s.OffsetM-320) > 1 {
		t.Errorf("Snap = %+v,%v; want edge 0, DistM 30, OffsetM 320", s, ok)
	}
	// Too far: ok=false but the distance is reported.
	s, ok = g.Snap(xy(-600, 50), 300)
	if ok || s.Edge != 2 || math.Abs(s.DistM-400) > 0.01 || math.Abs(s.OffsetM-50) > 0.2 {
		t.Errorf("Snap = %+v,%v; want edge 2 at 400 m, ok=false", s, ok)
	}
	if st := s.Start(); st.Node >= 0 || st.Edge != 2 || st.OffsetM != s.OffsetM {
		t.Errorf("Start() = %+v", st)
	}
	if s, ok := NewGraph(nil).Snap(xy(0, 0), 1e9); ok || !math.IsInf(s.DistM, 1) || s.Edge != -1 {
		t.Errorf("empty graph: Snap = %+v,%v", s, ok)
	}
}

// TestSnapMatchesBruteForce compares Snap with a scan of every segment on
// a random grid-like network.
func TestSnapMatchesBruteForce(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	pr := NewProjection(Point{-76.61, 39.29})
	var edges []EdgeSpec
	for i := range 400 {
		var line LineString
		x, y := rng.Float64()*3000, rng.Float64()*3000
		for range 1 + rng.IntN(5) {
			line = append(line, pr.Inverse(XY{x, y}))
			x += rng.NormFloat64() * 80
			y += rng.NormFloat64() * 80
		}
		line = append(line, pr.Inverse(XY{x, y}))
		f, b := 10.0, 10.0
		if i%7 == 0 {
			f, b = -1, -1
		}
		edges = append(edges, EdgeSpec{From: int64(2 * i), To: int64(2*i + 1), Forward: f, Backward: b, Geometry: line})
	}
	g := NewGraph(edges)
	for range 500 {
		p := pr.Inverse(XY{rng.Float64()*3400 - 200, rng.Float64()*3400 - 200})
		kx, ky := NewProjection(p).MetresPerDegree()
		best, bestE := math.Inf(1), int32(-1)
		for e := range edges {
			if e%7 == 0 {
				continue
			}
			for k := 1; k < len(edges[e].Geometry); k++ {
				if d, _ := segDist(p, edges[e].Geometry[k-1], edges[e].Geometry[k], kx, ky); d < best {
					best, bestE = d, int32(e)
				}
			}
		}
		s, ok := g.Snap(p, 100)
		if s.DistM != best || ok != (best <= 100) {
			t.Fatalf("Snap(%v) = %+v,%v; brute force %.6f m on edge %d", p, s, ok, best, bestE)
		}
		if d := Distance(p, s.Point); math.Abs(d-s.DistM) > 3e-3*s.DistM+1e-6 {
			t.Fatalf("snapped point %.3f m away, DistM %.3f", d, s.DistM)
		}
		if q := g.PointAt(s.Edge, s.OffsetM); Distance(q, s.Point) > 1e-6 {
			t.Fatalf("PointAt(OffsetM) %v is %.2g m from the snapped point %v", q, Distance(q, s.Point), s.Point)
		}
	}
}
