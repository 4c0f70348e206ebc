package planner

import (
	"context"
	"math"
	"math/rand/v2"
	"time"
)

// OrienteeringProblem is a team orienteering problem with time windows and
// service times (TOPTW) on a travel-time matrix: several units, each
// leaving its start node no earlier than its shift begins and reaching its
// end node no later than its shift ends, visit nodes (guard points) to
// collect their prizes (covered risk). Each node is visited at most once
// over all routes; start and end nodes are never visited as stops.
//
// Times are in one unit throughout (seconds for street networks, the
// instance's distance unit for the Euclidean TOP benchmarks).
type OrienteeringProblem struct {
	// Travel returns the travel time from node i to node j, finite and
	// >= 0, for nodes 0..N-1. It need not be symmetric nor satisfy the
	// triangle inequality.
	Travel func(i, j int) float64
	// N is the number of nodes.
	N int
	// Prize holds the prize (value) of visiting each node, finite and >= 0
	// (0 for depots). Nodes with a zero prize are never visited.
	Prize []float64
	// Service holds the dwell time at each node, in the travel-time unit
	// (nil: none). Service at a route's start and end nodes is counted
	// too.
	Service []float64
	// Open and Close are optional per-node time windows (nil: none):
	// arrival must be <= Close, and service starts at max(arrival, Open),
	// waiting when early.
	Open, Close []float64
	// Routes holds one specification per unit (vehicle): where its route
	// starts and ends and its shift.
	Routes []RouteSpec
}

// RouteSpec is one unit's shift: it leaves node Start at time Earliest
// (or at Open[Start] if later) and must finish service at node End by time
// Latest (the TOP's tmax when Earliest is 0).
type RouteSpec struct {
	Start, End       int
	Earliest, Latest float64
}

// OrienteeringOptions tunes SolveOrienteering. The zero value is a
// sensible default; results are reproducible for a given Seed and MaxIter.
type OrienteeringOptions struct {
	// Seed seeds the randomised perturbations.
	Seed int64
	// TimeLimit, if positive, stops the search early as a safety net.
	// Hitting it makes the result depend on machine speed.
	TimeLimit time.Duration
	// MaxIter caps the perturbation rounds of the iterated local search
	// (default 2000; negative: stop after the first local optimum).
	MaxIter int
}

// OrienteeringResult is a solution of SolveOrienteering.
type OrienteeringResult struct {
	// Routes[r] lists the nodes unit r visits, in order, excluding its
	// start and end nodes. An empty route means the unit stays home.
	Routes [][]int
	// Prize is the total prize collected.
	Prize float64
	// Arrivals[r][k] is the arrival time at Routes[r][k], in the
	// travel-time unit; service starts at max(arrival, Open).
	Arrivals [][]float64
	// Travel is the total travel time over all routes (waiting and
	// service excluded).
	Travel float64
	// Iterations counts the perturbation rounds run.
	Iterations int
}

// orientEps is the feasibility tolerance on times (the instance's unit).
const orientEps = 1e-6

// SolveOrienteering maximises the prize collected by the units of p. It
// builds routes by greedy insertion (prize per extra time), improves them
// by local search (2-opt and or-opt within a route, relocate and swap
// between routes, insertion of unvisited nodes, and replacement of a
// visited node by a more valuable unvisited one) and runs an iterated
// local search: random segments or nodes are removed from each route,
// the result is repaired by the local search and accepted by a
// record-to-record criterion, restarting from the best solution when the
// search stalls. Route feasibility is tracked incrementally with forward
// time slacks, so inserting a node is checked in O(1). Every returned route
// passes CheckRoutes.
func SolveOrienteering(ctx context.Context, p OrienteeringProblem, opt OrienteeringOptions) (OrienteeringResult, error) {
	o, err := newOrient(p)
	if err != nil {
		return OrienteeringResult{}, err
	}
	if err := ctx.Err(); err != nil {
		return OrienteeringResult{}, err
	}
	o.rng = rand.New(rand.NewPCG(uint64(opt.Seed), 0x70705f746f70))
	var deadline time.Time
	if opt.TimeLimit > 0 {
		deadline = time.Now().Add(opt.TimeLimit)
	}
	maxIter := opt.MaxIter
	if maxIter == 0 {
		maxIter = 2000
	}

	o.tabu = make([]bool, o.n)
	empty := o.emptySol()
	cur := o.clone(empty, nil)
	o.insertAll(cur, 0, nil)
	o.localSearch(cur)
	best := o.clone(cur, nil)
	cand := o.clone(cur, nil)
	it, noImp := 0, 0
	for ; it < maxIter; it++ {
		if err := ctx.Err(); err != nil {
			return OrienteeringResult{}, err
		}
		if !deadline.IsZero() && time.Now().After(deadline) {
			break
		}
		if o.ncand == 0 {
			break
		}
		cand = o.clone(cur, cand)
		strength := 0.1 + 0.4*float64(noImp%50)/50
		clear(o.tabu)
		o.perturb(cand, strength)
		o.insertAll(cand, o.rng.Float64(), o.tabu)
		o.localSearch(cand)
		switch {
		case o.better(cand, best):
			best = o.clone(cand, best)
			cur, cand = cand, cur
			noImp = 0
		case cand.prize >= best.prize*(1-0.05*o.rng.Float64())-orientEps:
			cur, cand = cand, cur
			noImp++
		default:
			noImp++
		}
		if noImp > 0 && noImp%100 == 0 {
			if noImp%200 == 0 {
				// Restart from a randomised greedy construction.
				cur = o.clone(empty, cur)
				o.insertAll(cur, 1+2*o.rng.Float64(), nil)
				o.localSearch(cur)
			} else {
				cur = o.clone(best, cur)
			}
		}
	}
	return o.result(best, it), nil
}

