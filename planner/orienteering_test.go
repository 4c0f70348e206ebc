package planner

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

// lineProblem places nodes at x positions on a line (travel = |dx|) with
// one unit from node 0 back to node 0 over [0, latest].
func lineProblem(xs, prize []float64, latest float64) OrienteeringProblem {
	return OrienteeringProblem{
		Travel: func(i, j int) float64 { return math.Abs(xs[i] - xs[j]) },
		N:      len(xs),
		Prize:  prize,
		Routes: []RouteSpec{{Start: 0, End: 0, Earliest: 0, Latest: latest}},
	}
}

func solve(t *testing.T, p OrienteeringProblem, opt OrienteeringOptions) OrienteeringResult {
	t.Helper()
	res, err := SolveOrienteering(context.Background(), p, opt)
	if err != nil {
		t.Fatal(err)
	}
	if err := CheckRoutes(p, res); err != nil {
		t.Fatalf("infeasible result %+v: %v", res, err)
	}
	return res
}

func TestOrienteeringServiceTimes(t *testing.T) {
	// Two nodes 1 away on either side of the depot: the round trip is 4.
	p := lineProblem([]float64{0, 1, -1}, []float64{0, 3, 5}, 10)
	res := solve(t, p, OrienteeringOptions{Seed: 1})
	if res.Prize != 8 || res.Travel != 4 {
		t.Fatalf("without service: prize %v travel %v, want 8 and 4", res.Prize, res.Travel)
	}
	// With 4 of dwell at each, both take 4+8 = 12 > 10: keep the better.
	p.Service = []float64{0, 4, 4}
	res = solve(t, p, OrienteeringOptions{Seed: 1})
	if res.Prize != 5 || !reflect.DeepEqual(res.Routes, [][]int{{2}}) || !reflect.DeepEqual(res.Arrivals, [][]float64{{1}}) {
		t.Fatalf("with service: %+v, want node 2 alone, arriving at 1", res)
	}
	// Dwell at the depot counts too: 3 there leaves 7, enough for one.
	p.Service = []float64{3, 1, 1}
	res = solve(t, p, OrienteeringOptions{Seed: 1})
	if res.Prize != 5 || !reflect.DeepEqual(res.Arrivals, [][]float64{{4}}) {
		t.Fatalf("with depot service: %+v, want node 2 arriving at 4", res)
	}
}

func TestOrienteeringTimeWindows(t *testing.T) {
	// Node 1 at x=1 opens at 5; node 2 at x=2 closes at 3. Only the order
	// 2, 1 visits both: arrive at 2 at time 2, at 1 at time 3, wait to 5.
	p := lineProblem([]float64{0, 1, 2}, []float64{0, 1, 1}, 20)
	p.Open = []float64{0, 5, 0}
	p.Close = []float64{100, 100, 3}
	res := solve(t, p, OrienteeringOptions{Seed: 3})
	if !reflect.DeepEqual(res.Routes, [][]int{{2, 1}}) || !reflect.DeepEqual(res.Arrivals, [][]float64{{2, 3}}) || res.Prize != 2 {
		t.Fatalf("got %+v, want route [2 1] arriving at [2 3]", res)
	}
	// The shift ends at 5.5: waiting for node 1 (5, then 1 home) no
	// longer fits, so only node 2 is visited.
	p.Routes[0].Latest = 5.5
	res = solve(t, p, OrienteeringOptions{Seed: 3})
	if !reflect.DeepEqual(res.Routes, [][]int{{2}}) || res.Prize != 1 {
		t.Fatalf("short shift: got %+v, want route [2]", res)
	}
}

