package geo

import (
	"math"
	"testing"
)

// graphPt is a point xM metres east and yM metres north of a fixed origin
// in Baltimore (lon,lat).
func graphPt(xM, yM float64) Point {
	return NewProjection(Point{-76.61, 39.29}).Inverse(XY{xM, yM})
}

func TestNewGraphCSR(t *testing.T) {
	a, b, c := graphPt(0, 0), graphPt(100, 0), graphPt(100, 100)
	g := NewGraph([]EdgeSpec{
		{From: 7, To: 9, LengthM: 100, Forward: 10, Backward: -1, Geometry: LineString{a, b}},
		{From: 9, To: 11, LengthM: 100, Forward: 8, Backward: 12, Geometry: LineString{b, c}},
		{From: 11, To: 7, LengthM: 150, Forward: -1, Backward: -5, Geometry: LineString{c, a}}, // closed
		{From: 11, To: 13, LengthM: 40, Forward: math.NaN(), Backward: 4},                      // no geometry
	})
	if g.NumNodes() != 4 || g.NumEdges() != 4 || g.NumArcs() != 4 {
		t.Fatalf("nodes %d edges %d arcs %d, want 4 4 4", g.NumNodes(), g.NumEdges(), g.NumArcs())
	}
	for i, ext := range []int64{7, 9, 11, 13} {
		v, ok := g.NodeID(ext)
		if !ok || v != int32(i) || g.ExternalID(v) != ext {
			t.Errorf("NodeID(%d) = %d,%v; want %d (first-seen order)", ext, v, ok, i)
		}
	}
	if _, ok := g.NodeID(8); ok {
		t.Error("NodeID(8) found a node that is not in the graph")
	}
	if p, ok := g.Coord(2); !ok || p != c {
		t.Errorf("Coord(2) = %v,%v; want %v", p, ok, c)
	}
	if _, ok := g.Coord(3); ok {
		t.Error("Coord(3): node 13 has no geometry, want ok=false")
	}
	type arc struct {
		u int32
		a Arc
	}
	var got []arc
	for u := int32(0); u < 4; u++ {
		lo, hi := g.OutArcs(u)
		for k := lo; k < hi; k++ {
			got = append(got, arc{u, g.Arc(k)})
		}
	}
	want := []arc{
		{0, Arc{Head: 1, Edge: 0, Cost: 10, Forward: true}},
		{1, Arc{Head: 2, Edge: 1, Cost: 8, Forward: true}},
		{2, Arc{Head: 1, Edge: 1, Cost: 12, Forward: false}},
		{3, Arc{Head: 2, Edge: 3, Cost: 4, Forward: false}},
	}
	if len(got) != len(want) {
		t.Fatalf("arcs %v, want %v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("arc %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if f, b := g.EdgeCost(3); f != -1 || b != 4 {
		t.Errorf("EdgeCost(3) = %v,%v; want -1,4 (NaN closes)", f, b)
	}
}

func TestPointAtAndSub(t *testing.T) {
	// A 300 m L-shaped line whose stated length is 600 m: positions scale.
	geom := LineString{graphPt(0, 0), graphPt(100, 0), graphPt(100, 200)}
	geomLen := geom.Length()
	g := NewGraph([]EdgeSpec{{From: 1, To: 2, LengthM: 2 * geomLen, Forward: 1, Backward: 1, Geometry: geom}})
	if g.EdgeLength(0) != 2*geomLen {
		t.Fatalf("EdgeLength = %v, want %v", g.EdgeLength(0), 2*geomLen)
	}
	pr := NewProjection(Point{-76.61, 39.29})
	for _, tc := range []struct {
		d    float64
		x, y float64
	}{
		{-5, 0, 0}, {0, 0, 0}, {100, 50, 0}, {200, 100, 0}, {300, 100, 50}, {2 * geomLen, 100, 200}, {1e9, 100, 200},
	} {
		q := pr.Forward(g.PointAt(0, tc.d*geomLen/300))
		if math.Abs(q.X-tc.x) > 0.5 || math.Abs(q.Y-tc.y) > 0.5 { // projection vs haversine: < 0.3 %
			t.Errorf("PointAt(%v) = %.3f,%.3f m; want %v,%v", tc.d, q.X, q.Y, tc.x, tc.y)
		}
	}
	sub := g.Sub(0, 300*geomLen/300, 100*geomLen/300) // swapped: 100..300 scaled
	if len(sub) != 3 {
		t.Fatalf("Sub = %v, want 3 positions through the corner", sub)
	}
	for i, w := range []XY{{50, 0}, {100, 0}, {100, 50}} {
		q := pr.Forward(sub[i])
		if math.Abs(q.X-w.X) > 0.5 || math.Abs(q.Y-w.Y) > 0.5 {
			t.Errorf("Sub[%d] = %.3f,%.3f m; want %v", i, q.X, q.Y, w)
		}
	}
	if got := g.Sub(0, 0, 2*geomLen); len(got) != 3 || got[0] != geom[0] || got[2] != geom[2] {
		t.Errorf("Sub(whole) = %v, want the geometry %v", got, geom)
	}
	if got := g.Sub(0, 10, 10); len(got) != 2 || got[0] != got[1] {
		t.Errorf("Sub(10,10) = %v, want two equal positions", got)
	}
	// Length from the geometry when LengthM is 0.
	g2 := NewGraph([]EdgeSpec{{From: 1, To: 2, Forward: 1, Backward: -1, Geometry: geom}})
	if g2.EdgeLength(0) != geomLen {
		t.Errorf("EdgeLength without LengthM = %v, want geometry length %v", g2.EdgeLength(0), geomLen)
	}
}