// CheckRoutes re-checks res against p from scratch: one route per unit,
// nodes in range, no node visited twice nor a start or end node visited
// as a stop, every time window and shift respected, and res.Prize (and
// res.Arrivals, if set) consistent with the routes, all within a 1e-6
// tolerance. Empty routes are always feasible.
func CheckRoutes(p OrienteeringProblem, res OrienteeringResult) error {
	o, err := newOrient(p)
	if err != nil {
		return err
	}
	if len(res.Routes) != len(p.Routes) {
		return Errorf(EINVALID, "orienteering: %d routes for %d units", len(res.Routes), len(p.Routes))
	}
	if res.Arrivals != nil && len(res.Arrivals) != len(res.Routes) {
		return Errorf(EINVALID, "orienteering: %d arrival lists for %d routes", len(res.Arrivals), len(res.Routes))
	}
	seen := make([]bool, o.n)
	prize := 0.0
	for r, route := range res.Routes {
		if len(route) == 0 {
			continue
		}
		spec := p.Routes[r]
		rt := oroute{nodes: make([]int, 0, len(route)+2)}
		rt.nodes = append(rt.nodes, spec.Start)
		for _, u := range route {
			if u < 0 || u >= o.n {
				return Errorf(EINVALID, "orienteering: route %d visits node %d, out of range [0,%d)", r, u, o.n)
			}
			if o.depot[u] {
				return Errorf(EINVALID, "orienteering: route %d visits depot %d as a stop", r, u)
			}
			if seen[u] {
				return Errorf(EINVALID, "orienteering: node %d visited twice", u)
			}
			seen[u] = true
			prize += o.prize[u]
			rt.nodes = append(rt.nodes, u)
		}
		rt.nodes = append(rt.nodes, spec.End)
		if why := o.simulate(r, &rt); why != "" {
			return Errorf(EINVALID, "orienteering: route %d infeasible: %s", r, why)
		}
		if res.Arrivals != nil {
			if len(res.Arrivals[r]) != len(route) {
				return Errorf(EINVALID, "orienteering: route %d has %d arrivals for %d stops", r, len(res.Arrivals[r]), len(route))
			}
			for k, a := range res.Arrivals[r] {
				if math.Abs(a-rt.arr[k+1]) > orientEps*math.Max(1, math.Abs(a)) {
					return Errorf(EINVALID, "orienteering: route %d arrives at node %d at %v, not %v", r, route[k], a, rt.arr[k+1])
				}
			}
		}
	}
	if math.Abs(prize-res.Prize) > orientEps*math.Max(1, math.Abs(prize)) {
		return Errorf(EINVALID, "orienteering: prize is %v, routes collect %v", res.Prize, prize)
	}
	return nil
}