func TestOrienteeringUnitCannotLeave(t *testing.T) {
	// Unit 0 starts at node 0 and must end at node 3, 50 away, within 10:
	// it cannot even go home, so its route stays empty. Unit 1 starts at
	// node 4, whose window closes before its shift starts. Unit 2 can work.
	xs := []float64{0, 1, 2, 50, 3}
	p := OrienteeringProblem{
		Travel: func(i, j int) float64 { return math.Abs(xs[i] - xs[j]) },
		N:      len(xs),
		Prize:  []float64{0, 2, 3, 0, 0},
		Open:   []float64{0, 0, 0, 0, 0},
		Close:  []float64{100, 100, 100, 100, 1},
		Routes: []RouteSpec{
			{Start: 0, End: 3, Earliest: 0, Latest: 10},
			{Start: 4, End: 4, Earliest: 2, Latest: 100},
			{Start: 0, End: 0, Earliest: 0, Latest: 4},
		},
	}
	res := solve(t, p, OrienteeringOptions{Seed: 1})
	if len(res.Routes[0]) != 0 || len(res.Routes[1]) != 0 || res.Prize != 5 || len(res.Routes[2]) != 2 || res.Travel != 4 {
		t.Fatalf("got %+v, want units 0 and 1 idle and unit 2 visiting nodes 1 and 2", res)
	}
	// CheckRoutes rejects sending unit 0 out.
	bad := OrienteeringResult{Routes: [][]int{{1}, nil, {2}}, Prize: 5}
	if err := CheckRoutes(p, bad); ErrorCode(err) != EINVALID {
		t.Fatalf("CheckRoutes(unit 0 out) = %v, want %s", err, EINVALID)
	}
}

// randomTW is a small random instance with time windows and service times
// on the unit square (travel = 10 × distance), two units from node 0.
func randomTW(seed uint64, n int) OrienteeringProblem {
	rng := rand.New(rand.NewPCG(seed, 7))
	x, y := make([]float64, n), make([]float64, n)
	p := OrienteeringProblem{N: n, Prize: make([]float64, n), Service: make([]float64, n),
		Open: make([]float64, n), Close: make([]float64, n)}
	for i := range n {
		x[i], y[i] = rng.Float64(), rng.Float64()
		p.Close[i] = 30
		if i > 0 {
			p.Prize[i] = float64(1 + rng.IntN(9))
			p.Service[i] = float64(rng.IntN(3))
			p.Open[i] = float64(rng.IntN(12))
			p.Close[i] = p.Open[i] + float64(2+rng.IntN(10))
		}
	}
	p.Travel = func(i, j int) float64 { return 10 * math.Hypot(x[i]-x[j], y[i]-y[j]) }
	p.Routes = []RouteSpec{{0, 0, 0, 20}, {0, 0, 1, 18}}
	return p
}

// bruteForce returns the best prize of p (nodes 1..N-1, every route from
// node 0) by enumerating every ordered route per subset.
func bruteForce(p OrienteeringProblem) float64 {
	o, err := newOrient(p)
	if err != nil {
		panic(err)
	}
	n := p.N - 1
	fits := make([][]bool, len(p.Routes)) // fits[r][subset]
	for r := range p.Routes {
		fits[r] = make([]bool, 1<<n)
		var perm func(rt *oroute, used int)
		perm = func(rt *oroute, used int) {
			rt.nodes = append(rt.nodes, 0)
			ok := o.simulate(r, rt) == ""
			rt.nodes = rt.nodes[:len(rt.nodes)-1]
			if !ok {
				return // a prefix that fails stays failed: times only grow
			}
			fits[r][used] = true
			for u := 1; u <= n; u++ {
				if used&(1<<(u-1)) == 0 {
					rt.nodes = append(rt.nodes, u)
					perm(rt, used|1<<(u-1))
					rt.nodes = rt.nodes[:len(rt.nodes)-1]
				}
			}
		}
		perm(&oroute{nodes: []int{0}}, 0)
	}
	prize := func(s int) float64 {
		v := 0.0
		for u := 1; u <= n; u++ {
			if s&(1<<(u-1)) != 0 {
				v += p.Prize[u]
			}
		}
		return v
	}
	best := 0.0
	for a := range 1 << n {
		if !fits[0][a] {
			continue
		}
		rest := (1<<n - 1) &^ a
		for b := rest; ; b = (b - 1) & rest {
			if fits[1][b] {
				best = max(best, prize(a)+prize(b))
			}
			if b == 0 {
				break
			}
		}
	}
	return best
}

