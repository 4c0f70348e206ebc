package planner

import (
	"context"
	"math"
	"sort"

	"github.com/tidewatch/tidewatch/geo"
)

// Kiosk siting defaults.
const (
	DefaultCandidateSpacingM = 150.0 // at most one junction candidate per cell of this size
	DefaultMaxCandidates     = 3000
)

// KioskSitingOptions asks where new kiosks help most.
type KioskSitingOptions struct {
	Mode    Mode    // default car
	Minutes float64 // the tier T, minutes (default 3)
	// Count opens this many new kiosks (MCLP); when Target > 0 instead the
	// fewest new kiosks reaching Target (a fraction, 1 = 100 %) of the
	// weight are sought (LSCP).
	Count  int
	Target float64
	// Weight is "road" (road length, metres; the default) or "incidents"
	// (incident weight snapped to the nearest road).
	Weight string
	// Candidates are proposed sites (lon,lat); nil uses road junctions
	// (three or more segments), thinned to one per CandidateSpacingM cell.
	Candidates        []geo.Point
	CandidateSpacingM float64
	MaxCandidates     int
	MinSpacingM       float64 // new kiosks at least this far from each other and from existing ones, metres (0 = no rule)
	SnapLimitM        float64
	Seed              int64
}

// KioskProposal is one proposed kiosk.
type KioskProposal struct {
	Rank     int       `json:"rank"`
	Location geo.Point `json:"-"`
	Lon      float64   `json:"lon"`
	Lat      float64   `json:"lat"`
	OSMNode  int64     `json:"osm_node,omitempty"` // the junction, when the candidate is one
	Gain     float64   `json:"gain"`               // newly covered weight this pick adds
	Share    float64   `json:"share_after"`        // covered share of the weight after this pick, 0..1
}

// KioskSiting is the answer: proposals, before/after coverage and how far
// from optimal the solver may be.
type KioskSiting struct {
	Mode        Mode            `json:"mode"`
	Minutes     float64         `json:"minutes"`
	Weight      string          `json:"weight"`
	TotalWeight float64         `json:"total_weight"`
	Before      float64         `json:"covered_before"` // by existing kiosks
	After       float64         `json:"covered_after"`
	UpperBound  float64         `json:"upper_bound"` // MCLP: no choice of Count kiosks covers more
	Gap         float64         `json:"gap"`         // (UpperBound-After)/UpperBound for MCLP; for LSCP (count-lower bound)/count
	MinCount    int             `json:"min_count,omitempty"`
	Candidates  int             `json:"candidates"`
	Proposals   []KioskProposal `json:"proposals"`
}

// kioskProblem is a siting instance: demand items are network edges,
// covered when their midpoint is within T of a site.
type kioskProblem struct {
	cover  CoverProblem
	sites  []geo.Point
	nodes  []int64 // OSM node of each candidate (0 for existing kiosks and user points)
	nCand  int     // candidates come first, existing kiosks after
	total  float64
	weight string
}

// SiteKiosks proposes new kiosks for ws (see KioskSitingOptions), keeping
// the existing ones.
func SiteKiosks(ctx context.Context, ws *Workspace, opt KioskSitingOptions) (*KioskSiting, error) {
	if opt.Minutes == 0 {
		opt.Minutes = 3
	}
	if opt.Target == 0 && opt.Count <= 0 {
		return nil, Errorf(EINVALID, "kiosk siting: give a count of new kiosks (≥ 1) or a target share")
	}
	if opt.Target < 0 || opt.Target > 1 {
		return nil, Errorf(EINVALID, "kiosk siting: target %g is not a share between 0 and 1", opt.Target)
	}
	kp, err := newKioskProblem(ctx, ws, &opt)
	if err != nil {
		return nil, err
	}
	copt := CoverOptions{Seed: opt.Seed}
	var res CoverResult
	if opt.Target > 0 {
		res, err = MinCover(ctx, kp.cover, opt.Target, copt)
	} else {
		res, err = MaxCover(ctx, kp.cover, opt.Count, copt)
	}
	if err != nil {
		return nil, err
	}
	out := &KioskSiting{Mode: opt.Mode, Minutes: opt.Minutes, Weight: kp.weight, TotalWeight: kp.total,
		After: res.Covered, UpperBound: res.UpperBound, Gap: res.Gap, MinCount: res.MinOpen, Candidates: kp.nCand}
	out.Before = coveredBy(kp.cover, kp.cover.Fixed)
	covered := out.Before
	for i, j := range res.Open {
		covered += res.Gains[i]
		p := kp.sites[j]
		pr := KioskProposal{Rank: i + 1, Location: p, Lon: p.Lon, Lat: p.Lat, OSMNode: kp.nodes[j], Gain: res.Gains[i]}
		if kp.total > 0 {
			pr.Share = covered / kp.total
		}
		out.Proposals = append(out.Proposals, pr)
	}
	return out, nil
}