// orient is the validated problem and search state of SolveOrienteering.
type orient struct {
	n       int
	tm      []float64 // n×n travel matrix, or nil for large n
	tf      func(i, j int) float64
	prize   []float64
	service []float64
	open    []float64 // -Inf when no window
	close   []float64 // +Inf when no window
	specs   []RouteSpec
	depot   []bool
	allowed [][]bool // allowed[r][u]: u alone fits in route r
	cands   []int    // nodes worth visiting
	ncand   int
	rng     *rand.Rand
	tmp     [3]oroute

	bestScore []float64 // insertAll's cache, per candidate and route
	bestPos   []int
	factor    []float64
	tabu      []bool
	mixed     bool  // units have different shifts or depots
	trial     *osol // exchangeRoutes' scratch solution
	top3      [][3]struct {
		d   float64
		pos int
	} // replace's cheapest insertions per candidate
}

// oroute is one route with its schedule: nodes[0] is the start and
// nodes[len-1] the end; md[i] is the largest delay of the arrival at
// position i that keeps the rest of the route feasible.
type oroute struct {
	nodes         []int
	arr, dep, md  []float64
	travel, prize float64
}

// osol is a solution: routes and each node's route (-1: unvisited).
type osol struct {
	routes        []oroute
	where         []int
	prize, travel float64
}

const orientMatrixMax = 2048

func newOrient(p OrienteeringProblem) (*orient, error) {
	n := p.N
	switch {
	case n <= 0:
		return nil, Errorf(EINVALID, "orienteering: N must be > 0, got %d", n)
	case p.Travel == nil:
		return nil, Errorf(EINVALID, "orienteering: Travel is nil")
	case len(p.Prize) != n:
		return nil, Errorf(EINVALID, "orienteering: %d prizes for %d nodes", len(p.Prize), n)
	case p.Service != nil && len(p.Service) != n:
		return nil, Errorf(EINVALID, "orienteering: %d service times for %d nodes", len(p.Service), n)
	case p.Open != nil && len(p.Open) != n:
		return nil, Errorf(EINVALID, "orienteering: %d window opens for %d nodes", len(p.Open), n)
	case p.Close != nil && len(p.Close) != n:
		return nil, Errorf(EINVALID, "orienteering: %d window closes for %d nodes", len(p.Close), n)
	case len(p.Routes) == 0:
		return nil, Errorf(EINVALID, "orienteering: no routes")
	}
	o := &orient{n: n, tf: p.Travel, prize: p.Prize, specs: p.Routes}
	o.service = p.Service
	if o.service == nil {
		o.service = make([]float64, n)
	}
	o.open, o.close = make([]float64, n), make([]float64, n)
	for i := range n {
		o.open[i], o.close[i] = math.Inf(-1), math.Inf(1)
		if p.Open != nil {
			o.open[i] = p.Open[i]
		}
		if p.Close != nil {
			o.close[i] = p.Close[i]
		}
		if w := o.prize[i]; math.IsNaN(w) || math.IsInf(w, 0) || w < 0 {
			return nil, Errorf(EINVALID, "orienteering: prize %d is %v; prizes must be finite and >= 0", i, w)
		}
		if s := o.service[i]; math.IsNaN(s) || math.IsInf(s, 0) || s < 0 {
			return nil, Errorf(EINVALID, "orienteering: service time %d is %v; must be finite and >= 0", i, s)
		}
		if math.IsNaN(o.open[i]) || math.IsNaN(o.close[i]) || o.open[i] > o.close[i] {
			return nil, Errorf(EINVALID, "orienteering: node %d has window [%v, %v]", i, o.open[i], o.close[i])
		}
	}
	o.depot = make([]bool, n)
	for r, s := range p.Routes {
		if s.Start < 0 || s.Start >= n || s.End < 0 || s.End >= n {
			return nil, Errorf(EINVALID, "orienteering: route %d runs from node %d to %d, out of range [0,%d)", r, s.Start, s.End, n)
		}
		if math.IsNaN(s.Earliest) || math.IsNaN(s.Latest) || math.IsInf(s.Earliest, 0) {
			return nil, Errorf(EINVALID, "orienteering: route %d has shift [%v, %v]", r, s.Earliest, s.Latest)
		}
		o.depot[s.Start], o.depot[s.End] = true, true
		if s != p.Routes[0] {
			o.mixed = true
		}
	}
	if n <= orientMatrixMax {
		o.tm = make([]float64, n*n)
		for i := range n {
			for j := range n {
				d := p.Travel(i, j)
				if math.IsNaN(d) || math.IsInf(d, 0) || d < 0 {
					return nil, Errorf(EINVALID, "orienteering: travel time from %d to %d is %v; must be finite and >= 0", i, j, d)
				}
				o.tm[i*n+j] = d
			}
		}
	}
	o.allowed = make([][]bool, len(p.Routes))
	seen := make([]bool, n)
	for r, s := range p.Routes {
		o.allowed[r] = make([]bool, n)
		rt := oroute{nodes: []int{s.Start, s.End}}
		if o.simulate(r, &rt) != "" {
			continue // the unit cannot even go home: its route stays empty
		}
		rt.nodes = []int{s.Start, 0, s.End}
		for u := range n {
			if o.depot[u] || o.prize[u] <= 0 {
				continue
			}
			rt.nodes[1] = u
			if o.simulate(r, &rt) == "" {
				o.allowed[r][u] = true
				if !seen[u] {
					seen[u] = true
					o.cands = append(o.cands, u)
				}
			}
		}
	}
	o.ncand = len(o.cands)
	return o, nil
}