func TestOrienteeringMatchesBruteForce(t *testing.T) {
	for seed := range uint64(8) {
		p := randomTW(seed, 9)
		want := bruteForce(p)
		res := solve(t, p, OrienteeringOptions{Seed: int64(seed), MaxIter: 300})
		if res.Prize != want {
			t.Errorf("seed %d: prize %v, brute force %v (routes %v)", seed, res.Prize, want, res.Routes)
		}
		for r, route := range res.Routes {
			for k, u := range route {
				a := res.Arrivals[r][k]
				if a > p.Close[u]+1e-9 || (k == 0 && a < p.Routes[r].Earliest) {
					t.Errorf("seed %d: node %d reached at %v, window [%v, %v]", seed, u, a, p.Open[u], p.Close[u])
				}
			}
		}
	}
}

func TestOrienteeringDeterministic(t *testing.T) {
	p := randomTW(42, 40)
	p.Routes = append(p.Routes, RouteSpec{0, 0, 0, 25})
	a := solve(t, p, OrienteeringOptions{Seed: 5, MaxIter: 150})
	b := solve(t, p, OrienteeringOptions{Seed: 5, MaxIter: 150})
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("same seed, different results:\n%+v\n%+v", a, b)
	}
	if a.Prize <= 0 || a.Iterations != 150 {
		t.Fatalf("prize %v after %d rounds, want > 0 after 150", a.Prize, a.Iterations)
	}
}

func TestOrienteeringInvalid(t *testing.T) {
	good := lineProblem([]float64{0, 1}, []float64{0, 1}, 10)
	for name, mod := range map[string]func(p *OrienteeringProblem){
		"no nodes":       func(p *OrienteeringProblem) { p.N = 0 },
		"nil travel":     func(p *OrienteeringProblem) { p.Travel = nil },
		"prize length":   func(p *OrienteeringProblem) { p.Prize = []float64{1} },
		"negative prize": func(p *OrienteeringProblem) { p.Prize = []float64{0, -1} },
		"NaN service":    func(p *OrienteeringProblem) { p.Service = []float64{0, math.NaN()} },
		"window":         func(p *OrienteeringProblem) { p.Open, p.Close = []float64{0, 5}, []float64{9, 4} },
		"no routes":      func(p *OrienteeringProblem) { p.Routes = nil },
		"route range":    func(p *OrienteeringProblem) { p.Routes[0].End = 2 },
		"travel":         func(p *OrienteeringProblem) { p.Travel = func(i, j int) float64 { return -1 } },
	} {
		p := good
		p.Routes = append([]RouteSpec(nil), good.Routes...)
		mod(&p)
		if _, err := SolveOrienteering(context.Background(), p, OrienteeringOptions{}); ErrorCode(err) != EINVALID {
			t.Errorf("%s: err %v, want %s", name, err, EINVALID)
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := SolveOrienteering(ctx, good, OrienteeringOptions{}); !errors.Is(err, context.Canceled) {
		t.Errorf("canceled: err %v", err)
	}
}

func TestCheckRoutesRejects(t *testing.T) {
	p := lineProblem([]float64{0, 1, 2}, []float64{0, 1, 2}, 5)
	p.Close = []float64{10, 10, 2.5}
	p.Service = []float64{0, 1, 0}
	for name, res := range map[string]OrienteeringResult{
		"twice":        {Routes: [][]int{{1, 1}}, Prize: 2},
		"depot":        {Routes: [][]int{{0}}, Prize: 0},
		"range":        {Routes: [][]int{{3}}, Prize: 0},
		"late":         {Routes: [][]int{{1, 2}}, Prize: 3},
		"prize":        {Routes: [][]int{{1}}, Prize: 2},
		"route count":  {Routes: [][]int{{1}, {}}, Prize: 1},
		"arrival":      {Routes: [][]int{{1}}, Prize: 1, Arrivals: [][]float64{{0.5}}},
		"arrival size": {Routes: [][]int{{1}}, Prize: 1, Arrivals: [][]float64{{1, 2}}},
	} {
		if err := CheckRoutes(p, res); ErrorCode(err) != EINVALID {
			t.Errorf("%s: CheckRoutes = %v, want %s", name, err, EINVALID)
		}
	}
	if err := CheckRoutes(p, OrienteeringResult{Routes: [][]int{{2}}, Prize: 2, Arrivals: [][]float64{{2}}}); err != nil {
		t.Errorf("feasible route rejected: %v", err)
	}
}
