package planner

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"time"

	"github.com/tidewatch/tidewatch/geo"
)

// Guard-point and patrol-line defaults (守点巡线).
const (
	DefaultSpacingM    = 150.0 // guard points are at least this far apart, metres
	DefaultMaxPoints   = 40
	DefaultMaxLines    = 20
	DefaultMinShare    = 0.2   // keep targets whose risk is at least this share of the best one's
	DefaultDwellMin    = 15.0  // minutes at a guard point (Koper: 10–16 minutes deter best)
	DefaultRevisitMin  = 120.0 // minutes between visits of one guard point
	DefaultLineMinM    = 300.0 // patrol lines are 300–1,500 m long
	DefaultLineMaxM    = 1500.0
	PinSnapLimitM      = 50.0 // pinned or forbidden locations snap to a road within this many metres
	lineWorthFactor    = 0.5  // a patrol line's pass is worth half a stop per DefaultSpacingM of street
	unreachableS       = 1e7  // finite travel time standing for "no path", seconds
	pinnedPrizeFactor  = 1000.0
	defaultPlanMaxIter = 400
	varyStartMaxS      = 20 * 60.0 // Vary·20 minutes: the most a unit's start is shifted, seconds
	varyMinRatio       = 0.95
	varyRetries        = 4
)

// PatrolOptions chooses the guard points and patrol lines of a window.
// Zero values take the documented defaults.
type PatrolOptions struct {
	Window     Shift         // minutes after midnight; default 22:00–02:00
	Day        *time.Weekday // the night starting on this day; nil averages over the week's seven nights
	SpacingM   float64       // default DefaultSpacingM
	MaxPoints  int           // default DefaultMaxPoints
	MaxLines   int           // default DefaultMaxLines; negative: no lines
	MinShare   float64       // default DefaultMinShare
	DwellMin   float64       // default DefaultDwellMin
	RevisitMin float64       // default DefaultRevisitMin
	LineMinM   float64       // default DefaultLineMinM
	LineMaxM   float64       // default DefaultLineMaxM
	// PinIDs and ForbidIDs name generated targets ("P3", "L2"); Pin and
	// Forbid are locations (lon,lat) snapped to a road within
	// PinSnapLimitM: a pinned location becomes a guard point that routes
	// must visit (a huge prize), a forbidden one removes every target on
	// that road edge.
	PinIDs, ForbidIDs []string
	Pin, Forbid       []geo.Point
}

func (o *PatrolOptions) normalize() error {
	if o.Window == (Shift{}) {
		o.Window = Shift{Start: 22 * 60, End: 2 * 60}
	}
	if o.Window.Start < 0 || o.Window.Start >= 1440 || o.Window.End < 0 || o.Window.End >= 1440 {
		return Errorf(EINVALID, "window %d–%d: minutes after midnight must be in 0..1439", o.Window.Start, o.Window.End)
	}
	def := func(v *float64, d float64) {
		if *v == 0 {
			*v = d
		}
	}
	def(&o.SpacingM, DefaultSpacingM)
	def(&o.MinShare, DefaultMinShare)
	def(&o.DwellMin, DefaultDwellMin)
	def(&o.RevisitMin, DefaultRevisitMin)
	def(&o.LineMinM, DefaultLineMinM)
	def(&o.LineMaxM, DefaultLineMaxM)
	if o.MaxPoints == 0 {
		o.MaxPoints = DefaultMaxPoints
	}
	if o.MaxLines == 0 {
		o.MaxLines = DefaultMaxLines
	}
	if o.DwellMin < 0 || o.RevisitMin <= 0 || o.SpacingM < 0 || o.LineMinM > o.LineMaxM {
		return Errorf(EINVALID, "patrol options: dwell, revisit interval, spacing or line lengths out of range")
	}
	return nil
}

// GuardPoint is a hot spot where a unit stops (守点).
type GuardPoint struct {
	ID       string    `json:"id"` // "P1" is the riskiest
	Location geo.Point `json:"-"`  // an edge midpoint, or the pinned location (lon,lat)
	Edge     int32     `json:"-"`  // edge of the risk network
	RoadID   int64     `json:"road_id"`
	Street   string    `json:"street,omitempty"`
	Risk     float64   `json:"risk"`      // expected incident weight over the window (a typical night, or Day's)
	HourRisk []float64 `json:"hour_risk"` // per hour of the window
	Pinned   bool      `json:"pinned,omitempty"`
}

// PatrolLine is a street chain a unit walks or drives (巡线).
type PatrolLine struct {
	ID       string         `json:"id"` // "L1" grows from the riskiest free edge
	Edges    []int32        `json:"-"`  // risk-network edges in walking order
	Nodes    []int64        `json:"-"`  // OSM node ids, len(Edges)+1
	Geometry geo.LineString `json:"-"`  // lon,lat, in walking order
	LengthM  float64        `json:"length_m"`
	Street   string         `json:"street,omitempty"`
	// Risk is lineWorthFactor × Σ edge risk × edge length / spacing: a pass
	// along 150 m of street is worth half a 15-minute stop there.
	Risk     float64   `json:"risk"`
	HourRisk []float64 `json:"hour_risk"`
	Pinned   bool      `json:"pinned,omitempty"`
}

// Targets are the guard points and patrol lines of one window.
type Targets struct {
	Opt    PatrolOptions
	Risk   *RiskSurface
	Points []GuardPoint
	Lines  []PatrolLine
	Hours  int // number of hour slots in the window (the last may be partial)
}

// windowHourRisk returns the risk of edge e per hour slot of opt's window.
// Slots after midnight belong to the next day (a Friday 22:00–02:00 window
// ends on Saturday); without a day, each slot is averaged over the week.
func windowHourRisk(rs *RiskSurface, e int32, opt *PatrolOptions) []float64 {
	n := shiftLen(opt.Window)
	out := make([]float64, (n+59)/60)
	for i := range out {
		from := opt.Window.Start + 60*i // minutes after the window's first midnight
		to := from + min(60, n-60*i)
		if opt.Day != nil {
			d := int(*opt.Day) * 1440
			out[i] = rs.WindowRisk(e, d+from, d+to)
			continue
		}
		for d := range 7 {
			out[i] += rs.WindowRisk(e, d*1440+from, d*1440+to) / 7
		}
	}
	return out
}

func sum(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s
}