func (o *orient) t(i, j int) float64 {
	if o.tm != nil {
		return o.tm[i*o.n+j]
	}
	return o.tf(i, j)
}

// simulate schedules rt for unit r, filling arr, dep, md, travel and
// prize, and returns why it is infeasible ("" when feasible).
func (o *orient) simulate(r int, rt *oroute) string {
	spec := o.specs[r]
	k := len(rt.nodes)
	if cap(rt.arr) < k {
		rt.arr, rt.dep, rt.md = make([]float64, k, 2*k), make([]float64, k, 2*k), make([]float64, k, 2*k)
	}
	rt.arr, rt.dep, rt.md = rt.arr[:k], rt.dep[:k], rt.md[:k]
	first := rt.nodes[0]
	a := spec.Earliest
	if a > o.close[first]+orientEps {
		return "the shift starts after the start node closes"
	}
	rt.arr[0] = a
	rt.dep[0] = max(a, o.open[first]) + o.service[first]
	travel, prize := 0.0, 0.0
	for i := 1; i < k; i++ {
		u := rt.nodes[i]
		d := o.t(rt.nodes[i-1], u)
		travel += d
		a = rt.dep[i-1] + d
		if a > o.close[u]+orientEps {
			return "arrives at node " + itoa(u) + " after it closes"
		}
		rt.arr[i] = a
		rt.dep[i] = max(a, o.open[u]) + o.service[u]
		if i < k-1 {
			prize += o.prize[u]
		}
	}
	last := k - 1
	if rt.dep[last] > spec.Latest+orientEps {
		return "ends after the shift"
	}
	u := rt.nodes[last]
	rt.md[last] = min(o.close[u]-rt.arr[last], max(0, o.open[u]-rt.arr[last])+spec.Latest-rt.dep[last])
	for i := last - 1; i >= 0; i-- {
		u := rt.nodes[i]
		rt.md[i] = min(o.close[u]-rt.arr[i], max(0, o.open[u]-rt.arr[i])+rt.md[i+1])
	}
	rt.travel, rt.prize = travel, prize
	return ""
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	k := len(b)
	neg := i < 0
	if neg {
		i = -i
	}
	for ; i > 0; i /= 10 {
		k--
		b[k] = byte('0' + i%10)
	}
	if neg {
		k--
		b[k] = '-'
	}
	return string(b[k:])
}

func (o *orient) feasible(r int, rt *oroute) bool { return o.simulate(r, rt) == "" }

// ins returns the extra travel time of inserting u after position pos of
// rt and whether the route stays feasible, in O(1).
func (o *orient) ins(rt *oroute, pos, u int) (float64, bool) {
	p, q := rt.nodes[pos], rt.nodes[pos+1]
	tpu := o.t(p, u)
	a := rt.dep[pos] + tpu
	if a > o.close[u]+orientEps {
		return 0, false
	}
	tuq := o.t(u, q)
	if max(a, o.open[u])+o.service[u]+tuq-rt.arr[pos+1] > rt.md[pos+1]+orientEps {
		return 0, false
	}
	return tpu + tuq - o.t(p, q), true
}

func (o *orient) emptySol() *osol {
	s := &osol{routes: make([]oroute, len(o.specs)), where: make([]int, o.n)}
	for i := range s.where {
		s.where[i] = -1
	}
	for r, spec := range o.specs {
		s.routes[r].nodes = []int{spec.Start, spec.End}
		o.simulate(r, &s.routes[r])
	}
	o.total(s)
	return s
}

