package planner

import (
	"context"
	"math"
	"time"

	"github.com/tidewatch/tidewatch/geo"
)

// Demand-model defaults.
const (
	HoursPerWeek        = 168
	DefaultBandwidthM   = 100.0 // σ of the spatial Gaussian kernel, metres (cut at 3σ)
	DefaultHourSigma    = 1.0   // σ of the circular hour-of-week Gaussian, hours (cut at 3σ)
	DefaultHalfLifeDays = 365.0 // recency half-life, days before the newest incident
	RiskSnapLimitM      = 100.0 // incidents farther than this from a road of the mode are dropped
	// RiskHookFactor multiplies the risk of a road the Uncovered hook
	// (camera blind spot) or the OutsideRing hook (beyond the 5-minute
	// response ring) flags; both apply multiplicatively (×1.5625).
	RiskHookFactor = 1.25
)

// RiskOptions configures Risk. Zero values take the documented defaults.
type RiskOptions struct {
	Mode            Mode               // network the risk lives on; default ModeFoot (every street a patrol may walk)
	BandwidthM      float64            // spatial σ, metres; default DefaultBandwidthM
	HourSigma       float64            // temporal σ, hours; default DefaultHourSigma
	HalfLifeDays    float64            // recency half-life, days; default DefaultHalfLifeDays; negative disables decay
	CategoryWeights map[string]float64 // optional factor per Incident.Category (missing categories: 1)
	// Uncovered reports whether a road (index into Workspace.Roads, with
	// the midpoint of its network edge, lon,lat) is a camera blind spot;
	// its risk is then multiplied by RiskHookFactor. nil: no factor.
	Uncovered func(road int, mid geo.Point) bool
	// OutsideRing reports whether a road lies beyond the 5-minute response
	// ring of the kiosks; its risk is then multiplied by RiskHookFactor.
	// nil: no factor (see RingHook).
	OutsideRing func(road int, mid geo.Point) bool
}

func (o *RiskOptions) normalize() error {
	if o.Mode == "" {
		o.Mode = ModeFoot
	}
	if o.Mode.Index() < 0 {
		return Errorf(EINVALID, "unknown travel mode %q", o.Mode)
	}
	if o.BandwidthM == 0 {
		o.BandwidthM = DefaultBandwidthM
	}
	if o.HourSigma == 0 {
		o.HourSigma = DefaultHourSigma
	}
	if o.HalfLifeDays == 0 {
		o.HalfLifeDays = DefaultHalfLifeDays
	}
	if !(o.BandwidthM > 0 && o.BandwidthM <= 2000) {
		return Errorf(EINVALID, "risk bandwidth %g m: want a number above 0 and at most 2000", o.BandwidthM)
	}
	if !(o.HourSigma > 0 && o.HourSigma <= 24) {
		return Errorf(EINVALID, "risk hour sigma %g h: want a number above 0 and at most 24", o.HourSigma)
	}
	return nil
}

// RiskSurface is the expected incident weight per network edge and hour
// of the week (168 bins, bin 0 = Sunday 00:00–00:59 of the stored
// wall-clock time). The value of edge e in hour h is
//
//	Σ_incidents w · r · c · K_s(d) · K_t(h)
//
// where w is Incident.Weight (1 if 0) times the category weight, r =
// 0.5^(age/half-life) with age in days before the newest incident, K_s(d)
// = exp(−d²/2σ²) of the distance d in metres from the incident's snapped
// position to the edge's midpoint (0 beyond 3σ; a kernel density evaluated
// at the midpoint, so 1 for an incident on the midpoint), and K_t a
// circular Gaussian over hours of the week normalised to sum to 1 (each
// incident spreads exactly its weight over neighbouring hours). c is the
// hook factor of the edge (RiskHookFactor per hook that fires).
type RiskSurface struct {
	Opt     RiskOptions
	Net     *Network
	Mid     []geo.Point // per edge: midpoint along its geometry (lon,lat)
	Used    int         // incidents snapped and counted
	Dropped int         // incidents farther than RiskSnapLimitM from the network
	Newest  time.Time   // the newest incident's time, the recency reference
	risk    []float32   // edge*168 + hour
}

