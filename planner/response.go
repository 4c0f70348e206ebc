package planner

import (
	"context"
	"math"
	"sort"

	"github.com/tidewatch/tidewatch/geo"
)

// Response-ring defaults.
const (
	DefaultSnapLimitM = 300.0 // a kiosk or site farther than this from a routable road is reported, not snapped
	sampleStepM       = 10.0  // road length is attributed to grids and tiers in pieces of at most this length
	// siteHorizonS bounds the search that times key sites, so a failing
	// site still gets its real travel time (up to 15 minutes).
	siteHorizonS = 15 * 60.0
)

// DefaultTiers are the 1/3/5-minute response rings (1、3、5分钟快反圈).
var DefaultTiers = []float64{1, 3, 5}

// ResponseOptions selects what Response computes.
type ResponseOptions struct {
	Mode       Mode
	Minutes    []float64 // tiers in minutes, ascending; default 1, 3, 5
	KioskIDs   []int64   // kiosks to start from; nil = all
	SnapLimitM float64   // default DefaultSnapLimitM metres
}

func (o *ResponseOptions) normalize() error {
	if o.Mode == "" {
		o.Mode = ModeCar
	}
	if o.Mode.Index() < 0 {
		return Errorf(EINVALID, "unknown travel mode %q", o.Mode)
	}
	if len(o.Minutes) == 0 {
		o.Minutes = DefaultTiers
	}
	o.Minutes = append([]float64(nil), o.Minutes...)
	sort.Float64s(o.Minutes)
	for _, m := range o.Minutes {
		if !(m > 0 && m <= 60) {
			return Errorf(EINVALID, "response tier %g minutes: want a number above 0 and at most 60", m)
		}
	}
	if o.SnapLimitM == 0 {
		o.SnapLimitM = DefaultSnapLimitM
	}
	return nil
}

// KioskSnap says where a kiosk joins the network.
type KioskSnap struct {
	KioskID int64   `json:"kiosk_id"`
	Name    string  `json:"name"`
	DistM   float64 `json:"snap_m"` // metres from the kiosk to the road it starts on
	OK      bool    `json:"snapped"`
}

// Reach is one multi-source search from the kiosks over one mode's
// network, from which every tier's rings are read.
type Reach struct {
	Opt     ResponseOptions
	Net     *Network
	Kiosks  []KioskSnap
	kiosk   []int64 // start index → kiosk id
	starts  []geo.Start
	search  *geo.Search
	origin  geo.Point // lattice anchor shared by every ring of the workspace
	Settled int
}

// NewReach snaps the kiosks to ws's network for opt.Mode and runs one
// bounded multi-source Dijkstra, far enough for the largest tier and for
// timing key sites (15 minutes). Kiosks farther than opt.SnapLimitM from a
// routable road are reported in Kiosks with OK false and not used.
func NewReach(ctx context.Context, ws *Workspace, opt ResponseOptions) (*Reach, error) {
	if err := opt.normalize(); err != nil {
		return nil, err
	}
	r := &Reach{Opt: opt, Net: NewNetwork(ws, opt.Mode), origin: ws.Bound.Center()}
	if !r.origin.Valid() && len(ws.Roads) > 0 && len(ws.Roads[0].Geometry) > 0 {
		r.origin = ws.Roads[0].Geometry[0]
	}
	want := map[int64]bool{}
	for _, id := range opt.KioskIDs {
		want[id] = true
	}
	found := map[int64]bool{}
	for _, k := range ws.Kiosks {
		if len(want) > 0 && !want[k.ID] {
			continue
		}
		found[k.ID] = true
		sn, ok := r.Net.Graph.Snap(k.Location, opt.SnapLimitM)
		r.Kiosks = append(r.Kiosks, KioskSnap{KioskID: k.ID, Name: k.Name, DistM: sn.DistM, OK: ok})
		if ok {
			r.starts = append(r.starts, sn.Start())
			r.kiosk = append(r.kiosk, k.ID)
		}
	}
	for _, id := range opt.KioskIDs {
		if !found[id] {
			return nil, Errorf(ENOTFOUND, "no kiosk with id %d", id)
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	r.search = geo.NewSearch(r.Net.Graph)
	r.Settled = r.search.Run(r.starts, math.Max(r.maxTierS(), siteHorizonS))
	return r, ctx.Err()
}

func (r *Reach) maxTierS() float64 { return r.Opt.Minutes[len(r.Opt.Minutes)-1] * 60 }

// KioskOf returns the kiosk id of a search start index, or 0.
func (r *Reach) KioskOf(start int32) int64 {
	if start < 0 || int(start) >= len(r.kiosk) {
		return 0
	}
	return r.kiosk[start]
}

// NodeTime is one network node reached within the largest tier.
type NodeTime struct {
	OSMNode int64
	Seconds float64
	KioskID int64 // the nearest kiosk
}

// NodeTimes lists every node reached within the largest tier, in seconds
// from its nearest kiosk, ordered by OSM node id.
func (r *Reach) NodeTimes() []NodeTime {
	g, secs, src := r.Net.Graph, r.search.Seconds(), r.search.Source()
	lim := r.maxTierS()
	var out []NodeTime
	for v := int32(0); int(v) < g.NumNodes(); v++ {
		if secs[v] <= lim {
			out = append(out, NodeTime{OSMNode: g.ExternalID(v), Seconds: secs[v], KioskID: r.KioskOf(src[v])})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].OSMNode < out[j].OSMNode })
	return out
}

// Lines returns the road geometry reached within minutes (exact partial
// last edges, lon,lat) and its length in metres.
func (r *Reach) Lines(minutes float64) ([]geo.LineString, float64) {
	g := r.Net.Graph
	var out []geo.LineString
	total := 0.0
	for _, p := range r.search.Reached(minutes * 60) {
		out = append(out, g.Sub(p.Edge, p.FromM, p.ToM))
		total += p.ToM - p.FromM
	}
	return out, total
}

// PointSeconds returns the travel time in seconds from the nearest kiosk
// to p (snapped to the network within the snap limit), that kiosk's id,
// and the snap distance in metres; ok is false when p is too far from a
// road. Unreached points (beyond 15 minutes) have +Inf seconds.
func (r *Reach) PointSeconds(p geo.Point) (secs float64, kioskID int64, snapM float64, ok bool) {
	sn, ok := r.Net.Graph.Snap(p, r.Opt.SnapLimitM)
	if !ok {
		return math.Inf(1), 0, sn.DistM, false
	}
	t, who := r.Net.PointSeconds(r.search, r.starts, sn)
	return t, r.KioskOf(who), sn.DistM, true
}
