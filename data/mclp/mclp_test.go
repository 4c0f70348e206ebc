package mclp

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/tidewatch/tidewatch/planner"
)

func TestReadSwain(t *testing.T) {
	in := load(t, "swain.txt")
	if in.Len() != 55 || len(in.Y) != 55 || len(in.Demand) != 55 || in.Name != "swain.txt" {
		t.Fatalf("got %d nodes, name %q", in.Len(), in.Name)
	}
	if got := in.TotalDemand(); got != 640 {
		t.Errorf("total demand %v, want 640", got)
	}
	if in.X[0] != 32 || in.Y[0] != 31 || in.Demand[0] != 71 {
		t.Errorf("node 1 = (%v,%v,%v), want (32,31,71)", in.X[0], in.Y[0], in.Demand[0])
	}
	// The README pins node 33 at (27,45) (one copy has (24,45)).
	if in.X[32] != 27 || in.Y[32] != 45 {
		t.Errorf("node 33 at (%v,%v), want (27,45)", in.X[32], in.Y[32])
	}
}

func TestReadSJC(t *testing.T) {
	for name, n := range map[string]int{"SJC324.txt": 324, "SJC402.txt": 402, "SJC500.txt": 500, "SJC708.txt": 708, "SJC818.txt": 818} {
		in := load(t, name)
		if in.Len() != n {
			t.Errorf("%s: %d nodes, want %d", name, in.Len(), n)
		}
	}
	in := load(t, "SJC324.txt")
	if in.X[0] != 409154 || in.Y[0] != 435528 || in.Demand[0] != 50 {
		t.Errorf("SJC324 node 1 = (%v,%v,%v), want (409154,435528,50)", in.X[0], in.Y[0], in.Demand[0])
	}
	// SJC818 has no final newline; its last line must still be read.
	in = load(t, "SJC818.txt")
	if l := in.Len() - 1; in.X[l] != 412633 || in.Y[l] != 436991 || in.Demand[l] != 42 {
		t.Errorf("SJC818 last node = (%v,%v,%v), want (412633,436991,42)", in.X[l], in.Y[l], in.Demand[l])
	}
}

func TestReadFormatsInline(t *testing.T) {
	sjc := "3\t9999\tp\tS\r\n1\t2\t5\t\r\n3.5\t4\t0\t\r\n\r\n-1 -2 7"
	in, err := ReadSJC(strings.NewReader(sjc), "mini.txt")
	if err != nil {
		t.Fatal(err)
	}
	want := Instance{Name: "mini.txt", X: []float64{1, 3.5, -1}, Y: []float64{2, 4, -2}, Demand: []float64{5, 0, 7}}
	if !reflect.DeepEqual(in, want) {
		t.Errorf("ReadSJC = %+v, want %+v", in, want)
	}
	auto, err := Read(strings.NewReader(sjc), "mini.txt")
	if err != nil || !reflect.DeepEqual(auto, want) {
		t.Errorf("Read (SJC) = %+v, %v", auto, err)
	}
	swain := "\uFEFF2\n01 32. 31. 71.\n02 29. 32. 62.\n"
	in, err = Read(strings.NewReader(swain), "s.txt")
	want = Instance{Name: "s.txt", X: []float64{32, 29}, Y: []float64{31, 32}, Demand: []float64{71, 62}}
	if err != nil || !reflect.DeepEqual(in, want) {
		t.Errorf("Read (Swain) = %+v, %v; want %+v", in, err, want)
	}
}