// Risk builds the risk surface of ws's incidents on opt.Mode's network.
func Risk(ctx context.Context, ws *Workspace, opt RiskOptions) (*RiskSurface, error) {
	if err := opt.normalize(); err != nil {
		return nil, err
	}
	net := NewNetwork(ws, opt.Mode)
	g := net.Graph
	ne := g.NumEdges()
	rs := &RiskSurface{Opt: opt, Net: net, Mid: make([]geo.Point, ne), risk: make([]float32, ne*HoursPerWeek)}
	for e := range ne {
		rs.Mid[e] = g.PointAt(int32(e), g.EdgeLength(int32(e))/2)
	}
	ix := geo.NewIndex(ne, func(i int) geo.Bound { return geo.EmptyBound().Extend(rs.Mid[i]) })
	for _, inc := range ws.Incidents {
		if inc.Time.After(rs.Newest) {
			rs.Newest = inc.Time
		}
	}
	sig, cut := opt.BandwidthM, 3*opt.BandwidthM
	tk := make([]float64, HoursPerWeek)
	for i := range ws.Incidents {
		if i%256 == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
		}
		inc := &ws.Incidents[i]
		w := inc.Weight
		if w == 0 {
			w = 1
		}
		if cw, ok := opt.CategoryWeights[inc.Category]; ok {
			w *= cw
		}
		if opt.HalfLifeDays > 0 && !inc.Time.IsZero() {
			age := rs.Newest.Sub(inc.Time).Hours() / 24
			w *= math.Exp2(-age / opt.HalfLifeDays)
		}
		if !(w > 0) {
			continue
		}
		sn, ok := g.Snap(inc.Location, RiskSnapLimitM)
		if !ok {
			rs.Dropped++
			continue
		}
		rs.Used++
		hourKernel(tk, inc.Time, opt.HourSigma)
		pr := geo.NewProjection(sn.Point)
		kx, ky := pr.MetresPerDegree()
		b := geo.Bound{Min: geo.Point{Lon: sn.Point.Lon - cut/kx, Lat: sn.Point.Lat - cut/ky},
			Max: geo.Point{Lon: sn.Point.Lon + cut/kx, Lat: sn.Point.Lat + cut/ky}}
		for _, e := range ix.Search(b) {
			d := geo.Distance(sn.Point, rs.Mid[e])
			if d > cut {
				continue
			}
			ks := w * math.Exp(-d*d/(2*sig*sig))
			row := rs.risk[e*HoursPerWeek : (e+1)*HoursPerWeek]
			for h, k := range tk {
				if k != 0 {
					row[h] += float32(ks * k)
				}
			}
		}
	}
	for e := range ne {
		f := 1.0
		road := int(net.Road[e])
		if opt.Uncovered != nil && opt.Uncovered(road, rs.Mid[e]) {
			f *= RiskHookFactor
		}
		if opt.OutsideRing != nil && opt.OutsideRing(road, rs.Mid[e]) {
			f *= RiskHookFactor
		}
		if f != 1 {
			row := rs.risk[e*HoursPerWeek : (e+1)*HoursPerWeek]
			for h := range row {
				row[h] *= float32(f)
			}
		}
	}
	return rs, nil
}

// hourKernel fills k with the circular Gaussian (σ hours, cut at 3σ,
// summing to 1) centred on t's hour of the week; bin b is centred on
// b+0.5 hours after Sunday 00:00.
func hourKernel(k []float64, t time.Time, sigma float64) {
	clear(k)
	t = t.UTC()
	x := float64(int(t.Weekday())*24+t.Hour()) + float64(t.Minute())/60 + float64(t.Second())/3600
	sum := 0.0
	for b := range k {
		d := math.Abs(float64(b) + 0.5 - x)
		d = math.Min(d, HoursPerWeek-d)
		if d > 3*sigma {
			continue
		}
		k[b] = math.Exp(-d * d / (2 * sigma * sigma))
		sum += k[b]
	}
	for b := range k {
		k[b] /= sum
	}
}

