package planner

import (
	"context"
	"math"

	"github.com/tidewatch/tidewatch/geo"
)

// TierSummary is the whole network's reach within one tier.
type TierSummary struct {
	Minutes float64 `json:"minutes"`
	RoadKm  float64 `json:"road_km"` // exact, with partial last edges
	Share   float64 `json:"share"`   // of the mode's network length, 0..1
}

// GridResponse is one grid's response figures.
type GridResponse struct {
	GridID   int64     `json:"grid_id"`
	Name     string    `json:"name"`
	RoadM    float64   `json:"road_m"`    // network length inside the grid, metres
	ReachedM []float64 `json:"reached_m"` // per tier, metres within that many minutes of the nearest kiosk
	Share    []float64 `json:"share"`     // per tier, ReachedM / RoadM (0 when the grid has no road)
	// KiosksWithin counts the distinct kiosks that reach the grid's centre
	// (the road point nearest the cell's centroid) within the largest tier;
	// two or more is backup, the 5-minute 合围.
	KiosksWithin int `json:"kiosks_within"`
	// BackupShare is the share of the grid's road length that two or more
	// kiosks reach within the largest tier.
	BackupShare float64 `json:"backup_share"`
}

// SiteResponse is one key site's travel time against its required tier.
type SiteResponse struct {
	SiteID   int64        `json:"site_id"`
	Name     string       `json:"name"`
	Category SiteCategory `json:"category"`
	Tier     int          `json:"tier"`             // required minutes
	Seconds  *float64     `json:"seconds"`          // from the nearest kiosk; null when unreached within 15 min or off the network
	KioskID  int64        `json:"kiosk_id"`         // that kiosk; 0 when none
	SnapM    float64      `json:"snap_m"`           // metres from the site to the road it is timed at
	OK       bool         `json:"ok"`               // reached within its tier
	Reason   string       `json:"reason,omitempty"` // why it fails
}

// ResponseReport is the answer to "which streets can we reach in 1, 3 and
// 5 minutes, which grids lack backup, which key sites miss their tier".
type ResponseReport struct {
	Mode         Mode           `json:"mode"`
	Minutes      []float64      `json:"minutes"`
	NetworkKm    float64        `json:"network_km"`
	Kiosks       []KioskSnap    `json:"kiosks"`
	Tiers        []TierSummary  `json:"tiers"`
	Grids        []GridResponse `json:"grids"`
	Sites        []SiteResponse `json:"sites"`
	FailingSites int            `json:"failing_sites"`
	Settled      int            `json:"settled_nodes"`
}

// sample is a short piece of a network edge, attributed to one grid.
type sample struct {
	edge int32
	off  float64 // metres from the edge's From end to the piece's middle
	lenM float64
	grid int32 // index into ws.Grids, -1 outside every grid
}

// Response computes the response report of ws for opt: tier road lengths,
// per-grid shares and backup, and key-site compliance.
func Response(ctx context.Context, ws *Workspace, opt ResponseOptions) (*ResponseReport, error) {
	r, err := NewReach(ctx, ws, opt)
	if err != nil {
		return nil, err
	}
	return r.Report(ctx, ws)
}

// Report derives the response report from the search.
func (r *Reach) Report(ctx context.Context, ws *Workspace) (*ResponseReport, error) {
	g := r.Net.Graph
	rep := &ResponseReport{Mode: r.Opt.Mode, Minutes: r.Opt.Minutes, Kiosks: r.Kiosks, Settled: r.Settled}
	for e := int32(0); int(e) < g.NumEdges(); e++ {
		rep.NetworkKm += g.EdgeLength(e) / 1000
	}
	for _, m := range r.Opt.Minutes {
		_, m2 := r.Lines(m)
		ts := TierSummary{Minutes: m, RoadKm: m2 / 1000}
		if rep.NetworkKm > 0 {
			ts.Share = ts.RoadKm / rep.NetworkKm
		}
		rep.Tiers = append(rep.Tiers, ts)
	}
	samples := r.samples(ws)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rep.Grids = r.gridFigures(ctx, ws, samples)
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, s := range ws.Sites {
		sr := SiteResponse{SiteID: s.ID, Name: s.Name, Category: s.Category, Tier: s.Tier}
		t, kid, snapM, ok := r.PointSeconds(s.Location)
		sr.SnapM = snapM
		switch {
		case !ok:
			sr.Reason = "no routable road within the snap limit"
		case math.IsInf(t, 1):
			sr.Reason = "no kiosk reaches it within 15 minutes"
		default:
			tt := t
			sr.Seconds, sr.KioskID = &tt, kid
			sr.OK = t <= float64(s.Tier)*60
			if !sr.OK {
				sr.Reason = "slower than its tier"
			}
		}
		if !sr.OK {
			rep.FailingSites++
		}
		rep.Sites = append(rep.Sites, sr)
	}
	return rep, nil
}