func (o *orient) total(s *osol) {
	s.prize, s.travel = 0, 0
	for r := range s.routes {
		if len(s.routes[r].nodes) > 2 {
			s.prize += s.routes[r].prize
			s.travel += s.routes[r].travel
		}
	}
}

// clone copies s into dst (allocated when nil) and returns dst.
func (o *orient) clone(s, dst *osol) *osol {
	if dst == nil {
		dst = &osol{routes: make([]oroute, len(s.routes)), where: make([]int, len(s.where))}
	}
	copy(dst.where, s.where)
	for r := range s.routes {
		a, b := &s.routes[r], &dst.routes[r]
		b.nodes = append(b.nodes[:0], a.nodes...)
		b.arr = append(b.arr[:0], a.arr...)
		b.dep = append(b.dep[:0], a.dep...)
		b.md = append(b.md[:0], a.md...)
		b.travel, b.prize = a.travel, a.prize
	}
	dst.prize, dst.travel = s.prize, s.travel
	return dst
}

func (o *orient) better(a, b *osol) bool {
	if a.prize > b.prize+1e-9 {
		return true
	}
	return a.prize > b.prize-1e-9 && a.travel < b.travel-1e-9
}

// commit installs the scratch route tmp as route r of s, when feasible.
func (o *orient) commit(s *osol, r int, tmp *oroute) bool {
	if !o.feasible(r, tmp) {
		return false
	}
	s.routes[r], *tmp = *tmp, s.routes[r]
	return true
}

// insertAll inserts unvisited nodes greedily by prize per extra time
// (randomised by noise >= 0), skipping nodes marked in tabu, until none
// fits; it returns how many. The best place of each node in each route is
// cached and recomputed only for the route that changed.
func (o *orient) insertAll(s *osol, noise float64, tabu []bool) int {
	nr := len(s.routes)
	if cap(o.bestScore) < o.ncand*nr {
		o.bestScore = make([]float64, o.ncand*nr)
		o.bestPos = make([]int, o.ncand*nr)
		o.factor = make([]float64, o.ncand)
	}
	for c, u := range o.cands {
		o.factor[c] = 1
		if noise > 0 {
			o.factor[c] = 1 + noise*o.rng.Float64()
		}
		if s.where[u] < 0 && (tabu == nil || !tabu[u]) {
			for r := range nr {
				o.bestIns(s, c, r)
			}
		}
	}
	count := 0
	for {
		bc, br, bs := -1, -1, math.Inf(-1)
		for c, u := range o.cands {
			if s.where[u] >= 0 || (tabu != nil && tabu[u]) {
				continue
			}
			for r := range nr {
				if sc := o.bestScore[c*nr+r]; o.bestPos[c*nr+r] >= 0 && sc > bs {
					bc, br, bs = c, r, sc
				}
			}
		}
		if bc < 0 {
			return count
		}
		if !o.insertAt(s, br, o.bestPos[bc*nr+br], o.cands[bc]) {
			o.bestPos[bc*nr+br] = -1 // only if a tolerance edge case disagrees
			continue
		}
		count++
		for c, u := range o.cands {
			if s.where[u] < 0 && (tabu == nil || !tabu[u]) {
				o.bestIns(s, c, br)
			}
		}
	}
}

// bestIns caches the best insertion of candidate c into route r of s.
func (o *orient) bestIns(s *osol, c, r int) {
	nr := len(s.routes)
	u := o.cands[c]
	o.bestPos[c*nr+r] = -1
	if !o.allowed[r][u] {
		return
	}
	rt := &s.routes[r]
	bs := math.Inf(-1)
	for pos := 0; pos < len(rt.nodes)-1; pos++ {
		d, ok := o.ins(rt, pos, u)
		if !ok {
			continue
		}
		if score := o.factor[c] * o.prize[u] / max(d+o.service[u], 1e-9); score > bs {
			bs = score
			o.bestPos[c*nr+r] = pos
		}
	}
	o.bestScore[c*nr+r] = bs
}

func (o *orient) insertAt(s *osol, r, pos, u int) bool {
	tmp := &o.tmp[0]
	n := s.routes[r].nodes
	tmp.nodes = append(tmp.nodes[:0], n[:pos+1]...)
	tmp.nodes = append(tmp.nodes, u)
	tmp.nodes = append(tmp.nodes, n[pos+1:]...)
	if !o.commit(s, r, tmp) {
		return false
	}
	s.where[u] = r
	o.total(s)
	return true
}