// EdgeRisk returns the risk of edge e (an index into rs.Net.Graph) in hour
// h of the week (0..167, Sunday 00:00 first; taken modulo 168).
func (rs *RiskSurface) EdgeRisk(e int32, h int) float64 {
	if e < 0 || int(e) >= len(rs.Mid) {
		return 0
	}
	h = ((h % HoursPerWeek) + HoursPerWeek) % HoursPerWeek
	return float64(rs.risk[int(e)*HoursPerWeek+h])
}

// WindowRisk returns the risk of edge e over from..to, in minutes of the
// week (0 = Sunday 00:00; both taken modulo 10080); to ≤ from wraps
// around the week's end (from == to is the whole week). Partial hours
// count in proportion to the minutes covered.
func (rs *RiskSurface) WindowRisk(e int32, from, to int) float64 {
	const week = HoursPerWeek * 60
	from = ((from % week) + week) % week
	to = ((to % week) + week) % week
	n := to - from
	if n <= 0 {
		n += week
	}
	sum := 0.0
	for m := from; m < from+n; {
		h := m / 60
		next := min((h+1)*60, from+n)
		sum += rs.EdgeRisk(e, h) * float64(next-m) / 60
		m = next
	}
	return sum
}

// ShiftRisk returns the risk of edge e over the daily window w (minutes
// after midnight, across midnight when End ≤ Start) starting on day; a nil
// day averages the window over the seven nights of the week (so the value
// is a typical night's expected incident weight).
func (rs *RiskSurface) ShiftRisk(e int32, w Shift, day *time.Weekday) float64 {
	if day != nil {
		s := int(*day)*1440 + w.Start
		return rs.WindowRisk(e, s, s+shiftLen(w))
	}
	sum := 0.0
	for d := range 7 {
		s := d*1440 + w.Start
		sum += rs.WindowRisk(e, s, s+shiftLen(w))
	}
	return sum / 7
}

// HourProfile returns the risk summed over every edge and the seven days
// of the week per hour of the day (index 0 = 00:00–00:59).
func (rs *RiskSurface) HourProfile() [24]float64 {
	var out [24]float64
	for i, v := range rs.risk {
		out[(i%HoursPerWeek)%24] += float64(v)
	}
	return out
}

// shiftLen returns the length of w in minutes (1440 when End == Start).
func shiftLen(w Shift) int {
	n := ((w.End-w.Start)%1440 + 1440) % 1440
	if n == 0 {
		n = 1440
	}
	return n
}

// RingHook returns an OutsideRing hook for RiskOptions: true for roads
// whose edge midpoint is more than 5 minutes from every kiosk in mode
// (car by default), or nil when ws has no kiosk.
func RingHook(ctx context.Context, ws *Workspace, mode Mode) (func(road int, mid geo.Point) bool, error) {
	if len(ws.Kiosks) == 0 {
		return nil, nil
	}
	if mode == "" {
		mode = ModeCar
	}
	r, err := NewReach(ctx, ws, ResponseOptions{Mode: mode, Minutes: []float64{5}})
	if err != nil {
		return nil, err
	}
	return func(_ int, mid geo.Point) bool {
		s, _, _, ok := r.PointSeconds(mid)
		return !ok || s > 5*60
	}, nil
}

// BlindSpotHook returns an Uncovered hook for RiskOptions from the camera
// coverage: true for roads whose edge midpoint lies on an uncovered
// stretch (planner.Coverage.UncoveredRoads), or nil when ws has no camera.
func BlindSpotHook(ctx context.Context, ws *Workspace) (func(road int, mid geo.Point) bool, error) {
	if len(ws.Cameras) == 0 {
		return nil, nil
	}
	c, err := NewCoverage(ctx, ws)
	if err != nil {
		return nil, err
	}
	byRoad := map[int64][]UncoveredStretch{}
	for _, s := range c.UncoveredRoads(0) {
		byRoad[s.RoadID] = append(byRoad[s.RoadID], s)
	}
	return func(road int, _ geo.Point) bool {
		r := &ws.Roads[road]
		mid := r.LengthM / 2
		for _, s := range byRoad[r.ID] {
			if s.FromM <= mid && mid <= s.ToM {
				return true
			}
		}
		return false
	}, nil
}
