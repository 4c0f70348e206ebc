package top

import (
	"context"
	"math"
	"math/bits"
	"path/filepath"
	"testing"

	"github.com/tidewatch/tidewatch/data/sharedtest"
	"github.com/tidewatch/tidewatch/planner"
)

// exactTOP returns the optimal score of a small instance (at most ~18
// nodes reachable alone): Held–Karp gives the shortest start→S→end path of
// every subset S of reachable nodes, then a subset DP packs M disjoint
// feasible subsets. Distances are Euclidean, not rounded, as in Problem.
func exactTOP(t *testing.T, in Instance) float64 {
	t.Helper()
	n := in.Len()
	end := n - 1
	var c []int
	for i := 1; i < end; i++ {
		if in.Score[i] > 0 && in.Dist(0, i)+in.Dist(i, end) <= in.Tmax+1e-6 {
			c = append(c, i)
		}
	}
	k := len(c)
	if k > 18 {
		t.Fatalf("%s: %d reachable nodes, too many for the exact check", in.Name, k)
	}
	full := 1 << k
	dp := make([]float64, full*k) // dp[S*k+i]: shortest start→S ending at c[i]
	for i := range dp {
		dp[i] = math.Inf(1)
	}
	for i := range k {
		dp[(1<<i)*k+i] = in.Dist(0, c[i])
	}
	feasible := make([]bool, full)
	feasible[0] = true
	for S := 1; S < full; S++ {
		best := math.Inf(1)
		for i := range k {
			v := dp[S*k+i]
			if S&(1<<i) == 0 || v > in.Tmax+1e-6 {
				continue
			}
			best = min(best, v+in.Dist(c[i], end))
			for j := range k {
				if S&(1<<j) == 0 {
					T := S | 1<<j
					dp[T*k+j] = min(dp[T*k+j], v+in.Dist(c[i], c[j]))
				}
			}
		}
		feasible[S] = best <= in.Tmax+1e-6
	}
	prize := make([]float64, full)
	for S := 1; S < full; S++ {
		i := bits.TrailingZeros(uint(S))
		prize[S] = prize[S&(S-1)] + in.Score[c[i]]
	}
	g := make([]float64, full) // g[U]: best prize of r routes within U
	for U := range full {
		g[U] = math.Inf(-1)
		for sub := U; ; sub = (sub - 1) & U {
			if feasible[sub] {
				g[U] = max(g[U], prize[sub])
			}
			if sub == 0 {
				break
			}
		}
	}
	for r := 1; r < in.M; r++ {
		h := make([]float64, full)
		for U := range full {
			h[U] = g[U]
			for sub := U; sub > 0; sub = (sub - 1) & U {
				if feasible[sub] {
					h[U] = max(h[U], prize[sub]+g[U^sub])
				}
			}
		}
		g = h
	}
	return g[full-1]
}

// provenOptimum holds the optimum of instances whose best-known score is
// unreachable with unrounded Euclidean distances, proved by exactTOP.
var provenOptimum = map[string]float64{"p1.3.h": 70, "p2.3.h": 165, "p5.3.e": 95}

// TestChaoBestKnownUnreachable proves, by exhaustive search, that three
// best-known scores of the DarioDaF file exceed the optimum under the
// unrounded Euclidean convention (they come from another distance
// convention), and that the solver reaches these optima.
func TestChaoBestKnownUnreachable(t *testing.T) {
	bks := readBKSFile(t)
	dir := sharedtest.Path(t, "top/chao")
	for name, want := range provenOptimum {
		in := readInstance(t, filepath.Join(dir, name+".txt"))
		if got := exactTOP(t, in); got != want {
			t.Fatalf("%s: exact optimum %v, want %v", name, got, want)
		}
		if bks[name] <= want {
			t.Fatalf("%s: best-known %v is reachable (optimum %v)", name, bks[name], want)
		}
		p := in.Problem()
		res, err := planner.SolveOrienteering(context.Background(), p, planner.OrienteeringOptions{Seed: 1, MaxIter: 100})
		if err != nil {
			t.Fatal(err)
		}
		if err := planner.CheckRoutes(p, res); err != nil || res.Prize != want {
			t.Errorf("%s: solver %v (err %v), optimum %v", name, res.Prize, err, want)
		}
	}
}