// localSearch improves s until no move helps: shorter routes first, then
// insertions and replacements that raise the prize.
func (o *orient) localSearch(s *osol) {
	for {
		for r := range s.routes {
			o.twoOpt(s, r)
			o.orOpt(s, r)
		}
		o.interRoute(s)
		o.total(s)
		if o.insertAll(s, 0, nil) > 0 {
			continue
		}
		if !o.replace(s) && !o.exchangeRoutes(s) {
			return
		}
	}
}

// exchangeRoutes swaps the stops of two units with different shifts when
// both stay feasible and the swap lets more prize be inserted. It reports
// whether it improved s.
func (o *orient) exchangeRoutes(s *osol) bool {
	if !o.mixed {
		return false
	}
	for a := range s.routes {
		for b := a + 1; b < len(s.routes); b++ {
			na, nb := s.routes[a].nodes, s.routes[b].nodes
			if len(na) == 2 && len(nb) == 2 {
				continue
			}
			ta, tb := &o.tmp[1], &o.tmp[2]
			sa, sb := o.specs[a], o.specs[b]
			ta.nodes = append(append(append(ta.nodes[:0], sa.Start), nb[1:len(nb)-1]...), sa.End)
			tb.nodes = append(append(append(tb.nodes[:0], sb.Start), na[1:len(na)-1]...), sb.End)
			if !o.routeAllowed(a, ta) || !o.routeAllowed(b, tb) || !o.feasible(a, ta) || !o.feasible(b, tb) {
				continue
			}
			trial := o.clone(s, o.trial)
			o.trial = trial
			trial.routes[a], *ta = *ta, trial.routes[a]
			trial.routes[b], *tb = *tb, trial.routes[b]
			for _, u := range trial.routes[a].nodes[1 : len(trial.routes[a].nodes)-1] {
				trial.where[u] = a
			}
			for _, u := range trial.routes[b].nodes[1 : len(trial.routes[b].nodes)-1] {
				trial.where[u] = b
			}
			o.total(trial)
			if o.insertAll(trial, 0, nil) > 0 && trial.prize > s.prize+1e-9 {
				o.clone(trial, s)
				return true
			}
		}
	}
	return false
}

func (o *orient) routeAllowed(r int, rt *oroute) bool {
	for _, u := range rt.nodes[1 : len(rt.nodes)-1] {
		if !o.allowed[r][u] {
			return false
		}
	}
	return true
}

// twoOpt reverses segments of route r while that shortens it.
func (o *orient) twoOpt(s *osol, r int) {
	tmp := &o.tmp[0]
again:
	n := s.routes[r].nodes
	k := len(n)
	for i := 1; i < k-2; i++ {
		fwd, rev := 0.0, 0.0
		for j := i + 1; j < k-1; j++ {
			fwd += o.t(n[j-1], n[j])
			rev += o.t(n[j], n[j-1])
			delta := o.t(n[i-1], n[j]) + rev + o.t(n[i], n[j+1]) - o.t(n[i-1], n[i]) - fwd - o.t(n[j], n[j+1])
			if delta < -1e-9 {
				tmp.nodes = append(tmp.nodes[:0], n...)
				for a, b := i, j; a < b; a, b = a+1, b-1 {
					tmp.nodes[a], tmp.nodes[b] = tmp.nodes[b], tmp.nodes[a]
				}
				if o.commit(s, r, tmp) {
					goto again
				}
			}
		}
	}
}

// orOpt moves segments of 1–3 nodes within route r while that shortens it.
func (o *orient) orOpt(s *osol, r int) {
	tmp := &o.tmp[0]
again:
	n := s.routes[r].nodes
	k := len(n)
	for l := 1; l <= 3; l++ {
		for i := 1; i+l <= k-1; i++ {
			j := i + l - 1 // segment n[i..j]
			a, b := n[i-1], n[j+1]
			gain := o.t(a, n[i]) + o.t(n[j], b) - o.t(a, b)
			for p := 0; p < k-1; p++ {
				if p >= i-1 && p <= j {
					continue
				}
				c, d := n[p], n[p+1]
				if o.t(c, n[i])+o.t(n[j], d)-o.t(c, d)-gain < -1e-9 {
					tmp.nodes = tmp.nodes[:0]
					for q := 0; q < k; q++ {
						if q >= i && q <= j {
							continue
						}
						tmp.nodes = append(tmp.nodes, n[q])
						if q == p {
							tmp.nodes = append(tmp.nodes, n[i:j+1]...)
						}
					}
					if o.commit(s, r, tmp) {
						goto again
					}
				}
			}
		}
	}
}

