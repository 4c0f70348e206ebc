package planner

import (
	"math"

	"github.com/tidewatch/tidewatch/geo"
)

// Network is the routing graph of one travel mode: the workspace's road
// segments the mode may travel in at least one direction, with the same
// node ids, lengths and seconds that data/csv.WriteRoadGraph exports.
type Network struct {
	Mode  Mode
	Graph *geo.Graph
	Road  []int32 // edge index → index into Workspace.Roads
}

// NewNetwork builds the network of mode m from ws.Roads.
func NewNetwork(ws *Workspace, m Mode) *Network {
	n := &Network{Mode: m}
	specs := make([]geo.EdgeSpec, 0, len(ws.Roads))
	for i := range ws.Roads {
		r := &ws.Roads[i]
		t := r.TravelFor(m)
		if !t.Allowed() {
			continue
		}
		specs = append(specs, geo.EdgeSpec{From: r.From, To: r.To, LengthM: r.LengthM,
			Forward: t.Forward, Backward: t.Backward, Geometry: r.Geometry})
		n.Road = append(n.Road, int32(i))
	}
	n.Graph = geo.NewGraph(specs)
	return n
}

// PointSeconds returns the travel time in seconds, after search s over
// n.Graph, to the point sn on an edge, and the index of the start that
// reaches it first (-1 and +Inf when unreached). starts must be the starts
// s ran from, so that a start on the same edge is honoured.
func (n *Network) PointSeconds(s *geo.Search, starts []geo.Start, sn geo.Snap) (float64, int32) {
	return n.secondsAt(s.Seconds(), s.Source(), starts, sn.Edge, sn.OffsetM)
}

// secondsAt is the time to offset off (metres) along edge e, given per-node
// seconds and sources of a search from starts.
func (n *Network) secondsAt(secs []float64, src []int32, starts []geo.Start, e int32, off float64) (float64, int32) {
	g := n.Graph
	from, to := g.EdgeEnds(e)
	fwd, bwd := g.EdgeCost(e)
	L := g.EdgeLength(e)
	best, who := math.Inf(1), int32(-1)
	frac := 0.0
	if L > 0 {
		frac = off / L
	}
	if fwd >= 0 && secs[from] < best-fwd*frac {
		best, who = secs[from]+fwd*frac, src[from]
	}
	if bwd >= 0 && secs[to] < best-bwd*(1-frac) {
		best, who = secs[to]+bwd*(1-frac), src[to]
	}
	for i, st := range starts {
		if st.Node >= 0 || st.Edge != e || L <= 0 {
			continue
		}
		var t float64
		switch {
		case st.OffsetM <= off && fwd >= 0:
			t = (off - st.OffsetM) / L * fwd
		case st.OffsetM >= off && bwd >= 0:
			t = (st.OffsetM - off) / L * bwd
		default:
			continue
		}
		if t < best {
			best, who = t, int32(i)
		}
	}
	return best, who
}
