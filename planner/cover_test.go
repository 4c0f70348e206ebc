package planner

import (
	"context"
	"errors"
	"math"
	"math/bits"
	"math/rand/v2"
	"reflect"
	"slices"
	"testing"
)

// trap is a small instance where greedy is not optimal: greedy opens c0
// first (4, ties broken to the lower index), but c1+c2 cover everything.
//
//	items   0 1 2 3 4 5
//	weights 1 1 1 1 1 2
//	c0        x x x x      (4)
//	c1      x x x          (3)
//	c2            x x x    (4)
func trap() CoverProblem {
	return CoverProblem{
		Weights: []float64{1, 1, 1, 1, 1, 2},
		Covers:  [][]int32{{1, 2, 3, 4}, {0, 1, 2}, {3, 4, 5}},
	}
}

func TestMaxCoverBeatsGreedyTrap(t *testing.T) {
	res, err := MaxCover(context.Background(), trap(), 2, CoverOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Picks in greedy re-sequence order: c2 first (4), then c1 (+3).
	if want := []int32{2, 1}; !reflect.DeepEqual(res.Open, want) {
		t.Errorf("Open = %v, want %v", res.Open, want)
	}
	if want := []float64{4, 3}; !reflect.DeepEqual(res.Gains, want) {
		t.Errorf("Gains = %v, want %v", res.Gains, want)
	}
	if res.Covered != 7 || res.UpperBound != 7 || res.Gap != 0 {
		t.Errorf("Covered, UpperBound, Gap = %v, %v, %v; want 7, 7, 0", res.Covered, res.UpperBound, res.Gap)
	}
}

func TestMaxCoverOnePick(t *testing.T) {
	res, err := MaxCover(context.Background(), trap(), 1, CoverOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// c0 and c2 tie at 4; the lower index wins.
	if !reflect.DeepEqual(res.Open, []int32{0}) || res.Covered != 4 || res.UpperBound != 4 {
		t.Errorf("got Open %v Covered %v UB %v; want [0] 4 4", res.Open, res.Covered, res.UpperBound)
	}
}

func TestMaxCoverFixed(t *testing.T) {
	p := trap()
	p.Fixed = []int32{0}
	res, err := MaxCover(context.Background(), p, 1, CoverOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// c0 covers 1..4; c2 adds item 5 (2), c1 only item 0 (1).
	if !reflect.DeepEqual(res.Open, []int32{2}) || !reflect.DeepEqual(res.Gains, []float64{2}) {
		t.Errorf("Open %v Gains %v; want [2] [2]", res.Open, res.Gains)
	}
	if res.Covered != 6 || res.UpperBound != 6 {
		t.Errorf("Covered %v UB %v; want 6 6", res.Covered, res.UpperBound)
	}
	// k = 0 reports the fixed coverage alone.
	res, err = MaxCover(context.Background(), p, 0, CoverOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Open) != 0 || res.Covered != 4 || res.UpperBound != 4 {
		t.Errorf("k=0: Open %v Covered %v UB %v; want [] 4 4", res.Open, res.Covered, res.UpperBound)
	}
}

func TestMaxCoverConflicts(t *testing.T) {
	p := trap()
	p.Conflicts = func(a, b int32) bool { return a+b == 3 } // c1 and c2 too close
	res, err := MaxCover(context.Background(), p, 2, CoverOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// Best without c1+c2: c0+c2 covers 1..5 = 6.
	if !reflect.DeepEqual(res.Open, []int32{0, 2}) || !reflect.DeepEqual(res.Gains, []float64{4, 2}) || res.Covered != 6 {
		t.Errorf("Open %v Gains %v Covered %v; want [0 2] [4 2] 6", res.Open, res.Gains, res.Covered)
	}
	// The bound relaxes conflicts: it must still be valid.
	if res.UpperBound < 6 || res.UpperBound > 7 {
		t.Errorf("UpperBound %v, want in [6,7]", res.UpperBound)
	}
	// A fixed candidate blocks its conflicting neighbours.
	p.Fixed = []int32{1}
	res, err = MaxCover(context.Background(), p, 1, CoverOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.Open, []int32{0}) || res.Covered != 5 || res.UpperBound != 5 {
		t.Errorf("fixed c1: Open %v Covered %v UB %v; want [0] 5 5", res.Open, res.Covered, res.UpperBound)
	}
}

func TestMaxCoverStopsWhenNothingToGain(t *testing.T) {
	res, err := MaxCover(context.Background(), trap(), 3, CoverOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Open) != 2 || res.Covered != 7 || res.Gap != 0 {
		t.Errorf("Open %v Covered %v Gap %v; want 2 picks, 7, 0", res.Open, res.Covered, res.Gap)
	}
}

func TestMinCoverFull(t *testing.T) {
	// Greedy takes c0 then needs c1 and c2; c0 is then redundant.
	p := CoverProblem{
		Weights: []float64{1, 1, 1, 1, 1, 1},
		Covers:  [][]int32{{1, 2, 4, 5}, {0, 1, 2}, {3, 4, 5}},
	}
	res, err := MinCover(context.Background(), p, 1, CoverOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.Open, []int32{1, 2}) || res.Covered != 6 || res.MinOpen != 2 || res.Gap != 0 {
		t.Errorf("Open %v Covered %v MinOpen %d Gap %v; want [1 2] 6 2 0", res.Open, res.Covered, res.MinOpen, res.Gap)
	}
	// Half the weight: one candidate suffices.
	res, err = MinCover(context.Background(), p, 0.5, CoverOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.Open, []int32{0}) || res.Covered != 4 || res.MinOpen != 1 {
		t.Errorf("50%%: Open %v Covered %v MinOpen %d; want [0] 4 1", res.Open, res.Covered, res.MinOpen)
	}
}

func TestMinCoverDropsBigFirstPick(t *testing.T) {
	// Greedy opens the big c0 (9 items) and then needs c1, c2 and c3 for
	// items 0, 4 and 8; c0 is then redundant.
	p := CoverProblem{
		Weights: slices.Repeat([]float64{1}, 12),
		Covers: [][]int32{
			{1, 2, 3, 5, 6, 7, 9, 10, 11},
			{0, 1, 2, 3}, {4, 5, 6, 7}, {8, 9, 10, 11},
		},
	}
	res, err := MinCover(context.Background(), p, 1, CoverOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got := slices.Sorted(slices.Values(res.Open)); !reflect.DeepEqual(got, []int32{1, 2, 3}) || res.Covered != 12 {
		t.Errorf("Open %v Covered %v; want {1,2,3} 12", res.Open, res.Covered)
	}
	if res.MinOpen != 2 && res.MinOpen != 3 {
		t.Errorf("MinOpen %d, want a valid bound in [2,3]", res.MinOpen)
	}
}

func TestMinCoverFixed(t *testing.T) {
	p := trap()
	p.Fixed = []int32{1}
	res, err := MinCover(context.Background(), p, 1, CoverOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(res.Open, []int32{2}) || res.Covered != 7 || res.MinOpen != 1 {
		t.Errorf("Open %v Covered %v MinOpen %d; want [2] 7 1", res.Open, res.Covered, res.MinOpen)
	}
	// Fixed alone reaches 3/7 of the weight.
	res, err = MinCover(context.Background(), p, 3.0/7, CoverOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Open) != 0 || res.MinOpen != 0 || res.Covered != 3 {
		t.Errorf("Open %v MinOpen %d Covered %v; want none, 0, 3", res.Open, res.MinOpen, res.Covered)
	}
}

func TestCoverErrors(t *testing.T) {
	ctx := context.Background()
	bad := []struct {
		name string
		p    CoverProblem
	}{
		{"negative weight", CoverProblem{Weights: []float64{1, -1}, Covers: [][]int32{{0}}}},
		{"NaN weight", CoverProblem{Weights: []float64{math.NaN()}, Covers: [][]int32{{0}}}},
		{"item out of range", CoverProblem{Weights: []float64{1}, Covers: [][]int32{{0, 1}}}},
		{"unsorted", CoverProblem{Weights: []float64{1, 1}, Covers: [][]int32{{1, 0}}}},
		{"duplicate item", CoverProblem{Weights: []float64{1, 1}, Covers: [][]int32{{0, 0}}}},
		{"fixed out of range", CoverProblem{Weights: []float64{1}, Covers: [][]int32{{0}}, Fixed: []int32{1}}},
		{"fixed twice", CoverProblem{Weights: []float64{1}, Covers: [][]int32{{0}}, Fixed: []int32{0, 0}}},
	}
	for _, c := range bad {
		if _, err := MaxCover(ctx, c.p, 1, CoverOptions{}); ErrorCode(err) != EINVALID {
			t.Errorf("MaxCover %s: err %v, want %s", c.name, err, EINVALID)
		}
		if _, err := MinCover(ctx, c.p, 1, CoverOptions{}); ErrorCode(err) != EINVALID {
			t.Errorf("MinCover %s: err %v, want %s", c.name, err, EINVALID)
		}
	}
	if _, err := MaxCover(ctx, trap(), -1, CoverOptions{}); ErrorCode(err) != EINVALID {
		t.Errorf("k=-1: err %v", err)
	}
	for _, target := range []float64{0, -0.1, 1.01, math.NaN()} {
		if _, err := MinCover(ctx, trap(), target, CoverOptions{}); ErrorCode(err) != EINVALID {
			t.Errorf("target %v: err %v", target, err)
		}
	}
	unreachable := CoverProblem{Weights: []float64{1, 3}, Covers: [][]int32{{0}}}
	if _, err := MinCover(ctx, unreachable, 0.5, CoverOptions{}); ErrorCode(err) != EINVALID {
		t.Errorf("unreachable: err %v", err)
	}
	if res, err := MinCover(ctx, unreachable, 0.25, CoverOptions{}); err != nil || res.Covered != 1 {
		t.Errorf("25%%: %v %v", res, err)
	}
	blocked := trap()
	blocked.Conflicts = func(a, b int32) bool { return true }
	if _, err := MinCover(ctx, blocked, 1, CoverOptions{}); ErrorCode(err) != EINVALID {
		t.Errorf("conflicts blocking the target: err %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := MaxCover(cctx, trap(), 2, CoverOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: err %v", err)
	}
}

// randomProblem makes a geometric instance: n random points in the unit
// square, each a weighted item and a candidate covering points within r.
func randomProblem(seed uint64, n int, r float64) CoverProblem {
	rng := rand.New(rand.NewPCG(seed, 1))
	xs, ys := make([]float64, n), make([]float64, n)
	p := CoverProblem{Weights: make([]float64, n), Covers: make([][]int32, n)}
	for i := range n {
		xs[i], ys[i] = rng.Float64(), rng.Float64()
		p.Weights[i] = float64(1 + rng.IntN(20))
	}
	for j := range n {
		for i := range n {
			if math.Hypot(xs[i]-xs[j], ys[i]-ys[j]) <= r {
				p.Covers[j] = append(p.Covers[j], int32(i))
			}
		}
	}
	return p
}

// bruteMax returns the best coverage over every feasible set of at most k
// new candidates (at most 16 candidates).
func bruteMax(p CoverProblem, k int) float64 {
	best := 0.0
	nc := len(p.Covers)
	fixed := uint32(0)
	for _, f := range p.Fixed {
		fixed |= 1 << f
	}
	for set := uint32(0); set < 1<<nc; set++ {
		if set&fixed != 0 || bits.OnesCount32(set) > k {
			continue
		}
		all := set | fixed
		ok := true
		for a := 0; a < nc && ok; a++ {
			for b := a + 1; b < nc && ok; b++ {
				if p.Conflicts != nil && all&(1<<a) != 0 && all&(1<<b) != 0 && p.Conflicts(int32(a), int32(b)) {
					ok = false
				}
			}
		}
		if !ok {
			continue
		}
		cov := make([]bool, len(p.Weights))
		v := 0.0
		for j := range nc {
			if all&(1<<j) != 0 {
				for _, i := range p.Covers[j] {
					if !cov[i] {
						cov[i] = true
						v += p.Weights[i]
					}
				}
			}
		}
		best = math.Max(best, v)
	}
	return best
}

func TestMaxCoverMatchesBruteForce(t *testing.T) {
	ctx := context.Background()
	for seed := uint64(1); seed <= 12; seed++ {
		p := randomProblem(seed, 14, 0.3)
		switch seed % 3 {
		case 1:
			p.Fixed = []int32{int32(seed % 14)}
		case 2:
			// Minimum spacing: candidates closer than 4 indices apart clash.
			p.Conflicts = func(a, b int32) bool { return a != b && (a-b < 4 && b-a < 4) }
		}
		for k := 1; k <= 5; k++ {
			want := bruteMax(p, k)
			res, err := MaxCover(ctx, p, k, CoverOptions{Seed: int64(seed)})
			if err != nil {
				t.Fatal(err)
			}
			if res.Covered != want {
				t.Errorf("seed %d k %d: Covered %v, optimum %v", seed, k, res.Covered, want)
			}
			if p.Conflicts == nil && res.UpperBound < want {
				t.Errorf("seed %d k %d: UpperBound %v below the optimum %v", seed, k, res.UpperBound, want)
			}
			if len(res.Open) > k {
				t.Errorf("seed %d k %d: %d picks", seed, k, len(res.Open))
			}
			all := append(slices.Clone(p.Fixed), res.Open...)
			for a := range all {
				for b := a + 1; b < len(all); b++ {
					if all[a] == all[b] || (p.Conflicts != nil && p.Conflicts(all[a], all[b])) {
						t.Errorf("seed %d k %d: picks %v clash or repeat", seed, k, all)
					}
				}
			}
			sum := 0.0
			for _, g := range res.Gains {
				sum += g
			}
			fixedOnly, _ := MaxCover(ctx, p, 0, CoverOptions{})
			if math.Abs(fixedOnly.Covered+sum-res.Covered) > 1e-9 {
				t.Errorf("seed %d k %d: gains %v do not add up to %v", seed, k, res.Gains, res.Covered-fixedOnly.Covered)
			}
		}
	}
}

func TestMinCoverMatchesBruteForce(t *testing.T) {
	ctx := context.Background()
	for seed := uint64(1); seed <= 10; seed++ {
		p := randomProblem(seed, 14, 0.35)
		total := 0.0
		for _, w := range p.Weights {
			total += w
		}
		for _, target := range []float64{0.8, 1} {
			want := 0
			for want = 1; bruteMax(p, want) < target*total-1e-9; want++ {
			}
			res, err := MinCover(ctx, p, target, CoverOptions{Seed: 3})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Open) != want || res.Covered < target*total-1e-9 {
				t.Errorf("seed %d target %v: %d picks covering %v, optimum %d picks", seed, target, len(res.Open), res.Covered, want)
			}
			if res.MinOpen > want || res.MinOpen < 1 {
				t.Errorf("seed %d target %v: MinOpen %d invalid (optimum %d)", seed, target, res.MinOpen, want)
			}
		}
	}
}

func TestMaxCoverDeterministic(t *testing.T) {
	p := randomProblem(42, 400, 0.08)
	run := func(seed int64) CoverResult {
		res, err := MaxCover(context.Background(), p, 12, CoverOptions{Seed: seed, MaxIter: 150})
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	a, b := run(7), run(7)
	if !reflect.DeepEqual(a, b) {
		t.Errorf("same seed, different results:\n%+v\n%+v", a, b)
	}
	if a.Covered > a.UpperBound || a.Gap < 0 || a.Gap > 0.05 {
		t.Errorf("Covered %v UpperBound %v Gap %v", a.Covered, a.UpperBound, a.Gap)
	}
	greedyOnly, err := MaxCover(context.Background(), p, 12, CoverOptions{MaxIter: -1})
	if err != nil {
		t.Fatal(err)
	}
	if a.Covered < greedyOnly.Covered {
		t.Errorf("iterated search %v worse than plain local search %v", a.Covered, greedyOnly.Covered)
	}
}

func TestTopKMatchesSort(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for trial := 0; trial < 200; trial++ {
		n := 1 + r.IntN(300)
		sj := make([]float64, n)
		cands := make([]int32, 0, n)
		for j := range sj {
			sj[j] = float64(r.IntN(20)) // many ties
			if r.IntN(4) > 0 {
				cands = append(cands, int32(j))
			}
		}
		k := r.IntN(len(cands) + 1)
		want := slices.Clone(cands)
		slices.SortStableFunc(want, func(a, b int32) int {
			if sj[a] != sj[b] {
				if sj[a] > sj[b] {
					return -1
				}
				return 1
			}
			return int(a - b)
		})
		if got := topK(nil, cands, sj, k); !slices.Equal(got, want[:k]) {
			t.Fatalf("trial %d: topK %v, want %v", trial, got, want[:k])
		}
	}
}