// interRoute relocates nodes between routes and swaps pairs of nodes of
// two routes while that shortens the total travel.
func (o *orient) interRoute(s *osol) {
	if len(s.routes) < 2 {
		return
	}
	ta, tb := &o.tmp[1], &o.tmp[2]
	improved := true
	for improved {
		improved = false
		for ra := range s.routes {
			for rb := range s.routes {
				if ra == rb {
					continue
				}
			restart:
				A, B := &s.routes[ra], &s.routes[rb]
				na, nb := A.nodes, B.nodes
				for i := 1; i < len(na)-1; i++ {
					u := na[i]
					gain := o.t(na[i-1], u) + o.t(u, na[i+1]) - o.t(na[i-1], na[i+1])
					// relocate u from A to B
					if o.allowed[rb][u] {
						for p := 0; p < len(nb)-1; p++ {
							d, ok := o.ins(B, p, u)
							if !ok || d-gain >= -1e-9 {
								continue
							}
							if o.relocate(s, ra, i, rb, p, ta, tb) {
								improved = true
								goto restart
							}
						}
					}
					// swap u with v of B
					for j := 1; j < len(nb)-1; j++ {
						v := nb[j]
						if !o.allowed[rb][u] || !o.allowed[ra][v] {
							continue
						}
						da := o.t(na[i-1], v) + o.t(v, na[i+1]) - o.t(na[i-1], u) - o.t(u, na[i+1])
						db := o.t(nb[j-1], u) + o.t(u, nb[j+1]) - o.t(nb[j-1], v) - o.t(v, nb[j+1])
						if da+db >= -1e-9 {
							continue
						}
						ta.nodes = append(ta.nodes[:0], na...)
						ta.nodes[i] = v
						tb.nodes = append(tb.nodes[:0], nb...)
						tb.nodes[j] = u
						if o.feasible(ra, ta) && o.feasible(rb, tb) {
							s.routes[ra], *ta = *ta, s.routes[ra]
							s.routes[rb], *tb = *tb, s.routes[rb]
							s.where[u], s.where[v] = rb, ra
							improved = true
							goto restart
						}
					}
				}
			}
		}
	}
}

// relocate moves the node at position i of route ra after position p of
// route rb, if both routes stay feasible.
func (o *orient) relocate(s *osol, ra, i, rb, p int, ta, tb *oroute) bool {
	na, nb := s.routes[ra].nodes, s.routes[rb].nodes
	u := na[i]
	ta.nodes = append(append(ta.nodes[:0], na[:i]...), na[i+1:]...)
	tb.nodes = append(append(append(tb.nodes[:0], nb[:p+1]...), u), nb[p+1:]...)
	if !o.feasible(ra, ta) || !o.feasible(rb, tb) {
		return false
	}
	s.routes[ra], *ta = *ta, s.routes[ra]
	s.routes[rb], *tb = *tb, s.routes[rb]
	s.where[u] = rb
	return true
}