// samples cuts every network edge into pieces of at most sampleStepM
// metres and finds the grid each piece's middle lies in.
func (r *Reach) samples(ws *Workspace) []sample {
	g := r.Net.Graph
	gridIx := geo.NewIndex(len(ws.Grids), func(i int) geo.Bound { return ws.Grids[i].Polygon.Bound() })
	var out []sample
	for e := int32(0); int(e) < g.NumEdges(); e++ {
		L := g.EdgeLength(e)
		n := int(math.Ceil(L / sampleStepM))
		if n < 1 {
			n = 1
		}
		step := L / float64(n)
		for k := 0; k < n; k++ {
			off := (float64(k) + 0.5) * step
			p := g.PointAt(e, off)
			grid := int32(-1)
			for _, gi := range gridIx.Search(geo.Bound{Min: p, Max: p}) {
				if ws.Grids[gi].Polygon.Contains(p) {
					grid = int32(gi)
					break
				}
			}
			out = append(out, sample{edge: e, off: off, lenM: step, grid: grid})
		}
	}
	return out
}

// gridFigures fills per-grid road length, per-tier reach and backup.
func (r *Reach) gridFigures(ctx context.Context, ws *Workspace, samples []sample) []GridResponse {
	tiers := r.Opt.Minutes
	maxS := r.maxTierS()
	out := make([]GridResponse, len(ws.Grids))
	for i, gr := range ws.Grids {
		out[i] = GridResponse{GridID: gr.ID, Name: gr.Name, ReachedM: make([]float64, len(tiers)), Share: make([]float64, len(tiers))}
	}
	secs, src := r.search.Seconds(), r.search.Source()
	for _, s := range samples {
		if s.grid < 0 {
			continue
		}
		gr := &out[s.grid]
		gr.RoadM += s.lenM
		t, _ := r.Net.secondsAt(secs, src, r.starts, s.edge, s.off)
		for k, m := range tiers {
			if t <= m*60 {
				gr.ReachedM[k] += s.lenM
			}
		}
	}
	// Backup: one search per kiosk, bounded by the largest tier.
	count := make([]uint8, len(samples))
	centre := make([]geo.Snap, len(ws.Grids))
	centreOK := make([]bool, len(ws.Grids))
	for i := range ws.Grids {
		centre[i], centreOK[i] = r.Net.Graph.Snap(ws.Grids[i].Polygon.Centroid(), r.Opt.SnapLimitM)
	}
	one := geo.NewSearch(r.Net.Graph)
	for _, st := range r.starts {
		if ctx.Err() != nil {
			return out
		}
		starts := []geo.Start{st}
		one.Run(starts, maxS)
		ks, kw := one.Seconds(), one.Source()
		for i, s := range samples {
			if t, _ := r.Net.secondsAt(ks, kw, starts, s.edge, s.off); t <= maxS && count[i] < 255 {
				count[i]++
			}
		}
		for i := range ws.Grids {
			if !centreOK[i] {
				continue
			}
			if t, _ := r.Net.secondsAt(ks, kw, starts, centre[i].Edge, centre[i].OffsetM); t <= maxS {
				out[i].KiosksWithin++
			}
		}
	}
	backup := make([]float64, len(ws.Grids))
	for i, s := range samples {
		if s.grid >= 0 && count[i] >= 2 {
			backup[s.grid] += s.lenM
		}
	}
	for i := range out {
		if out[i].RoadM > 0 {
			for k := range tiers {
				out[i].Share[k] = out[i].ReachedM[k] / out[i].RoadM
			}
			out[i].BackupShare = backup[i] / out[i].RoadM
		}
	}
	return out
}