// coveredBy returns the weight covered by the given candidates.
func coveredBy(p CoverProblem, open []int32) float64 {
	seen := make([]bool, len(p.Weights))
	total := 0.0
	for _, j := range open {
		for _, i := range p.Covers[j] {
			if !seen[i] {
				seen[i] = true
				total += p.Weights[i]
			}
		}
	}
	return total
}

func newKioskProblem(ctx context.Context, ws *Workspace, opt *KioskSitingOptions) (*kioskProblem, error) {
	if opt.Mode == "" {
		opt.Mode = ModeCar
	}
	if opt.SnapLimitM == 0 {
		opt.SnapLimitM = DefaultSnapLimitM
	}
	if opt.CandidateSpacingM == 0 {
		opt.CandidateSpacingM = DefaultCandidateSpacingM
	}
	if opt.MaxCandidates == 0 {
		opt.MaxCandidates = DefaultMaxCandidates
	}
	if !(opt.Minutes > 0 && opt.Minutes <= 60) {
		return nil, Errorf(EINVALID, "kiosk siting: %g minutes is not a tier between 0 and 60", opt.Minutes)
	}
	net := NewNetwork(ws, opt.Mode)
	g := net.Graph
	if g.NumEdges() == 0 {
		return nil, Errorf(EINVALID, "kiosk siting: the %s network is empty", opt.Mode)
	}
	kp := &kioskProblem{weight: opt.Weight}
	// Demand: edge weights.
	w := make([]float64, g.NumEdges())
	switch opt.Weight {
	case "", "road":
		kp.weight = "road"
		for e := range w {
			w[e] = g.EdgeLength(int32(e))
		}
	case "incidents":
		for _, inc := range ws.Incidents {
			if sn, ok := g.Snap(inc.Location, opt.SnapLimitM); ok {
				w[sn.Edge] += inc.Weight
			}
		}
	default:
		return nil, Errorf(EINVALID, "kiosk siting: unknown weight %q (want road or incidents)", opt.Weight)
	}
	// Items are the edges with weight; item[e] is -1 for the others.
	item := make([]int32, len(w))
	for e, x := range w {
		item[e] = -1
		if x > 0 {
			item[e] = int32(len(kp.cover.Weights))
			kp.cover.Weights = append(kp.cover.Weights, x)
			kp.total += x
		}
	}
	// Sites: candidates first, then existing kiosks (fixed).
	var starts []geo.Start
	if opt.Candidates != nil {
		for _, p := range opt.Candidates {
			if sn, ok := g.Snap(p, opt.SnapLimitM); ok {
				starts = append(starts, sn.Start())
				kp.sites = append(kp.sites, p)
				kp.nodes = append(kp.nodes, 0)
			}
		}
	} else {
		for _, v := range junctions(g, opt.CandidateSpacingM, opt.MaxCandidates) {
			p, _ := g.Coord(v)
			starts = append(starts, geo.AtNode(v))
			kp.sites = append(kp.sites, p)
			kp.nodes = append(kp.nodes, g.ExternalID(v))
		}
	}
	kp.nCand = len(starts)
	if kp.nCand == 0 {
		return nil, Errorf(EINVALID, "kiosk siting: no candidate site lies within %.0f m of the %s network", opt.SnapLimitM, opt.Mode)
	}
	for _, k := range ws.Kiosks {
		if sn, ok := g.Snap(k.Location, opt.SnapLimitM); ok {
			kp.cover.Fixed = append(kp.cover.Fixed, int32(len(starts)))
			starts = append(starts, sn.Start())
			kp.sites = append(kp.sites, k.Location)
			kp.nodes = append(kp.nodes, 0)
		}
	}
	// Coverage: one bounded search per site; an edge is covered when its
	// midpoint is within T.
	limit := opt.Minutes * 60
	s := geo.NewSearch(g)
	kp.cover.Covers = make([][]int32, len(starts))
	seen := make([]bool, g.NumEdges())
	for j, st := range starts {
		if j%64 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		one := []geo.Start{st}
		s.Run(one, limit)
		var cov []int32
		pieces := s.Reached(limit)
		for _, p := range pieces {
			e := p.Edge
			if seen[e] || item[e] < 0 {
				continue
			}
			seen[e] = true
			if t, _ := net.secondsAt(s.Seconds(), s.Source(), one, e, g.EdgeLength(e)/2); t <= limit {
				cov = append(cov, item[e])
			}
		}
		for _, p := range pieces {
			seen[p.Edge] = false
		}
		sort.Slice(cov, func(a, b int) bool { return cov[a] < cov[b] })
		kp.cover.Covers[j] = cov
	}
	if opt.MinSpacingM > 0 {
		sites, d := kp.sites, opt.MinSpacingM
		kp.cover.Conflicts = func(a, b int32) bool { return geo.Distance(sites[a], sites[b]) < d }
	}
	return kp, nil
}

