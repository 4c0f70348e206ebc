package planner

import (
	"container/heap"
	"context"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// CoverProblem is a weighted covering problem on a sparse coverage
// relation: demand items with weights and candidate sites, each covering a
// set of items. Kiosk siting (items: road segments or incidents reachable
// within T minutes) and camera 补盲 (items: street pieces a camera sees)
// both reduce to it.
type CoverProblem struct {
	// Weights holds the demand item weights (each finite and >= 0).
	Weights []float64
	// Covers[j] lists the demand items candidate j covers, strictly
	// increasing, each in [0, len(Weights)).
	Covers [][]int32
	// Fixed lists candidates already open (existing kiosks or cameras):
	// their coverage is given and they are never closed.
	Fixed []int32
	// Conflicts, if set, reports whether candidates a and b may not both
	// be open (a minimum spacing, say). It must be symmetric. nil means no
	// conflicts.
	Conflicts func(a, b int32) bool
}

// CoverResult is a solution of MaxCover or MinCover.
type CoverResult struct {
	// Open lists the newly opened candidates (Fixed excluded) in pick
	// order: each is the member with the largest marginal gain given
	// Fixed and the members before it.
	Open []int32
	// Gains holds the marginal gain of each pick in Open, in pick order.
	Gains []float64
	// Covered is the total weight covered by Fixed and Open together.
	Covered float64
	// UpperBound is, for MaxCover, a proven upper bound on Covered over
	// every feasible choice of k more candidates (a Lagrangian bound, which
	// ignores Conflicts). For MinCover it is the total weight coverable by
	// all candidates.
	UpperBound float64
	// Gap is, for MaxCover, (UpperBound-Covered)/UpperBound (0 when
	// UpperBound is 0): the solution is within Gap of optimal. For MinCover
	// it is (len(Open)-MinOpen)/len(Open).
	Gap float64
	// MinOpen is, for MinCover only, a proven lower bound on the number of
	// new candidates needed to reach the target.
	MinOpen int
	// Iterations counts the local-search perturbation rounds run.
	Iterations int
}

// CoverOptions tunes MaxCover and MinCover. The zero value is a sensible
// default; results are reproducible for a given Seed and MaxIter.
type CoverOptions struct {
	// Seed seeds the perturbations of the iterated local search.
	Seed int64
	// TimeLimit, if positive, stops the search early as a safety net.
	// Hitting it makes the result depend on machine speed, so leave it
	// zero or generous when reproducibility matters.
	TimeLimit time.Duration
	// MaxIter caps the perturbation rounds of the iterated local search
	// (default 200; negative disables the search after the first local
	// optimum).
	MaxIter int
	// Patience stops the iterated local search after this many rounds
	// without improvement (default 60).
	Patience int
}

const coverEps = 1e-9

// MaxCover solves the maximal covering location problem (MCLP): open k more
// candidates, besides p.Fixed and respecting p.Conflicts, to maximise the
// covered weight. It runs a lazy greedy (CELF), a 1-swap local search and
// a seeded iterated local search, and bounds the optimum with a Lagrangian
// relaxation solved by subgradient optimisation. Fewer than k candidates
// are opened when no further one adds coverage or every other conflicts;
// a pick the others make redundant is dropped.
func MaxCover(ctx context.Context, p CoverProblem, k int, opt CoverOptions) (CoverResult, error) {
	if k < 0 {
		return CoverResult{}, Errorf(EINVALID, "cover: k must be >= 0, got %d", k)
	}
	s, err := newCoverState(p)
	if err != nil {
		return CoverResult{}, err
	}
	if err := ctx.Err(); err != nil {
		return CoverResult{}, err
	}
	deadline := deadlineOf(opt)
	s.deadline = deadline
	s.greedy(k, nil)
	if err := s.localSearch(ctx, k); err != nil {
		return CoverResult{}, err
	}
	ub, heur := s.lagrangian(ctx, k, s.covered, 0)
	if heur != nil {
		// The relaxed solution at good multipliers is often near-optimal
		// where the swaps got stuck: polish it and keep the better one.
		cur := slices.Clone(s.open)
		val := s.covered
		s.reset(heur)
		if err := s.localSearch(ctx, k); err != nil {
			return CoverResult{}, err
		}
		if s.covered <= val {
			s.reset(cur)
		}
	}
	iters, err := s.iterate(ctx, opt, deadline, k, func() bool { return s.covered >= ub-coverEps*math.Max(1, ub) })
	if err != nil {
		return CoverResult{}, err
	}
	if s.covered < ub-coverEps*math.Max(1, ub) {
		// A second round of subgradient steps from the final, better
		// lower bound often tightens the bound.
		ub2, _ := s.lagrangian(ctx, k, s.covered, 0)
		ub = math.Min(ub, ub2)
	}
	ub = math.Max(ub, s.covered) // guard against round-off only
	s.dropRedundant(s.covered)   // picks whose closing loses nothing
	res := s.result(true)
	res.UpperBound = ub
	if ub > 0 {
		res.Gap = math.Max(0, (ub-res.Covered)/ub)
	}
	res.Iterations = iters
	return res, ctx.Err()
}

// MinCover solves the location set covering problem (LSCP) and its partial
// form: open the fewest candidates, besides p.Fixed and respecting
// p.Conflicts, so the covered weight reaches target times the total weight
// (target in (0,1]; 1 covers everything). It runs a lazy greedy, drops
// redundant picks, then tries to do with one fewer by the MaxCover local
// search; MinOpen is a Lagrangian lower bound on the count. The error is
// EINVALID when the target exceeds what all candidates together cover, or
// when the Conflicts keep the search from reaching it.
func MinCover(ctx context.Context, p CoverProblem, target float64, opt CoverOptions) (CoverResult, error) {
	if !(target > 0 && target <= 1) {
		return CoverResult{}, Errorf(EINVALID, "cover: target must be in (0,1], got %v", target)
	}
	s, err := newCoverState(p)
	if err != nil {
		return CoverResult{}, err
	}
	if err := ctx.Err(); err != nil {
		return CoverResult{}, err
	}
	total, coverable := 0.0, 0.0
	for i, w := range s.w {
		total += w
		if len(s.by[i]) > 0 || s.cnt[i] > 0 {
			coverable += w
		}
	}
	need := target * total
	tol := coverEps * math.Max(1, total)
	if coverable < need-tol {
		return CoverResult{}, Errorf(EINVALID, "cover: target %.4g%% is unreachable: the candidates cover at most %.4g%% of the weight",
			100*target, 100*coverable/math.Max(total, math.SmallestNonzeroFloat64))
	}
	reached := func() bool { return s.covered >= need-tol }
	deadline := deadlineOf(opt)
	s.deadline = deadline
	s.greedy(len(s.w)+len(s.covers), reached)
	if !reached() {
		return CoverResult{}, Errorf(EINVALID, "cover: the conflicts keep coverage at %.4g%%, below the %.4g%% target",
			100*s.covered/total, 100*target)
	}
	s.dropRedundant(need - tol)
	lower := s.minOpenBound(ctx, len(s.open), need, tol)
	iters := 0
	// Try to reach the target with one candidate fewer, repeatedly, down
	// to the proven lower bound.
	for len(s.open) > lower {
		if err := ctx.Err(); err != nil {
			return CoverResult{}, err
		}
		if !deadline.IsZero() && time.Now().After(deadline) {
			break
		}
		m := len(s.open) - 1
		saved := slices.Clone(s.open)
		s.closeCand(s.leastLoss())
		if err := s.localSearch(ctx, m); err != nil {
			return CoverResult{}, err
		}
		n, err := s.iterate(ctx, opt, deadline, m, reached)
		iters += n
		if err != nil {
			return CoverResult{}, err
		}
		if !reached() {
			s.reset(saved)
			break
		}
		s.dropRedundant(need - tol)
	}
	res := s.result(false)
	res.UpperBound = coverable
	res.Iterations = iters
	res.MinOpen = min(lower, len(res.Open))
	if len(res.Open) > 0 {
		res.Gap = float64(len(res.Open)-res.MinOpen) / float64(len(res.Open))
	}
	return res, ctx.Err()
}

func deadlineOf(opt CoverOptions) time.Time {
	if opt.TimeLimit > 0 {
		return time.Now().Add(opt.TimeLimit)
	}
	return time.Time{}
}

// coverState is the incremental bookkeeping of a covering search: how
// many open candidates cover each item, and each closed candidate's gain.
type coverState struct {
	w        []float64
	covers   [][]int32
	by       [][]int32 // by[i]: candidates covering item i
	conflict func(a, b int32) bool
	fixed    []bool
	isOpen   []bool
	blocked  []int32 // open candidates (Fixed included) conflicting with j
	cnt      []int32
	gain     []float64 // weight j would add if opened (meaningful when closed)
	open     []int32   // newly opened candidates, unordered
	covered  float64
	integral bool      // every weight is an integer
	nnz      int       // size of the coverage relation
	deadline time.Time // safety stop (zero: none)
	extra    []float64 // scratch, per candidate
	seen     []int32   // scratch, per candidate: stamp when touched
	stamp    int32
	touched  []int32 // scratch
	byGain   []int32 // scratch
}

func newCoverState(p CoverProblem) (*coverState, error) {
	n := len(p.Weights)
	if n > math.MaxInt32 || len(p.Covers) > math.MaxInt32 {
		return nil, Errorf(EINVALID, "cover: too many items or candidates")
	}
	integral := true
	for i, w := range p.Weights {
		if !(w >= 0) || math.IsInf(w, 0) {
			return nil, Errorf(EINVALID, "cover: weight %d is %v; weights must be finite and >= 0", i, w)
		}
		integral = integral && w == math.Trunc(w) && w < 1<<52
	}
	s := &coverState{
		w: p.Weights, covers: p.Covers, conflict: p.Conflicts, integral: integral,
		by:      make([][]int32, n),
		fixed:   make([]bool, len(p.Covers)),
		isOpen:  make([]bool, len(p.Covers)),
		blocked: make([]int32, len(p.Covers)),
		cnt:     make([]int32, n),
		gain:    make([]float64, len(p.Covers)),
		extra:   make([]float64, len(p.Covers)),
		seen:    make([]int32, len(p.Covers)),
	}
	deg := make([]int32, n)
	for j, c := range p.Covers {
		for t, i := range c {
			if i < 0 || int(i) >= n {
				return nil, Errorf(EINVALID, "cover: candidate %d covers item %d, outside [0,%d)", j, i, n)
			}
			if t > 0 && i <= c[t-1] {
				return nil, Errorf(EINVALID, "cover: candidate %d's items are not strictly increasing at position %d", j, t)
			}
			deg[i]++
		}
		s.nnz += len(c)
	}
	for i := range s.by {
		s.by[i] = make([]int32, 0, deg[i])
	}
	for j, c := range p.Covers {
		for _, i := range c {
			s.by[i] = append(s.by[i], int32(j))
		}
	}
	for j, c := range p.Covers {
		for _, i := range c {
			s.gain[j] += s.w[i]
		}
	}
	for _, f := range p.Fixed {
		if f < 0 || int(f) >= len(p.Covers) {
			return nil, Errorf(EINVALID, "cover: fixed candidate %d is outside [0,%d)", f, len(p.Covers))
		}
		if s.fixed[f] {
			return nil, Errorf(EINVALID, "cover: fixed candidate %d is listed twice", f)
		}
		s.fixed[f] = true
		s.openCand(f)
	}
	s.open = s.open[:0]
	return s, nil
}

// feasible reports whether closed candidate c may open, optionally after
// closing out (-1 for none).
func (s *coverState) feasible(c, out int32) bool {
	if s.isOpen[c] {
		return false
	}
	switch b := s.blocked[c]; {
	case b == 0:
		return true
	case b == 1 && out >= 0:
		return s.conflict(out, c)
	}
	return false
}

func (s *coverState) openCand(c int32) {
	s.isOpen[c] = true
	s.open = append(s.open, c)
	for _, i := range s.covers[c] {
		s.cnt[i]++
		if s.cnt[i] == 1 {
			w := s.w[i]
			s.covered += w
			for _, j := range s.by[i] {
				s.gain[j] -= w
			}
		}
	}
	if s.conflict != nil {
		for j := range s.blocked {
			if int32(j) != c && s.conflict(c, int32(j)) {
				s.blocked[j]++
			}
		}
	}
}

func (s *coverState) closeCand(c int32) {
	s.isOpen[c] = false
	if k := slices.Index(s.open, c); k >= 0 {
		s.open[k] = s.open[len(s.open)-1]
		s.open = s.open[:len(s.open)-1]
	}
	for _, i := range s.covers[c] {
		s.cnt[i]--
		if s.cnt[i] == 0 {
			w := s.w[i]
			s.covered -= w
			for _, j := range s.by[i] {
				s.gain[j] += w
			}
		}
	}
	if s.conflict != nil {
		for j := range s.blocked {
			if int32(j) != c && s.conflict(c, int32(j)) {
				s.blocked[j]--
			}
		}
	}
}

// loss is the weight lost by closing open candidate c.
func (s *coverState) loss(c int32) float64 {
	l := 0.0
	for _, i := range s.covers[c] {
		if s.cnt[i] == 1 {
			l += s.w[i]
		}
	}
	return l
}

// leastLoss returns the open (non-fixed) candidate whose closing loses the
// least weight, ties to the lowest index.
func (s *coverState) leastLoss() int32 {
	best, bl := int32(-1), math.Inf(1)
	for _, c := range s.open {
		if l := s.loss(c); l < bl || (l == bl && c < best) {
			best, bl = c, l
		}
	}
	return best
}

// reset makes open exactly the newly opened set (Fixed unchanged).
func (s *coverState) reset(open []int32) {
	for _, c := range slices.Clone(s.open) {
		s.closeCand(c)
	}
	for _, c := range open {
		s.openCand(c)
	}
}

// celfItem is a candidate with a possibly stale gain.
type celfItem struct {
	gain float64
	j    int32
}

type celfHeap []celfItem

func (h celfHeap) Len() int { return len(h) }
func (h celfHeap) Less(a, b int) bool {
	if h[a].gain != h[b].gain {
		return h[a].gain > h[b].gain
	}
	return h[a].j < h[b].j
}
func (h celfHeap) Swap(a, b int) { h[a], h[b] = h[b], h[a] }
func (h *celfHeap) Push(x any)   { *h = append(*h, x.(celfItem)) }
func (h *celfHeap) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

// greedy opens up to k more candidates by lazy greedy (CELF): gains only
// shrink as candidates open, so a stale gain is an upper bound and the
// top of the heap, once refreshed and still on top, is the true best. It
// stops early when no candidate adds weight or when stop reports true.
func (s *coverState) greedy(k int, stop func() bool) {
	h := make(celfHeap, 0, len(s.covers))
	for j := range s.covers {
		if s.feasible(int32(j), -1) && s.gain[j] > 0 {
			h = append(h, celfItem{s.gain[j], int32(j)})
		}
	}
	heap.Init(&h)
	for opened := 0; opened < k && h.Len() > 0; {
		if stop != nil && stop() {
			return
		}
		top := h[0]
		if !s.feasible(top.j, -1) {
			heap.Pop(&h)
			continue
		}
		if g := s.gain[top.j]; g != top.gain {
			if g <= 0 {
				heap.Pop(&h)
			} else {
				h[0].gain = g
				heap.Fix(&h, 0)
			}
			continue
		}
		heap.Pop(&h)
		s.openCand(top.j)
		opened++
	}
}

// bestSwap finds the best 1-swap: close out (an open, non-fixed
// candidate) and open in (closed, feasible), maximising the change in
// covered weight. It returns delta <= 0 when no swap improves.
//
// Closing o uncovers the items only o covers; the candidates covering
// those ("touched") regain their weight, every other candidate keeps its
// gain. So the best partner of o is the best touched one or the first
// feasible untouched one in gain order: no full scan per o.
func (s *coverState) bestSwap() (out, in int32, delta float64) {
	out, in, delta = -1, -1, 0
	s.byGain = s.byGain[:0]
	for j := range s.covers {
		if !s.isOpen[j] && s.gain[j] > 0 {
			s.byGain = append(s.byGain, int32(j))
		}
	}
	slices.SortFunc(s.byGain, func(a, b int32) int {
		if s.gain[a] != s.gain[b] {
			if s.gain[a] > s.gain[b] {
				return -1
			}
			return 1
		}
		return int(a - b)
	})
	for _, o := range s.open {
		s.stamp++
		touched := s.touched[:0]
		l := 0.0
		for _, i := range s.covers[o] {
			if s.cnt[i] == 1 {
				w := s.w[i]
				l += w
				for _, j := range s.by[i] {
					if s.seen[j] != s.stamp {
						s.seen[j] = s.stamp
						s.extra[j] = 0
						touched = append(touched, j)
					}
					s.extra[j] += w
				}
			}
		}
		thr := delta + l + coverEps*math.Max(1, l)
		for _, c := range touched {
			if g := s.gain[c] + s.extra[c]; g > thr && s.feasible(c, o) {
				out, in, delta = o, c, g-l
				thr = delta + l + coverEps*math.Max(1, l)
			}
		}
		for _, c := range s.byGain {
			if s.gain[c] <= thr {
				break
			}
			if s.seen[c] != s.stamp && s.feasible(c, o) {
				out, in, delta = o, c, s.gain[c]-l
				break
			}
		}
		s.touched = touched
	}
	return out, in, delta
}

// localSearch applies best-improvement 1-swaps until none improves; while
// fewer than k are open it first adds the best candidate that still adds
// weight.
func (s *coverState) localSearch(ctx context.Context, k int) error {
	for it := 0; ; it++ {
		if it%16 == 15 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if len(s.open) < k {
			if c := s.pickOpen(nil, nil, false); c >= 0 {
				s.openCand(c)
				continue
			}
		}
		out, in, delta := s.bestSwap()
		if delta <= 0 || out < 0 {
			return nil
		}
		s.closeCand(out)
		s.openCand(in)
	}
}

// iterate is the iterated local search: perturb the best solution by
// closing a few random picks and reopening greedily (the closed ones
// barred), re-optimise by local search, and keep the result when it is no
// worse. It stops after MaxIter rounds, Patience rounds without
// improvement, at the deadline, or once done reports true.
func (s *coverState) iterate(ctx context.Context, opt CoverOptions, deadline time.Time, k int, done func() bool) (int, error) {
	maxIter, patience := opt.MaxIter, opt.Patience
	if maxIter == 0 {
		maxIter = 200
	}
	if patience <= 0 {
		patience = 60
	}
	if maxIter < 0 || len(s.open) == 0 {
		return 0, nil
	}
	rng := rand.New(rand.NewPCG(uint64(opt.Seed), 0x7469646577617463))
	best := slices.Clone(s.open)
	slices.Sort(best)
	bestVal := s.covered
	stale, it := 0, 0
	barred := make([]bool, len(s.covers))
	for ; it < maxIter && stale < patience; it++ {
		if done() {
			break
		}
		if err := ctx.Err(); err != nil {
			return it, err
		}
		if !deadline.IsZero() && time.Now().After(deadline) {
			break
		}
		r := 1 + rng.IntN(max(1, min(len(s.open), 2+k/4, 6)))
		cur := slices.Clone(s.open)
		slices.Sort(cur)
		var closed []int32
		for range r {
			if len(cur) == 0 {
				break
			}
			t := rng.IntN(len(cur))
			c := cur[t]
			cur = slices.Delete(cur, t, t+1)
			s.closeCand(c)
			barred[c] = true
			closed = append(closed, c)
		}
		// Reopen: the first pick at random among the few best, the rest
		// greedy.
		for n := 0; len(s.open) < k; n++ {
			c := s.pickOpen(barred, rng, n == 0)
			if c < 0 {
				break
			}
			s.openCand(c)
		}
		for _, c := range closed {
			barred[c] = false
		}
		if err := s.localSearch(ctx, k); err != nil {
			return it, err
		}
		switch {
		case s.covered > bestVal+coverEps*math.Max(1, bestVal):
			best = slices.Clone(s.open)
			slices.Sort(best)
			bestVal = s.covered
			stale = 0
		case s.covered >= bestVal-coverEps*math.Max(1, bestVal):
			best = slices.Clone(s.open) // accept sideways moves
			slices.Sort(best)
			stale++
		default:
			s.reset(best)
			stale++
		}
	}
	if s.covered < bestVal {
		s.reset(best)
	}
	return it, nil
}

// pickOpen returns a feasible, unbarred closed candidate with positive
// gain: the best one or, when random, a uniform choice among the best few
// or (half the time) among all of them.
func (s *coverState) pickOpen(barred []bool, rng *rand.Rand, random bool) int32 {
	const few = 6
	var top [few]celfItem
	n, seen := 0, 0
	wide := random && rng.IntN(2) == 0
	anyOne := int32(-1)
	for j := range s.covers {
		c := int32(j)
		g := s.gain[j]
		if g <= 0 || (barred != nil && barred[c]) || !s.feasible(c, -1) {
			continue
		}
		if seen++; wide && rng.IntN(seen) == 0 {
			anyOne = c // reservoir sample: uniform over the eligible
		}
		if n < few {
			top[n] = celfItem{g, c}
			n++
		} else if g > top[few-1].gain {
			top[few-1] = celfItem{g, c}
		} else {
			continue
		}
		for t := n - 1; t > 0 && top[t].gain > top[t-1].gain; t-- {
			top[t], top[t-1] = top[t-1], top[t]
		}
		if !random {
			n = 1 // only the best is needed
		}
	}
	if n == 0 {
		return -1
	}
	switch {
	case wide:
		return anyOne
	case random:
		return top[rng.IntN(n)].j
	}
	return top[0].j
}

// dropRedundant closes open candidates, least loss first, while the
// covered weight stays at least need.
func (s *coverState) dropRedundant(need float64) {
	for len(s.open) > 0 {
		c := s.leastLoss()
		if s.covered-s.loss(c) < need {
			return
		}
		s.closeCand(c)
	}
}

// result orders the open candidates by greedy re-sequencing and reports
// each one's marginal gain; with dropUseless it leaves out the picks that
// add nothing.
func (s *coverState) result(dropUseless bool) CoverResult {
	open := slices.Clone(s.open)
	slices.Sort(open)
	res := CoverResult{Covered: s.covered, Open: make([]int32, 0, len(open)), Gains: make([]float64, 0, len(open))}
	cnt := make([]int32, len(s.w))
	for j, f := range s.fixed {
		if f {
			for _, i := range s.covers[j] {
				cnt[i]++
			}
		}
	}
	used := make([]bool, len(open))
	for range open {
		bt, bg := -1, -1.0
		for t, c := range open {
			if used[t] {
				continue
			}
			g := 0.0
			for _, i := range s.covers[c] {
				if cnt[i] == 0 {
					g += s.w[i]
				}
			}
			if g > bg {
				bt, bg = t, g
			}
		}
		used[bt] = true
		if dropUseless && bg <= 0 {
			break // the rest add nothing either
		}
		for _, i := range s.covers[open[bt]] {
			cnt[i]++
		}
		res.Open = append(res.Open, open[bt])
		res.Gains = append(res.Gains, bg)
	}
	return res
}

// lagrangianBound is lagrangian without the heuristic solution.
func (s *coverState) lagrangianBound(ctx context.Context, k int, lb, stopBelow float64) float64 {
	ub, _ := s.lagrangian(ctx, k, lb, stopBelow)
	return ub
}

// lagrangian returns an upper bound on the weight coverable with the
// Fixed candidates plus k more. Relaxing "item i counts only if an open
// candidate covers it" (y_i <= Σ_{j∈N_i} x_j) with multipliers λ_i >= 0
// gives, for the items Fixed leaves uncovered,
//
//	L(λ) = Σ_i max(0, w_i-λ_i) + (sum of the k largest Σ_{i∈Covers[j]} λ_i)
//
// over the candidates Fixed does not block; every L(λ) is a valid bound,
// minimised by subgradient steps of Polyak size towards lb (the best known
// value). Conflicts between new candidates are relaxed too. It returns as
// soon as the bound drops below stopBelow. Without Conflicts it also
// returns the best of the relaxed solutions' k candidates (a Lagrangian
// heuristic) when it covers more than lb, else nil.
func (s *coverState) lagrangian(ctx context.Context, k int, lb, stopBelow float64) (float64, []int32) {
	var cands []int32
	for j := range s.covers {
		if !s.fixed[j] && (s.blockedByFixed(int32(j)) == 0) {
			cands = append(cands, int32(j))
		}
	}
	reach := make([]bool, len(s.w)) // some candidate in cands covers i
	for _, j := range cands {
		for _, i := range s.covers[j] {
			reach[i] = true
		}
	}
	base, freeW := 0.0, 0.0 // weight Fixed covers, weight others may
	free := make([]int32, 0, len(s.w))
	for i, w := range s.w {
		if s.fixedCovers(int32(i)) {
			base += w
		} else if w > 0 && reach[i] {
			free = append(free, int32(i))
			freeW += w
		}
	}
	if k <= 0 || len(free) == 0 {
		return base, nil
	}
	if k >= len(cands) {
		return s.roundBound(base + freeW), nil
	}
	lam := make([]float64, len(s.w))
	for _, i := range free {
		// Start from the item's weight split over its coverers: exact
		// when every item has one coverer.
		lam[i] = s.w[i] / float64(len(s.by[i]))
	}
	sj := make([]float64, len(s.covers))
	order := make([]int32, len(cands))
	xcnt := make([]int32, len(s.w))
	best := math.Inf(1)
	var heur []int32
	heurVal := lb
	mu := 2.0
	sinceBest := 0
	target := lb - base
	// Each step reads the whole relation: cap the steps so huge problems
	// stay within about 3e8 reads (deterministic, unlike a clock).
	steps := min(400, max(40, int(3e8/float64(max(1, s.nnz)))))
	for it := 0; it < steps; it++ {
		if it%8 == 7 && (ctx.Err() != nil || (!s.deadline.IsZero() && time.Now().After(s.deadline))) {
			break
		}
		L := 0.0
		for _, i := range free {
			if d := s.w[i] - lam[i]; d > 0 {
				L += d
			}
		}
		for _, j := range cands {
			v := 0.0
			for _, i := range s.covers[j] {
				v += lam[i]
			}
			sj[j] = v
		}
		order = topK(order[:0], cands, sj, k)
		for _, j := range order[:k] {
			L += sj[j]
		}
		improved := L < best-1e-9*math.Max(1, L)
		best = math.Min(best, L)
		if improved {
			sinceBest = 0
		} else if sinceBest++; sinceBest >= 20 {
			mu /= 2
			sinceBest = 0
		}
		if s.roundBound(base+best) < stopBelow || best-target <= coverEps*math.Max(1, best) || mu < 1e-4 {
			break
		}
		// Subgradient of L at λ: ∂L/∂λ_i = x-coverage of i − y_i.
		for _, j := range order[:k] {
			for _, i := range s.covers[j] {
				xcnt[i]++
			}
		}
		if s.conflict == nil {
			v := base
			for _, i := range free {
				if xcnt[i] > 0 {
					v += s.w[i]
				}
			}
			if v > heurVal+coverEps*math.Max(1, v) {
				heurVal = v
				heur = slices.Clone(order[:k])
			}
		}
		norm := 0.0
		for _, i := range free {
			g := float64(xcnt[i])
			if s.w[i] > lam[i] {
				g--
			}
			norm += g * g
		}
		if norm == 0 {
			break // λ is optimal: the relaxed solution is feasible
		}
		step := mu * math.Max(L-target, 1e-6*math.Max(1, L)) / norm
		for _, i := range free {
			g := float64(xcnt[i])
			if s.w[i] > lam[i] {
				g--
			}
			lam[i] = math.Max(0, lam[i]-step*g)
			xcnt[i] = 0
		}
	}
	return s.roundBound(base + math.Min(best, freeW)), heur
}

// roundBound rounds an upper bound down to an integer when every weight
// is one (the optimum is then an integer too).
func (s *coverState) roundBound(ub float64) float64 {
	if s.integral {
		return math.Floor(ub + coverEps*math.Max(1, ub))
	}
	return ub
}

func (s *coverState) fixedCovers(i int32) bool {
	for _, j := range s.by[i] {
		if s.fixed[j] {
			return true
		}
	}
	return false
}

// blockedByFixed counts the Fixed candidates conflicting with j.
func (s *coverState) blockedByFixed(j int32) int {
	if s.conflict == nil {
		return 0
	}
	n := 0
	for f, isF := range s.fixed {
		if isF && int32(f) != j && s.conflict(int32(f), j) {
			n++
		}
	}
	return n
}

// minOpenBound returns a proven lower bound on the new candidates needed
// to cover need: the smallest m whose Lagrangian bound reaches need,
// searched between a cheap bound (the largest single-candidate weights)
// and have.
func (s *coverState) minOpenBound(ctx context.Context, have int, need, tol float64) int {
	base := 0.0
	for i, w := range s.w {
		if s.fixedCovers(int32(i)) {
			base += w
		}
	}
	if base >= need-tol {
		return 0
	}
	tot := make([]float64, 0, len(s.covers))
	for j, c := range s.covers {
		if s.fixed[j] {
			continue
		}
		v := 0.0
		for _, i := range c {
			if !s.fixedCovers(i) {
				v += s.w[i]
			}
		}
		tot = append(tot, v)
	}
	slices.Sort(tot)
	slices.Reverse(tot)
	lo, acc := 0, base
	for lo < len(tot) && acc < need-tol {
		acc += tot[lo]
		lo++
	}
	// lo candidates are necessary; check larger counts below have.
	hi := have
	for lo < hi {
		if ctx.Err() != nil {
			break
		}
		m := (lo + hi) / 2 // test whether m candidates can suffice
		if m < lo {
			break
		}
		if s.lagrangianBound(ctx, m, need, need-tol) < need-tol {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo
}

// topK appends to dst the k candidates of cands with the largest scores
// sj (ties: smaller index first), in that order: a size-k heap, O(n log k)
// rather than sorting all n.
func topK(dst, cands []int32, sj []float64, k int) []int32 {
	better := func(a, b int32) bool { return sj[a] > sj[b] || (sj[a] == sj[b] && a < b) }
	h := dst[:0]
	if k <= 0 {
		return h
	}
	// h is a heap whose root is the worst of the best k seen so far.
	down := func(i int) {
		for {
			l, w := 2*i+1, i
			if l < len(h) && better(h[w], h[l]) {
				w = l
			}
			if r := l + 1; r < len(h) && better(h[w], h[r]) {
				w = r
			}
			if w == i {
				return
			}
			h[i], h[w] = h[w], h[i]
			i = w
		}
	}
	for _, j := range cands {
		switch {
		case len(h) < k:
			h = append(h, j)
			for i := len(h) - 1; i > 0; {
				p := (i - 1) / 2
				if !better(h[p], h[i]) {
					break
				}
				h[i], h[p] = h[p], h[i]
				i = p
			}
		case better(j, h[0]):
			h[0] = j
			down(0)
		}
	}
	slices.SortFunc(h, func(a, b int32) int {
		if better(a, b) {
			return -1
		}
		return 1
	})
	return h
}