// replace swaps one visited node for an unvisited one that is worth more
// (or as much, for less travel), at the best place in the same route. It
// applies the best such move and reports whether there was one.
func (o *orient) replace(s *osol) bool {
	ta := &o.tmp[1]
	br, bi, bu, bp := -1, -1, -1, -1
	bgain, bdtr := 0.0, 0.0
	for r := range s.routes {
		n := s.routes[r].nodes
		if len(n) == 2 {
			continue
		}
		// top3[u]: the three cheapest extra travels of u over the
		// positions of route r, a lower bound filter for each removal.
		svc := 0.0
		for _, v := range n {
			svc += o.service[v]
		}
		budget := o.specs[r].Latest - o.specs[r].Earliest
		o.top3 = o.top3[:0]
		for _, u := range o.cands {
			var t3 [3]struct {
				d   float64
				pos int
			}
			for k := range t3 {
				t3[k].d, t3[k].pos = math.Inf(1), -1
			}
			if s.where[u] < 0 && o.allowed[r][u] {
				for p := 0; p < len(n)-1; p++ {
					d := o.t(n[p], u) + o.t(u, n[p+1]) - o.t(n[p], n[p+1])
					switch {
					case d < t3[0].d:
						t3[2], t3[1] = t3[1], t3[0]
						t3[0].d, t3[0].pos = d, p
					case d < t3[1].d:
						t3[2] = t3[1]
						t3[1].d, t3[1].pos = d, p
					case d < t3[2].d:
						t3[2].d, t3[2].pos = d, p
					}
				}
			}
			o.top3 = append(o.top3, t3)
		}
		for i := 1; i < len(n)-1; i++ {
			v := n[i]
			ta.nodes = append(append(ta.nodes[:0], n[:i]...), n[i+1:]...)
			if !o.feasible(r, ta) {
				continue
			}
			for c, u := range o.cands {
				if s.where[u] >= 0 || !o.allowed[r][u] {
					continue
				}
				gain := o.prize[u] - o.prize[v]
				if gain < bgain-1e-9 || gain < -1e-9 {
					continue
				}
				// Cheapest extra travel of u in the route without v.
				lb := o.t(n[i-1], u) + o.t(u, n[i+1]) - o.t(n[i-1], n[i+1])
				for _, e := range o.top3[c] {
					if e.pos != i-1 && e.pos != i {
						lb = min(lb, e.d)
						break
					}
				}
				if ta.travel+lb+svc-o.service[v]+o.service[u] > budget+orientEps {
					continue
				}
				for p := 0; p < len(ta.nodes)-1; p++ {
					d, ok := o.ins(ta, p, u)
					if !ok {
						continue
					}
					dtr := ta.travel + d - s.routes[r].travel
					if !(gain > 1e-9 || dtr < -1e-9) {
						continue
					}
					if br < 0 || gain > bgain+1e-9 || (gain > bgain-1e-9 && dtr < bdtr-1e-9) {
						br, bi, bu, bp, bgain, bdtr = r, i, u, p, gain, dtr
					}
				}
			}
		}
	}
	if br < 0 {
		return false
	}
	n := s.routes[br].nodes
	v := n[bi]
	ta.nodes = append(append(ta.nodes[:0], n[:bi]...), n[bi+1:]...)
	ta.nodes = append(ta.nodes[:bp+1], append([]int{bu}, ta.nodes[bp+1:]...)...)
	if !o.commit(s, br, ta) {
		return false
	}
	s.where[v], s.where[bu] = -1, br
	o.total(s)
	return true
}

// perturb removes from each route either a random segment or random
// nodes, about strength (0..1) of its stops; one time in ten it clears a
// whole route instead. Removed nodes are marked tabu.
func (o *orient) perturb(s *osol, strength float64) {
	tmp := &o.tmp[0]
	wipe := -1
	if o.rng.IntN(10) == 0 {
		wipe = o.rng.IntN(len(s.routes))
	}
	for r := range s.routes {
		n := s.routes[r].nodes
		k := len(n) - 2
		if k == 0 {
			continue
		}
		m := 1 + o.rng.IntN(max(1, int(math.Ceil(strength*float64(k)))))
		m = min(m, k)
		if r == wipe {
			m = k // clear the whole route: let it move elsewhere
		}
		tmp.nodes = append(tmp.nodes[:0], n...)
		if o.rng.IntN(2) == 0 {
			st := 1 + o.rng.IntN(k-m+1)
			for q := st; q < st+m; q++ {
				s.where[n[q]] = -1
				o.tabu[n[q]] = true
			}
			tmp.nodes = append(tmp.nodes[:st], n[st+m:]...)
		} else {
			for range m {
				q := 1 + o.rng.IntN(len(tmp.nodes)-2)
				s.where[tmp.nodes[q]] = -1
				o.tabu[tmp.nodes[q]] = true
				tmp.nodes = append(tmp.nodes[:q], tmp.nodes[q+1:]...)
			}
		}
		if !o.commit(s, r, tmp) {
			// Removing nodes lengthened the route (no triangle
			// inequality): keep it as it was.
			for q := 1; q <= k; q++ {
				s.where[n[q]] = r
			}
		}
	}
	o.total(s)
}

func (o *orient) result(s *osol, it int) OrienteeringResult {
	res := OrienteeringResult{
		Routes:     make([][]int, len(s.routes)),
		Arrivals:   make([][]float64, len(s.routes)),
		Iterations: it,
	}
	for r := range s.routes {
		rt := &s.routes[r]
		k := len(rt.nodes)
		res.Routes[r] = append([]int{}, rt.nodes[1:k-1]...)
		res.Arrivals[r] = append([]float64{}, rt.arr[1:k-1]...)
		if k > 2 {
			res.Prize += rt.prize
			res.Travel += rt.travel
		}
	}
	return res
}
