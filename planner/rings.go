package planner

import (
	"context"

	"github.com/tidewatch/tidewatch/geo"
)

// Ring is one response ring: the roads reached within Minutes and the
// display polygon around them.
type Ring struct {
	KioskID int64   // 0 for rings merged over all kiosks
	Minutes float64 // the tier
	RoadKm  float64 // reached road length, km (exact, with partial last edges)
	Lines   []geo.LineString
	Polygon geo.MultiPolygon // contains every reached road point, within 60 m of one; tiers nest
}

// RingBufferM is how far, at most, a ring reaches beyond its roads: 59.5 m,
// leaving half a metre for the local projection's error under the 60 m
// promise (rings never bridge rivers, rail yards or parks wider than that).
const RingBufferM = 59.5

// ringOptions anchors every ring of a workspace on one lattice so that
// tiers and kiosks' rings nest exactly.
func (r *Reach) ringOptions() geo.ReachOptions {
	return geo.ReachOptions{Origin: r.origin, BufferM: RingBufferM}
}

// Rings returns one merged ring per tier, smallest first.
func (r *Reach) Rings() []Ring {
	tiers := make([][]geo.LineString, len(r.Opt.Minutes))
	out := make([]Ring, len(r.Opt.Minutes))
	for i, m := range r.Opt.Minutes {
		lines, metres := r.Lines(m)
		tiers[i] = lines
		out[i] = Ring{Minutes: m, RoadKm: metres / 1000, Lines: lines}
	}
	for i, pg := range geo.ReachPolygonsTiers(tiers, r.ringOptions()) {
		out[i].Polygon = pg
	}
	return out
}

// KioskRings returns each snapped kiosk's own rings, one search per
// kiosk, ordered by kiosk then tier.
func (r *Reach) KioskRings(ctx context.Context) ([]Ring, error) {
	one := &Reach{Opt: r.Opt, Net: r.Net, origin: r.origin, search: geo.NewSearch(r.Net.Graph)}
	var out []Ring
	for i, st := range r.starts {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		one.starts, one.kiosk = []geo.Start{st}, []int64{r.kiosk[i]}
		one.search.Run(one.starts, one.maxTierS())
		for _, ring := range one.Rings() {
			ring.KioskID = r.kiosk[i]
			out = append(out, ring)
		}
	}
	return out, nil
}