func TestReadErrors(t *testing.T) {
	for _, c := range []struct {
		swain bool
		text  string
		want  string
	}{
		{true, "", "f.txt: empty file"},
		{true, "2 3\n", "f.txt: line 1: want the node count"},
		{true, "2\n1 0 0 1\n2 0 x 1\n", "f.txt: line 3: y \"x\" is not a finite number"},
		{true, "2\n1 0 0 1\n3 0 0 1\n", "f.txt: line 3: id \"3\", want 2"},
		{true, "2\n1 0 0 1\n", "f.txt: 1 nodes, the first line announces 2"},
		{true, "1\n1 0 0 1\n2 0 0 1\n", "f.txt: line 3: more nodes than the 1 announced"},
		{true, "1\n1 0 0 -4\n", "f.txt: line 2: demand -4 is negative"},
		{true, "1\n1 0 0\n", "f.txt: line 2: want 4 fields"},
		{false, "", "f.txt: empty file"},
		{false, "x 9999 p S\r\n", "f.txt: line 1: node count \"x\" is not a positive integer"},
		{false, "2 9999 p S\r\n1 2 3\r\n1 2\r\n", "f.txt: line 3: want 3 fields \"x y demand\", got 2"},
		{false, "1 9999 p S\r\n1 2 NaN\r\n", "f.txt: line 2: demand \"NaN\" is not a finite number"},
		{false, "1 9999 p S\r\n1 2 3\r\n4 5 6", "f.txt: line 3: more nodes than the 1 in the header"},
		{false, "3 9999 p S\r\n1 2 3\r\n", "f.txt: 1 nodes, the header announces 3"},
	} {
		read := ReadSJC
		if c.swain {
			read = ReadSwain
		}
		_, err := read(strings.NewReader(c.text), "f.txt")
		if planner.ErrorCode(err) != planner.EINVALID || !strings.Contains(planner.ErrorMessage(err), c.want) {
			t.Errorf("%q: err %v, want EINVALID containing %q", c.text, err, c.want)
		}
	}
}

func TestProblemTiny(t *testing.T) {
	in := Instance{X: []float64{0, 3, 6, 100}, Y: []float64{0, 4, 8, 0}, Demand: []float64{1, 2, 3, 4}}
	p := in.Problem(5) // distances 5 exactly count as covered
	want := [][]int32{{0, 1}, {0, 1, 2}, {1, 2}, {3}}
	if !reflect.DeepEqual(p.Covers, want) || !reflect.DeepEqual(p.Weights, in.Demand) {
		t.Errorf("Problem(5) = %v %v, want %v", p.Covers, p.Weights, want)
	}
	p.Weights[0] = 99 // the weights are a copy
	if in.Demand[0] != 1 {
		t.Error("Problem shares the demand slice")
	}
	if p := in.Problem(0); !reflect.DeepEqual(p.Covers, [][]int32{{0}, {1}, {2}, {3}}) {
		t.Errorf("Problem(0) = %v", p.Covers)
	}
	for _, c := range in.Problem(-1).Covers {
		if len(c) != 0 {
			t.Errorf("Problem(-1) covers %v", c)
		}
	}
	if p := in.Problem(math.Inf(1)); len(p.Covers[3]) != 4 {
		t.Errorf("Problem(+Inf) = %v", p.Covers)
	}
}

// TestProblemMatchesBruteForce checks the grid buckets against all pairs.
func TestProblemMatchesBruteForce(t *testing.T) {
	for _, c := range []struct {
		file string
		r    float64
	}{{"swain.txt", 5}, {"swain.txt", 10}, {"SJC818.txt", 800}, {"SJC324.txt", 1200}} {
		in := load(t, c.file)
		p := in.Problem(c.r)
		for j := range in.Len() {
			var want []int32
			for i := range in.Len() {
				dx, dy := in.X[i]-in.X[j], in.Y[i]-in.Y[j]
				if dx*dx+dy*dy <= c.r*c.r {
					want = append(want, int32(i))
				}
			}
			if !reflect.DeepEqual(p.Covers[j], want) {
				t.Fatalf("%s R=%v node %d: covers %v, want %v", c.file, c.r, j, p.Covers[j], want)
			}
		}
	}
}

func TestSwainLiterature(t *testing.T) {
	// Church & ReVelle's Swain set at R = 10: one site covers at most 425
	// of the 640 demand, and 9 sites cover all of it (CBC-proven optima).
	p := load(t, "swain.txt").Problem(10)
	for k, want := range map[int]float64{1: 425, 2: 502, 5: 609, 9: 640} {
		res, err := planner.MaxCover(t.Context(), p, k, planner.CoverOptions{Seed: 1})
		if err != nil {
			t.Fatal(err)
		}
		if res.Covered != want || res.UpperBound != want {
			t.Errorf("p=%d: Covered %v UB %v, want %v", k, res.Covered, res.UpperBound, want)
		}
	}
	res, err := planner.MinCover(t.Context(), p, 1, planner.CoverOptions{Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	// p = 8 covers at most 638 (CBC), so 9 is optimal; the Lagrangian
	// bound at p = 8 is 639 < 640, which proves it.
	if len(res.Open) != 9 || res.Covered != 640 || res.MinOpen != 9 || res.Gap != 0 {
		t.Errorf("MinCover: %d sites cover %v (MinOpen %d, Gap %v), want 9 covering 640, MinOpen 9", len(res.Open), res.Covered, res.MinOpen, res.Gap)
	}
}