// junctions returns the network's junction nodes (three or more edge
// ends), keeping the best-connected one per spacingM cell and at most max,
// in a deterministic order.
func junctions(g *geo.Graph, spacingM float64, max int) []int32 {
	deg := make([]int32, g.NumNodes())
	for e := int32(0); int(e) < g.NumEdges(); e++ {
		a, b := g.EdgeEnds(e)
		deg[a]++
		deg[b]++
	}
	type cell struct{ x, y int64 }
	best := map[cell]int32{}
	var origin geo.Point
	var pr geo.Projection
	first := true
	for v := int32(0); int(v) < g.NumNodes(); v++ {
		if deg[v] < 3 {
			continue
		}
		p, ok := g.Coord(v)
		if !ok {
			continue
		}
		if first {
			origin, first = p, false
			pr = geo.NewProjection(origin)
		}
		q := pr.Forward(p)
		c := cell{int64(math.Floor(q.X / spacingM)), int64(math.Floor(q.Y / spacingM))}
		if u, ok := best[c]; !ok || deg[v] > deg[u] || (deg[v] == deg[u] && g.ExternalID(v) < g.ExternalID(u)) {
			best[c] = v
		}
	}
	out := make([]int32, 0, len(best))
	for _, v := range best {
		out = append(out, v)
	}
	sort.Slice(out, func(i, j int) bool { return g.ExternalID(out[i]) < g.ExternalID(out[j]) })
	if len(out) > max {
		// Keep an even spread: every k-th in id order.
		step := float64(len(out)) / float64(max)
		thin := make([]int32, 0, max)
		for i := 0; i < max; i++ {
			thin = append(thin, out[int(float64(i)*step)])
		}
		out = thin
	}
	return out
}

// KioskCoverProblem returns the covering problem SiteKiosks solves for
// opt (demand items: network edges; candidates first, then the existing
// kiosks as Fixed), so it can be checked against an exact solver.
func KioskCoverProblem(ctx context.Context, ws *Workspace, opt KioskSitingOptions) (CoverProblem, error) {
	kp, err := newKioskProblem(ctx, ws, &opt)
	if err != nil {
		return CoverProblem{}, err
	}
	return kp.cover, nil
}