// ChooseTargets picks guard points and patrol lines on rs's network for
// opt.Window: guard points greedily take the riskiest edge midpoint and
// suppress every other within opt.SpacingM metres, keeping up to
// MaxPoints with risk ≥ MinShare × the best; patrol lines grow from the
// riskiest unused edge along the riskiest adjacent unused edge (at either
// end, never closing a loop, never using a guard point's edge) while the
// edge's risk is ≥ MinShare × the best edge risk and the line is at most
// LineMaxM metres, and are kept when at least LineMinM metres long.
func ChooseTargets(ctx context.Context, ws *Workspace, rs *RiskSurface, opt PatrolOptions) (*Targets, error) {
	if err := opt.normalize(); err != nil {
		return nil, err
	}
	g := rs.Net.Graph
	ne := g.NumEdges()
	t := &Targets{Opt: opt, Risk: rs, Hours: (shiftLen(opt.Window) + 59) / 60}
	risk := make([]float64, ne)
	for e := range ne {
		risk[e] = rs.ShiftRisk(int32(e), opt.Window, opt.Day)
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	forbidden := make([]bool, ne)
	for _, p := range opt.Forbid {
		sn, ok := g.Snap(p, PinSnapLimitM)
		if !ok {
			return nil, Errorf(EINVALID, "forbidden location %v is %.0f m from the nearest road (limit %.0f m)", p, sn.DistM, PinSnapLimitM)
		}
		forbidden[sn.Edge] = true
	}
	forbidID := map[string]bool{}
	for _, id := range opt.ForbidIDs {
		forbidID[id] = true
	}
	pinID := map[string]bool{}
	for _, id := range opt.PinIDs {
		pinID[id] = true
	}
	road := func(e int32) *Road { return &ws.Roads[rs.Net.Road[e]] }
	// Pinned locations first.
	var pts []GuardPoint
	for _, p := range opt.Pin {
		sn, ok := g.Snap(p, PinSnapLimitM)
		if !ok {
			return nil, Errorf(EINVALID, "pinned location %v is %.0f m from the nearest road (limit %.0f m)", p, sn.DistM, PinSnapLimitM)
		}
		r := road(sn.Edge)
		pts = append(pts, GuardPoint{Location: sn.Point, Edge: sn.Edge, RoadID: r.ID, Street: r.Name,
			Risk: risk[sn.Edge], HourRisk: windowHourRisk(rs, sn.Edge, &opt), Pinned: true})
	}
	order := make([]int32, ne)
	for i := range order {
		order[i] = int32(i)
	}
	sort.SliceStable(order, func(i, j int) bool { return risk[order[i]] > risk[order[j]] })
	maxRisk := 0.0
	if ne > 0 {
		maxRisk = risk[order[0]]
	}
	if !(maxRisk > 0) {
		return nil, Errorf(EINVALID, "no incident risk in the window: import incidents near the roads first")
	}
	floor := opt.MinShare * maxRisk
	used := make([]bool, ne)
	for _, p := range pts {
		used[p.Edge] = true
	}
	generated := 0
	for _, e := range order {
		if generated >= opt.MaxPoints || risk[e] < floor {
			break
		}
		if forbidden[e] || used[e] {
			continue
		}
		near := false
		for _, p := range pts {
			if geo.Distance(p.Location, rs.Mid[e]) < opt.SpacingM {
				near = true
				break
			}
		}
		if near {
			continue
		}
		generated++
		id := fmt.Sprintf("P%d", generated)
		used[e] = true
		if forbidID[id] {
			continue
		}
		r := road(e)
		pts = append(pts, GuardPoint{ID: id, Location: rs.Mid[e], Edge: e, RoadID: r.ID, Street: r.Name,
			Risk: risk[e], HourRisk: windowHourRisk(rs, e, &opt), Pinned: pinID[id]})
	}
	for i := range pts {
		if pts[i].ID == "" {
			pts[i].ID = fmt.Sprintf("PIN%d", i+1)
		}
	}
	t.Points = pts
	// Lines.
	adj := make([][]int32, g.NumNodes())
	for e := range ne {
		a, b := g.EdgeEnds(int32(e))
		adj[a] = append(adj[a], int32(e))
		if b != a {
			adj[b] = append(adj[b], int32(e))
		}
	}
	other := func(e, v int32) int32 {
		a, b := g.EdgeEnds(e)
		if a == v {
			return b
		}
		return a
	}
	lineNo := 0
	for _, seed := range order {
		if opt.MaxLines < 0 || lineNo >= opt.MaxLines || risk[seed] < floor {
			break
		}
		if used[seed] || forbidden[seed] {
			continue
		}
		a, b := g.EdgeEnds(seed)
		if a == b {
			continue
		}
		edges, nodes := []int32{seed}, []int32{a, b}
		inChain := map[int32]bool{a: true, b: true}
		length := g.EdgeLength(seed)
		for {
			best, bestRisk, atHead := int32(-1), -1.0, false
			for end, v := range []int32{nodes[0], nodes[len(nodes)-1]} {
				for _, e := range adj[v] {
					if used[e] || forbidden[e] || slices.Contains(edges, e) || inChain[other(e, v)] {
						continue
					}
					if risk[e] < floor || length+g.EdgeLength(e) > opt.LineMaxM {
						continue
					}
					if risk[e] > bestRisk {
						best, bestRisk, atHead = e, risk[e], end == 0
					}
				}
			}
			if best < 0 {
				break
			}
			length += g.EdgeLength(best)
			if atHead {
				w := other(best, nodes[0])
				edges = slices.Insert(edges, 0, best)
				nodes = slices.Insert(nodes, 0, w)
				inChain[w] = true
			} else {
				w := other(best, nodes[len(nodes)-1])
				edges = append(edges, best)
				nodes = append(nodes, w)
				inChain[w] = true
			}
		}
		if length < opt.LineMinM {
			continue
		}
		lineNo++
		id := fmt.Sprintf("L%d", lineNo)
		for _, e := range edges {
			used[e] = true
		}
		if forbidID[id] {
			continue
		}
		l := PatrolLine{ID: id, Edges: edges, LengthM: length, Pinned: pinID[id], Street: road(edges[0]).Name}
		l.HourRisk = make([]float64, t.Hours)
		for i, e := range edges {
			l.Nodes = append(l.Nodes, g.ExternalID(nodes[i]))
			seg := g.EdgeGeometry(e)
			if from, _ := g.EdgeEnds(e); from != nodes[i] {
				seg = reversed(seg)
			}
			l.Geometry = appendLine(l.Geometry, seg)
			f := lineWorthFactor * g.EdgeLength(e) / DefaultSpacingM
			l.Risk += f * risk[e]
			for h, v := range windowHourRisk(rs, e, &opt) {
				l.HourRisk[h] += f * v
			}
		}
		l.Nodes = append(l.Nodes, g.ExternalID(nodes[len(nodes)-1]))
		t.Lines = append(t.Lines, l)
	}
	return t, ctx.Err()
}

func reversed(ls geo.LineString) geo.LineString {
	out := slices.Clone(ls)
	slices.Reverse(out)
	return out
}

// appendLine appends seg to ls, dropping seg's first position when it
// repeats ls's last.
func appendLine(ls, seg geo.LineString) geo.LineString {
	if len(ls) > 0 && len(seg) > 0 && ls[len(ls)-1] == seg[0] {
		seg = seg[1:]
	}
	return append(ls, seg...)
}

// PlanOptions configures PlanPatrol.
type PlanOptions struct {
	Window Shift         // minutes after midnight; default 22:00–02:00
	Day    *time.Weekday // plan the night starting on this day; nil: a typical night (week average)
	Date   time.Time     // optional calendar date of the night (for ETAs in GPX); zero: none
	Units  []Unit        // HomeKiosk, Kind and optional Shifts (each clipped to the window)
	// Breaks[i] are unit i's required breaks tonight, spent at its home
	// kiosk (minutes after midnight, like shifts); nil or shorter: none.
	Breaks [][]Shift
	// MaxDurationMin caps each unit's time out of its kiosk, minutes (0: the window).
	MaxDurationMin int
	Seed           int64
	// Vary ∈ [0,1] makes routes unpredictable: prizes are multiplied by a
	// seeded factor in [1−Vary, 1+Vary] and each unit's start is delayed by
	// up to Vary·20 minutes; the plan is scored on the true prizes and kept
	// only if it collects ≥ 95 % of the unperturbed plan, else Vary is
	// halved and the solve retried (up to 4 times).
	Vary      float64
	TimeLimit time.Duration // per solve, a safety net (0: none)
	MaxIter   int           // solver rounds per mode group (default 400)
	// VolunteerGroups names the volunteer units in order (see Roster); a
	// unit without a name gets its group's name.
	VolunteerGroups []string
	Patrol          PatrolOptions // Window and Day are taken from above
	// Progress, if set, is told how far planning has got: a fraction in
	// 0..1 and the stage ("demand", "targets", "matrices", "routing").
	Progress func(fraction float64, stage string)
}

// progress reports to opt.Progress when it is set.
func (opt *PlanOptions) progress(f float64, stage string) {
	if opt.Progress != nil {
		opt.Progress(f, stage)
	}
}

// Stop is one visit on a unit's route. Times are seconds after the
// window's start; clocks are local "HH:MM".
type Stop struct {
	Kind     string    `json:"kind"` // "point", "line", or "break" (at the home kiosk, between shift stretches)
	ID       string    `json:"id"`
	Visit    int       `json:"visit"` // 0 first visit of a guard point, 1 the revisit, ...
	ArriveS  float64   `json:"arrive_s"`
	StartS   float64   `json:"start_s"` // service start (after waiting for the visit's window)
	DepartS  float64   `json:"depart_s"`
	Arrive   string    `json:"eta"`
	Depart   string    `json:"etd"`
	Location geo.Point `json:"-"` // the point, or the line's first position (lon,lat)
}

// UnitPlan is one unit's route.
type UnitPlan struct {
	Unit      string         `json:"unit"`
	Kind      UnitKind       `json:"kind"`
	Mode      Mode           `json:"mode"`
	Group     string         `json:"group,omitempty"` // volunteer group (义警)
	KioskID   int64          `json:"kiosk_id"`
	LeaveS    float64        `json:"leave_s"` // seconds after the window start
	ReturnS   float64        `json:"return_s"`
	Leave     string         `json:"leave"`
	Return    string         `json:"return"`
	Stops     []Stop         `json:"stops"`
	DistanceM float64        `json:"distance_m"` // along the roads, lines included
	DurationS float64        `json:"duration_s"` // leave to return
	Path      geo.LineString `json:"-"`          // along the road network, lon,lat
}

// HourCover is the covered risk of one hour of the window.
type HourCover struct {
	Hour        string  `json:"hour"` // "22:00"
	Risk        float64 `json:"risk"` // total risk of every candidate point and line in the hour
	CoveredPct  float64 `json:"covered_pct"`
	BaselinePct float64 `json:"baseline_pct"`
	Points      int     `json:"points"` // guard points visited during the hour
	Lines       int     `json:"lines"`
}

// PlanReport sums up a plan against the nearest-first baseline.
type PlanReport struct {
	Window       string      `json:"window"`
	Day          string      `json:"day"` // weekday or "average"
	Hours        []HourCover `json:"hours"`
	CoveredPct   float64     `json:"covered_pct"`  // Σ covered hour risk / Σ hour risk
	BaselinePct  float64     `json:"baseline_pct"` // the same for the nearest-first baseline
	Prize        float64     `json:"prize"`        // solver objective on the true prizes
	BestPrize    float64     `json:"best_prize"`   // the same for the unperturbed plan
	VaryRatio    float64     `json:"vary_ratio"`   // Prize / BestPrize
	Vary         float64     `json:"vary"`         // the perturbation finally used
	VaryAttempts int         `json:"vary_attempts"`
	Points       int         `json:"points"`
	Lines        int         `json:"lines"`
	PointsCover  int         `json:"points_covered"`
	LinesCover   int         `json:"lines_covered"`
	Unreached    []string    `json:"unreached,omitempty"` // targets or kiosks a mode cannot reach
}

// Plan is a night's patrol plan.
type Plan struct {
	Window   Shift
	Day      *time.Weekday
	Date     time.Time
	Targets  *Targets
	Units    []UnitPlan
	Baseline []UnitPlan
	Report   PlanReport
	// Problems are the orienteering problems solved, one per mode group
	// (car, ebike, foot), and their results, for checking.
	Problems []OrienteeringProblem
	Results  []OrienteeringResult
}

// Clock formats s seconds after the window start as local "HH:MM".
func (p *Plan) Clock(s float64) string { return clock(p.Window, s) }

func clock(w Shift, s float64) string {
	m := (w.Start*60 + int(math.Round(s))) / 60
	m = ((m % 1440) + 1440) % 1440
	return fmt.Sprintf("%02d:%02d", m/60, m%60)
}

// PlanPatrol builds the risk surface (foot network; the OutsideRing hook
// from the kiosks' 5-minute car ring and the Uncovered hook from camera
// coverage when the workspace has kiosks or cameras), chooses targets and
// routes the units; see PlanTargets.
func PlanPatrol(ctx context.Context, ws *Workspace, opt PlanOptions) (*Plan, error) {
	ring, err := RingHook(ctx, ws, ModeCar)
	if err != nil {
		return nil, err
	}
	blind, err := BlindSpotHook(ctx, ws)
	if err != nil {
		return nil, err
	}
	rs, err := Risk(ctx, ws, RiskOptions{OutsideRing: ring, Uncovered: blind})
	if err != nil {
		return nil, err
	}
	opt.progress(0.1, "demand")
	po := opt.Patrol
	po.Window, po.Day = opt.Window, opt.Day
	t, err := ChooseTargets(ctx, ws, rs, po)
	if err != nil {
		return nil, err
	}
	opt.progress(0.2, "targets")
	return PlanTargets(ctx, ws, t, opt)
}

// place is a position on one mode's network: a node, or a snapped point.
type place struct {
	node int32
	snap geo.Snap
}

func (p place) start() geo.Start {
	if p.node >= 0 {
		return geo.AtNode(p.node)
	}
	return p.snap.Start()
}

// pnode describes one orienteering node of a mode group.
type pnode struct {
	kind     int // 0 depot, 1 guard point copy, 2 line
	target   int // index into Points or Lines; kiosk index for depots
	copy     int
	from, to int     // places: where travel to this node ends, where travel from it starts
	service  float64 // seconds
	open     float64
	close    float64
	prize    float64 // the true prize
}

// group is one mode's routing problem: its network, places and matrix.
type group struct {
	mode   Mode
	net    *Network
	search *geo.Search
	in     [][]int32 // per node: arcs leading to it
	places []place
	mat    [][]float64 // place → place seconds
	nodes  []pnode
	units  []int   // indices into opt.Units
	routes [][]int // per unit of units: its orienteering routes (one per stretch between breaks)
	depot  map[int64]int
	line   []lineMode // per line
	limit  float64
}

type lineMode struct {
	ok       bool
	reversed bool
	secs     float64
}

// PlanTargets routes opt.Units over t's guard points and lines.
//
// The solver has one travel matrix, so the modes are solved one after the
// other — cars, then motorbikes, then foot pairs and volunteers together —
// each on what the earlier modes left: a guard point's visit copy or a line
// a faster unit took is not offered again. Orienteering nodes are the
// kiosks (depots), guard point visit copies and lines. Copy k of a guard
// point may start from o+k·revisit to o+k·revisit+revisit/2 after the
// window start (o is 0 or revisit/2, alternating over points, so every
// hour has visits on offer) and is worth (dwell/15 min) times the point's
// risk over the revisit interval it guards, so stops follow the hourly
// tide and visits of a point by one mode are at least half a revisit
// interval apart. A line is a node
// at its first position whose service time is its traversal time in the
// mode and from which travel starts at its last position (an asymmetric
// matrix); lines a mode cannot traverse (one-way streets) are not offered.
// Travel times come from one Dijkstra per place, bounded by the window.
// Times are seconds after the window start.
func PlanTargets(ctx context.Context, ws *Workspace, t *Targets, opt PlanOptions) (*Plan, error) {
	if opt.Window == (Shift{}) {
		opt.Window = t.Opt.Window
	}
	if opt.Window != t.Opt.Window {
		return nil, Errorf(EINVALID, "plan window differs from the targets' window")
	}
	if !(opt.Vary >= 0 && opt.Vary <= 1) {
		return nil, Errorf(EINVALID, "vary %g: want a number in 0..1", opt.Vary)
	}
	if len(opt.Units) == 0 {
		return nil, Errorf(EINVALID, "no units to plan")
	}
	if opt.MaxIter == 0 {
		opt.MaxIter = defaultPlanMaxIter
	}
	W := float64(shiftLen(opt.Window)) * 60
	kiosks := map[int64]*Kiosk{}
	for i := range ws.Kiosks {
		kiosks[ws.Kiosks[i].ID] = &ws.Kiosks[i]
	}
	plan := &Plan{Window: opt.Window, Day: opt.Day, Date: opt.Date, Targets: t}
	var groups []*group
	byMode := map[Mode]*group{}
	vol := 0
	for i := range opt.Units {
		u := &opt.Units[i]
		switch u.Kind {
		case UnitCar, UnitMotorbike, UnitFoot, UnitVolunteer:
		default:
			return nil, Errorf(EINVALID, "unit %q: unknown kind %q (want car, motorbike, foot or volunteer)", u.Name, u.Kind)
		}
		if kiosks[u.HomeKiosk] == nil {
			return nil, Errorf(ENOTFOUND, "unit %q: no kiosk with id %d", u.Name, u.HomeKiosk)
		}
		m := u.Kind.Mode()
		if byMode[m] == nil {
			byMode[m] = &group{mode: m, depot: map[int64]int{}}
		}
		byMode[m].units = append(byMode[m].units, i)
		if u.Kind == UnitVolunteer && vol < len(opt.VolunteerGroups) && u.Name == "" {
			u.Name = opt.VolunteerGroups[vol]
		}
		if u.Kind == UnitVolunteer {
			vol++
		}
		if u.Name == "" {
			u.Name = fmt.Sprintf("%s%d", u.Kind, i+1)
		}
	}
	for _, m := range Modes {
		if g := byMode[m]; g != nil {
			groups = append(groups, g)
		}
	}
	for i, gr := range groups {
		if err := gr.build(ctx, ws, t, opt, kiosks, W, plan); err != nil {
			return nil, err
		}
		opt.progress(0.2+0.3*float64(i+1)/float64(len(groups)), "matrices")
	}
	// Unperturbed best plan, then perturbed tries.
	best, err := solveGroups(ctx, groups, t, opt, 0, W)
	if err != nil {
		return nil, err
	}
	opt.progress(0.8, "routing")
	final, ratio, used, attempts := best, 1.0, 0.0, 0
	if opt.Vary > 0 {
		v := opt.Vary
		for attempts = 1; attempts <= 1+varyRetries; attempts++ {
			try, err := solveGroups(ctx, groups, t, opt, v, W)
			if err != nil {
				return nil, err
			}
			r := 1.0
			if best.prize > 0 {
				r = try.prize / best.prize
			}
			if r >= varyMinRatio {
				final, ratio, used = try, r, v
				break
			}
			v /= 2
		}
		if attempts > 1+varyRetries {
			attempts = 1 + varyRetries
		}
	}
	plan.Problems, plan.Results = final.probs, final.res
	for gi, gr := range groups {
		for k, ui := range gr.units {
			up := gr.unitPlan(&opt.Units[ui], opt.Units[ui].HomeKiosk, final.probs[gi], final.res[gi], gr.routes[k], t, opt.Window)
			plan.Units = append(plan.Units, up)
		}
	}
	for gi, gr := range groups {
		_ = gi
		plan.Baseline = append(plan.Baseline, gr.baseline(opt, t, W, plan.Baseline)...)
	}
	for i := range plan.Units {
		for j := range opt.Units {
			if opt.Units[j].Name == plan.Units[i].Unit && opt.Units[j].Kind == UnitVolunteer {
				if j := volIndex(opt.Units, j); j < len(opt.VolunteerGroups) {
					plan.Units[i].Group = opt.VolunteerGroups[j]
				}
			}
		}
	}
	plan.Report = report(plan, t, opt.Window)
	plan.Report.Prize, plan.Report.BestPrize, plan.Report.VaryRatio = final.prize, best.prize, ratio
	plan.Report.Vary, plan.Report.VaryAttempts = used, attempts
	return plan, nil
}

func volIndex(us []Unit, j int) int {
	n := 0
	for i := 0; i < j; i++ {
		if us[i].Kind == UnitVolunteer {
			n++
		}
	}
	return n
}

func (gr *group) addPlace(p place) int {
	gr.places = append(gr.places, p)
	return len(gr.places) - 1
}

// build snaps kiosks, points and lines to the group's network and fills
// the place-to-place travel matrix.
func (gr *group) build(ctx context.Context, ws *Workspace, t *Targets, opt PlanOptions, kiosks map[int64]*Kiosk, W float64, plan *Plan) error {
	gr.net = NewNetwork(ws, gr.mode)
	g := gr.net.Graph
	gr.search = geo.NewSearch(g)
	gr.limit = W
	gr.in = make([][]int32, g.NumNodes())
	for v := int32(0); int(v) < g.NumNodes(); v++ {
		a0, a1 := g.OutArcs(v)
		for a := a0; a < a1; a++ {
			h := g.Arc(a).Head
			gr.in[h] = append(gr.in[h], a)
		}
	}
	for _, ui := range gr.units {
		id := opt.Units[ui].HomeKiosk
		if _, ok := gr.depot[id]; ok {
			continue
		}
		sn, ok := g.Snap(kiosks[id].Location, DefaultSnapLimitM)
		if !ok {
			return Errorf(EINVALID, "kiosk %d %q is %.0f m from the nearest %s road (limit %.0f m)", id, kiosks[id].Name, sn.DistM, gr.mode, DefaultSnapLimitM)
		}
		pl := gr.addPlace(place{node: -1, snap: sn})
		gr.depot[id] = len(gr.nodes)
		gr.nodes = append(gr.nodes, pnode{kind: 0, from: pl, to: pl, open: 0, close: W})
	}
	dwell := t.Opt.DwellMin * 60
	rev := t.Opt.RevisitMin * 60
	for i, p := range t.Points {
		sn, ok := g.Snap(p.Location, RiskSnapLimitM)
		if !ok {
			plan.Report.Unreached = appendUnique(plan.Report.Unreached, fmt.Sprintf("%s (%s)", p.ID, gr.mode))
			continue
		}
		pl := gr.addPlace(place{node: -1, snap: sn})
		// Visits follow the tide: visit k of point i may start in
		// [o+k·rev, o+k·rev+rev/2], where the offset o alternates between 0
		// and rev/2 across points so every hour of the window has visits on
		// offer, and it is worth the risk of the interval it guards,
		// [start, start+rev) (a visit deters until the revisit is due).
		// Visits of one point are thus at least rev/2 apart.
		o := float64(i%2) * rev / 2
		for k := 0; o+float64(k)*rev+dwell <= W; k++ {
			op := o + float64(k)*rev
			cl := math.Min(op+rev/2, W-dwell)
			pr := intervalRisk(p.HourRisk, op, math.Min(op+rev, W)) * (t.Opt.DwellMin / DefaultDwellMin)
			if p.Pinned {
				op, cl, pr = 0, W-dwell, p.Risk*(t.Opt.DwellMin/DefaultDwellMin)
			}
			gr.nodes = append(gr.nodes, pnode{kind: 1, target: i, copy: k, from: pl, to: pl, service: dwell,
				open: op, close: cl, prize: pr})
			if p.Pinned {
				break
			}
		}
	}
	gr.line = make([]lineMode, len(t.Lines))
	for i, l := range t.Lines {
		lm := lineTraversal(ws, t.Risk.Net, l, gr.mode)
		a, okA := g.NodeID(l.Nodes[0])
		b, okB := g.NodeID(l.Nodes[len(l.Nodes)-1])
		if !lm.ok || !okA || !okB || lm.secs > W {
			plan.Report.Unreached = appendUnique(plan.Report.Unreached, fmt.Sprintf("%s (%s)", l.ID, gr.mode))
			continue
		}
		if lm.reversed {
			a, b = b, a
		}
		gr.line[i] = lm
		pa := gr.addPlace(place{node: a})
		pb := gr.addPlace(place{node: b})
		gr.nodes = append(gr.nodes, pnode{kind: 2, target: i, from: pa, to: pb, service: lm.secs,
			open: 0, close: W - lm.secs, prize: l.Risk})
	}
	// Matrix: one search per place.
	n := len(gr.places)
	gr.mat = make([][]float64, n)
	for i := range n {
		if err := ctx.Err(); err != nil {
			return err
		}
		st := []geo.Start{gr.places[i].start()}
		gr.search.Run(st, W)
		row := make([]float64, n)
		for j := range n {
			var s float64
			if pj := gr.places[j]; pj.node >= 0 {
				s = gr.search.Seconds()[pj.node]
			} else {
				s, _ = gr.net.PointSeconds(gr.search, st, pj.snap)
			}
			if i == j {
				s = 0
			}
			if math.IsInf(s, 1) || s > W {
				s = unreachableS
			}
			row[j] = s
		}
		gr.mat[i] = row
	}
	return nil
}

func appendUnique(xs []string, s string) []string {
	if slices.Contains(xs, s) {
		return xs
	}
	return append(xs, s)
}

// lineTraversal returns the seconds to traverse l in mode m, along its
// node order or reversed, the faster allowed way.
func lineTraversal(ws *Workspace, rn *Network, l PatrolLine, m Mode) lineMode {
	var fw, bw float64
	okF, okB := true, true
	for i, e := range l.Edges {
		r := &ws.Roads[rn.Road[e]]
		tr := r.TravelFor(m)
		along := l.Nodes[i] == r.From
		f, b := tr.Forward, tr.Backward
		if !along {
			f, b = b, f
		}
		if f < 0 {
			okF = false
		}
		if b < 0 {
			okB = false
		}
		fw += f
		bw += b
	}
	switch {
	case okF && (!okB || fw <= bw):
		return lineMode{ok: true, secs: fw}
	case okB:
		return lineMode{ok: true, reversed: true, secs: bw}
	}
	return lineMode{}
}

// solution is the result of solving every group once.
type solution struct {
	probs []OrienteeringProblem
	res   []OrienteeringResult
	prize float64 // on the true prizes
}

// solveGroups solves the groups in order, each on what the earlier left;
// v > 0 perturbs prizes and start times (seeded by opt.Seed and v).
func solveGroups(ctx context.Context, groups []*group, t *Targets, opt PlanOptions, v, W float64) (*solution, error) {
	rng := newRand(opt.Seed, v)
	takenPt := map[[2]int]bool{}
	takenLine := map[int]bool{}
	sol := &solution{}
	maxPrize := 0.0
	for _, gr := range groups {
		for _, nd := range gr.nodes {
			maxPrize = math.Max(maxPrize, nd.prize)
		}
	}
	for _, gr := range groups {
		n := len(gr.nodes)
		p := OrienteeringProblem{N: n, Prize: make([]float64, n), Service: make([]float64, n),
			Open: make([]float64, n), Close: make([]float64, n)}
		for i, nd := range gr.nodes {
			p.Service[i], p.Open[i], p.Close[i] = nd.service, nd.open, nd.close
			pr := nd.prize
			switch nd.kind {
			case 1:
				if takenPt[[2]int{nd.target, nd.copy}] {
					pr = 0
				} else if t.Points[nd.target].Pinned {
					pr += pinnedPrizeFactor * maxPrize
				}
			case 2:
				if takenLine[nd.target] {
					pr = 0
				} else if t.Lines[nd.target].Pinned {
					pr += pinnedPrizeFactor * maxPrize
				}
			}
			if v > 0 && pr > 0 {
				pr *= 1 + v*(2*rng.Float64()-1)
			}
			p.Prize[i] = pr
		}
		nodes, mat := gr.nodes, gr.mat
		p.Travel = func(i, j int) float64 {
			if i == j {
				return 0
			}
			return mat[nodes[i].to][nodes[j].from]
		}
		gr.routes = gr.routes[:0]
		for _, ui := range gr.units {
			d := gr.depot[opt.Units[ui].HomeKiosk]
			var rs []int
			for k, sg := range unitSegments(&opt, ui, W) {
				e, l := sg[0], sg[1]
				if v > 0 && k == 0 {
					e = math.Min(l, e+rng.Float64()*v*varyStartMaxS)
				}
				rs = append(rs, len(p.Routes))
				p.Routes = append(p.Routes, RouteSpec{Start: d, End: d, Earliest: e, Latest: l})
			}
			gr.routes = append(gr.routes, rs)
		}
		res, err := SolveOrienteering(ctx, p, OrienteeringOptions{Seed: opt.Seed + int64(len(sol.res)), MaxIter: opt.MaxIter, TimeLimit: opt.TimeLimit})
		if err != nil {
			return nil, err
		}
		for _, rt := range res.Routes {
			for _, u := range rt {
				nd := gr.nodes[u]
				sol.prize += nd.prize
				if nd.kind == 1 {
					takenPt[[2]int{nd.target, nd.copy}] = true
				} else {
					takenLine[nd.target] = true
				}
			}
		}
		sol.probs = append(sol.probs, p)
		sol.res = append(sol.res, res)
	}
	return sol, nil
}

// windowSpan returns shift s as seconds [from, to) after the window's
// start, clipped to the window of W seconds; ok is false when they do not
// meet.
func windowSpan(s, w Shift, W float64) (from, to float64, ok bool) {
	off := float64(((s.Start-w.Start)%1440+1440)%1440) * 60
	n := float64(shiftLen(s)) * 60
	if off >= W { // starts before the window (or after it): the part inside
		if off+n-1440*60 <= 0 {
			return 0, 0, false
		}
		return 0, math.Min(W, off+n-1440*60), true
	}
	return off, math.Min(W, off+n), true
}

// unitSegments returns the stretches of the window, in seconds after its
// start, that unit i spends on patrol: its shifts (the whole window when it
// has none) less its breaks, each at most MaxDurationMin long, in time
// order. Each stretch leaves from and returns to the home kiosk.
func unitSegments(opt *PlanOptions, i int, W float64) [][2]float64 {
	u := opt.Units[i]
	var segs [][2]float64
	if len(u.Shifts) == 0 {
		segs = [][2]float64{{0, W}}
	}
	for _, s := range u.Shifts {
		if a, b, ok := windowSpan(s, opt.Window, W); ok {
			segs = append(segs, [2]float64{a, b})
		}
	}
	if i < len(opt.Breaks) {
		for _, br := range opt.Breaks[i] {
			a, b, ok := windowSpan(br, opt.Window, W)
			if !ok {
				continue
			}
			var cut [][2]float64
			for _, sg := range segs {
				if b <= sg[0] || a >= sg[1] {
					cut = append(cut, sg)
					continue
				}
				if a > sg[0] {
					cut = append(cut, [2]float64{sg[0], a})
				}
				if b < sg[1] {
					cut = append(cut, [2]float64{b, sg[1]})
				}
			}
			segs = cut
		}
	}
	sort.Slice(segs, func(a, b int) bool { return segs[a][0] < segs[b][0] })
	out := segs[:0]
	for _, sg := range segs {
		if opt.MaxDurationMin > 0 {
			sg[1] = math.Min(sg[1], sg[0]+float64(opt.MaxDurationMin)*60)
		}
		if sg[1] > sg[0] {
			out = append(out, sg)
		}
	}
	return out
}

// unitPlan turns a unit's routes of a solved group (one per stretch
// between breaks) into one UnitPlan with the path along the roads; a
// "break" stop at the kiosk separates the stretches.
func (gr *group) unitPlan(u *Unit, kiosk int64, p OrienteeringProblem, res OrienteeringResult, routes []int, t *Targets, w Shift) UnitPlan {
	up := UnitPlan{Unit: u.Name, Kind: u.Kind, Mode: gr.mode, KioskID: kiosk}
	now := 0.0
	for i, r := range routes {
		spec := p.Routes[r]
		if i == 0 {
			up.LeaveS = spec.Earliest
		} else {
			br := Stop{Kind: "break", ID: "break", ArriveS: now, StartS: now, DepartS: spec.Earliest, Location: gr.depotPoint(spec.Start)}
			br.Arrive, br.Depart = clock(w, br.ArriveS), clock(w, br.DepartS)
			up.Stops = append(up.Stops, br)
		}
		now = spec.Earliest
		prev := spec.Start
		for k, node := range res.Routes[r] {
			nd := gr.nodes[node]
			path, m := gr.path(gr.nodes[prev].to, nd.from)
			up.Path = appendLine(up.Path, path)
			up.DistanceM += m
			arr := res.Arrivals[r][k]
			start := math.Max(arr, nd.open)
			st := Stop{Visit: nd.copy, ArriveS: arr, StartS: start, DepartS: start + nd.service}
			if nd.kind == 1 {
				pt := t.Points[nd.target]
				st.Kind, st.ID, st.Location = "point", pt.ID, pt.Location
			} else {
				l := t.Lines[nd.target]
				geom := l.Geometry
				if gr.line[nd.target].reversed {
					geom = reversed(geom)
				}
				st.Kind, st.ID, st.Location = "line", l.ID, geom[0]
				up.Path = appendLine(up.Path, geom)
				up.DistanceM += l.LengthM
			}
			st.Arrive, st.Depart = clock(w, st.ArriveS), clock(w, st.DepartS)
			up.Stops = append(up.Stops, st)
			now = st.DepartS
			prev = node
		}
		if len(res.Routes[r]) > 0 {
			path, m := gr.path(gr.nodes[prev].to, gr.nodes[spec.End].from)
			up.Path = appendLine(up.Path, path)
			up.DistanceM += m
			now += p.Travel(prev, spec.End)
		}
	}
	up.ReturnS = now
	up.DurationS = now - up.LeaveS
	up.Leave, up.Return = clock(w, up.LeaveS), clock(w, up.ReturnS)
	return up
}

// depotPoint returns where depot node d lies (lon,lat).
func (gr *group) depotPoint(d int) geo.Point {
	pl := gr.places[gr.nodes[d].from]
	if pl.node >= 0 {
		p, _ := gr.net.Graph.Coord(pl.node)
		return p
	}
	return pl.snap.Point
}

// baseline routes the group's units nearest-first: each unit repeatedly
// goes to the nearest guard point or line start nobody has visited that
// still lets it return home in time (one visit per target, no revisits).
// done are the baseline plans of the groups already routed.
func (gr *group) baseline(opt PlanOptions, t *Targets, W float64, done []UnitPlan) []UnitPlan {
	taken := map[string]bool{}
	for _, up := range done {
		for _, s := range up.Stops {
			taken[s.ID] = true
		}
	}
	var out []UnitPlan
	for _, ui := range gr.units {
		u := opt.Units[ui]
		d := gr.depot[u.HomeKiosk]
		home := gr.nodes[d].from
		up := UnitPlan{Unit: u.Name, Kind: u.Kind, Mode: gr.mode, KioskID: u.HomeKiosk}
		now := 0.0
		for k, sg := range unitSegments(&opt, ui, W) {
			if k == 0 {
				up.LeaveS = sg[0]
			} else {
				br := Stop{Kind: "break", ID: "break", ArriveS: now, StartS: now, DepartS: sg[0], Location: gr.depotPoint(d)}
				br.Arrive, br.Depart = clock(opt.Window, br.ArriveS), clock(opt.Window, br.DepartS)
				up.Stops = append(up.Stops, br)
			}
			now = gr.nearestFirst(&up, t, taken, home, sg[0], sg[1], opt.Window)
		}
		up.ReturnS, up.DurationS = now, now-up.LeaveS
		up.Leave, up.Return = clock(opt.Window, up.LeaveS), clock(opt.Window, now)
		out = append(out, up)
	}
	return out
}

// nearestFirst routes one stretch [e, l] (seconds) of a baseline unit from
// and back to home, appending its stops and path to up; it returns the
// time it is home again.
func (gr *group) nearestFirst(up *UnitPlan, t *Targets, taken map[string]bool, home int, e, l float64, w Shift) float64 {
	cur, now := home, e
	for {
		best, bestT := -1, math.Inf(1)
		for i, nd := range gr.nodes {
			if nd.kind == 0 || (nd.kind == 1 && nd.copy > 0) {
				continue
			}
			id := targetID(t, nd)
			if taken[id] {
				continue
			}
			tt := gr.mat[cur][nd.from]
			if tt >= unreachableS || now+tt+nd.service+gr.mat[nd.to][home] > l {
				continue
			}
			if tt < bestT {
				best, bestT = i, tt
			}
		}
		if best < 0 {
			break
		}
		nd := gr.nodes[best]
		path, m := gr.path(cur, nd.from)
		up.Path = appendLine(up.Path, path)
		up.DistanceM += m
		arr := now + bestT
		st := Stop{ID: targetID(t, nd), ArriveS: arr, StartS: arr, DepartS: arr + nd.service}
		if nd.kind == 1 {
			st.Kind, st.Location = "point", t.Points[nd.target].Location
		} else {
			geom := t.Lines[nd.target].Geometry
			if gr.line[nd.target].reversed {
				geom = reversed(geom)
			}
			st.Kind, st.Location = "line", geom[0]
			up.Path = appendLine(up.Path, geom)
			up.DistanceM += t.Lines[nd.target].LengthM
		}
		st.Arrive, st.Depart = clock(w, st.ArriveS), clock(w, st.DepartS)
		up.Stops = append(up.Stops, st)
		taken[st.ID] = true
		now, cur = st.DepartS, nd.to
	}
	if cur != home {
		path, m := gr.path(cur, home)
		up.Path = appendLine(up.Path, path)
		up.DistanceM += m
		now += gr.mat[cur][home]
	}
	return now
}

func targetID(t *Targets, nd pnode) string {
	if nd.kind == 1 {
		return t.Points[nd.target].ID
	}
	return t.Lines[nd.target].ID
}

// path returns the fastest road path from place a to place b (lon,lat)
// and its length in metres, rebuilt from a search's seconds.
func (gr *group) path(a, b int) (geo.LineString, float64) {
	if a == b {
		return nil, 0
	}
	g := gr.net.Graph
	from, to := gr.places[a], gr.places[b]
	st := from.start()
	gr.search.Run([]geo.Start{st}, gr.limit)
	secs := gr.search.Seconds()
	near := func(x, y float64) bool { return math.Abs(x-y) <= 1e-6*math.Max(1, math.Abs(y)) }
	var pieces []geo.LineString // in reverse order
	cur := to.node
	if cur < 0 {
		sn := to.snap
		e := sn.Edge
		L := g.EdgeLength(e)
		fwd, bwd := g.EdgeCost(e)
		ea, eb := g.EdgeEnds(e)
		frac := 0.0
		if L > 0 {
			frac = sn.OffsetM / L
		}
		best := math.Inf(1)
		var tail geo.LineString
		if fwd >= 0 && secs[ea]+fwd*frac < best {
			best, cur, tail = secs[ea]+fwd*frac, ea, g.Sub(e, 0, sn.OffsetM)
		}
		if bwd >= 0 && secs[eb]+bwd*(1-frac) < best {
			best, cur, tail = secs[eb]+bwd*(1-frac), eb, reversed(g.Sub(e, sn.OffsetM, L))
		}
		if st.Node < 0 && st.Edge == e && L > 0 {
			switch {
			case st.OffsetM <= sn.OffsetM && fwd >= 0 && (sn.OffsetM-st.OffsetM)/L*fwd <= best:
				ls := g.Sub(e, st.OffsetM, sn.OffsetM)
				return ls, sn.OffsetM - st.OffsetM
			case st.OffsetM >= sn.OffsetM && bwd >= 0 && (st.OffsetM-sn.OffsetM)/L*bwd <= best:
				ls := reversed(g.Sub(e, sn.OffsetM, st.OffsetM))
				return ls, st.OffsetM - sn.OffsetM
			}
		}
		if math.IsInf(best, 1) {
			return nil, 0
		}
		pieces = append(pieces, tail)
	}
	for steps := 0; steps <= g.NumNodes() && !math.IsInf(secs[cur], 1); steps++ {
		if st.Node >= 0 && cur == st.Node {
			break
		}
		if st.Node < 0 {
			e := st.Edge
			ea, eb := g.EdgeEnds(e)
			f, bk := g.EdgeCost(e)
			L := g.EdgeLength(e)
			frac := 0.0
			if L > 0 {
				frac = st.OffsetM / L
			}
			if cur == eb && f >= 0 && near(secs[cur], (1-frac)*f) {
				pieces = append(pieces, g.Sub(e, st.OffsetM, L))
				break
			}
			if cur == ea && bk >= 0 && near(secs[cur], frac*bk) {
				pieces = append(pieces, reversed(g.Sub(e, 0, st.OffsetM)))
				break
			}
		}
		found := false
		for _, ai := range gr.in[cur] {
			arc := g.Arc(ai)
			u, _ := g.EdgeEnds(arc.Edge)
			if !arc.Forward {
				_, u = g.EdgeEnds(arc.Edge)
			}
			if secs[u] <= secs[cur] && near(secs[u]+arc.Cost, secs[cur]) {
				geom := g.EdgeGeometry(arc.Edge)
				if !arc.Forward {
					geom = reversed(geom)
				}
				pieces = append(pieces, geom)
				cur, found = u, true
				break
			}
		}
		if !found {
			break
		}
	}
	var out geo.LineString
	for i := len(pieces) - 1; i >= 0; i-- {
		out = appendLine(out, pieces[i])
	}
	return out, out.Length()
}

// report scores plan and its baseline per hour of the window: a target is
// covered in an hour when a stop's service (dwell or traversal) overlaps
// it; covered % = Σ covered targets' hour risk / Σ every target's hour
// risk.
func report(plan *Plan, t *Targets, w Shift) PlanReport {
	rep := PlanReport{Window: fmt.Sprintf("%s-%s", clock(w, 0), clock(w, float64(shiftLen(w))*60)), Day: "average",
		Points: len(t.Points), Lines: len(t.Lines)}
	if plan.Day != nil {
		rep.Day = plan.Day.String()
	}
	hourRisk := func(id string, h int) float64 {
		for _, p := range t.Points {
			if p.ID == id {
				return p.HourRisk[h]
			}
		}
		for _, l := range t.Lines {
			if l.ID == id {
				return l.HourRisk[h]
			}
		}
		return 0
	}
	cover := func(ups []UnitPlan, h int) (risk float64, pts, lines int) {
		seen := map[string]bool{}
		lo, hi := float64(h)*3600, float64(h+1)*3600
		for _, up := range ups {
			for _, s := range up.Stops {
				if s.Kind == "break" || seen[s.ID] || s.DepartS <= lo || s.StartS >= hi {
					continue
				}
				seen[s.ID] = true
				risk += hourRisk(s.ID, h)
				if s.Kind == "point" {
					pts++
				} else {
					lines++
				}
			}
		}
		return
	}
	var tot, cov, base float64
	for h := range t.Hours {
		hr := 0.0
		for _, p := range t.Points {
			hr += p.HourRisk[h]
		}
		for _, l := range t.Lines {
			hr += l.HourRisk[h]
		}
		c, np, nl := cover(plan.Units, h)
		b, _, _ := cover(plan.Baseline, h)
		hc := HourCover{Hour: clock(w, float64(h)*3600), Risk: hr, Points: np, Lines: nl}
		if hr > 0 {
			hc.CoveredPct, hc.BaselinePct = 100*c/hr, 100*b/hr
		}
		rep.Hours = append(rep.Hours, hc)
		tot, cov, base = tot+hr, cov+c, base+b
	}
	if tot > 0 {
		rep.CoveredPct, rep.BaselinePct = 100*cov/tot, 100*base/tot
	}
	seen := map[string]bool{}
	for _, up := range plan.Units {
		for _, s := range up.Stops {
			if s.Kind != "break" && !seen[s.ID] {
				seen[s.ID] = true
				if s.Kind == "point" {
					rep.PointsCover++
				} else {
					rep.LinesCover++
				}
			}
		}
	}
	return rep
}

// RosterNight is one night of the volunteer roster.
type RosterNight struct {
	Date  time.Time `json:"date"`
	Group int       `json:"group"` // 0-based
	Name  string    `json:"name"`  // "义警第1组"
}

// GroupName is the display name of volunteer group i (0-based).
func GroupName(i int) string { return fmt.Sprintf("义警第%d组", i+1) }

// Roster assigns volunteer groups to nights round robin: night i (from
// startDate, one calendar day apart) goes to group i mod groups.
func Roster(groups int, nights int, startDate time.Time) []RosterNight {
	if groups <= 0 || nights <= 0 {
		return nil
	}
	out := make([]RosterNight, nights)
	for i := range out {
		out[i] = RosterNight{Date: startDate.AddDate(0, 0, i), Group: i % groups, Name: GroupName(i % groups)}
	}
	return out
}

// RosterGroups returns the names of the perNight volunteer groups on duty
// on night (0-based from the roster's start) when groups rotate round
// robin: night n takes groups n·perNight … n·perNight+perNight−1 mod groups.
func RosterGroups(groups, perNight, night int) []string {
	if groups <= 0 {
		return nil
	}
	var out []string
	for j := range min(perNight, groups) {
		out = append(out, GroupName(((night*perNight+j)%groups+groups)%groups))
	}
	return out
}

// newRand returns the perturbation generator of a seed and a Vary level.
func newRand(seed int64, v float64) *rand.Rand {
	return rand.New(rand.NewPCG(uint64(seed), math.Float64bits(v)))
}

// intervalRisk sums per-hour risks (hour h covers seconds [3600h,
// 3600(h+1)) of the window) over the seconds [from, to), prorating
// partial hours.
func intervalRisk(hourRisk []float64, from, to float64) float64 {
	sum := 0.0
	for h, r := range hourRisk {
		a, b := math.Max(from, float64(h)*3600), math.Min(to, float64(h+1)*3600)
		if b > a {
			sum += r * (b - a) / 3600
		}
	}
	return sum
}
