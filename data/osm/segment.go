package osm

import (
	"context"
	"slices"

	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// resolveRoads splits the routable ways into segments at junctions and
// ends (see the package doc) and applies the clip box. Ways are visited
// in id order, so Road IDs are deterministic.
func (c *collector) resolveRoads(ctx context.Context) ([]planner.Road, error) {
	// idx holds each routable way's node-table indices (-1 = missing),
	// way after way; uses counts how often routable ways pass a node.
	var idx []int32
	var ways []wayInfo
	uses := make([]uint8, len(c.nodes))
	for _, w := range c.wayInfos {
		if w.road == nil {
			continue
		}
		refs := c.wayRefs(w.id)
		w.off, w.n = len(idx), len(refs)
		ways = append(ways, w)
		for _, id := range refs {
			j, ok := c.nodeIdx(id)
			if !ok {
				idx = append(idx, -1)
				c.missing++
				continue
			}
			idx = append(idx, int32(j))
			if uses[j] < 255 {
				uses[j]++
			}
		}
	}
	// One allocation for all geometry: a split node is the last vertex of
	// one segment and the first of the next.
	splits := 0
	for _, j := range idx {
		if j >= 0 && uses[j] >= 2 {
			splits++
		}
	}
	s := splitter{c: c, uses: uses, roads: make([]planner.Road, 0, splits+len(ways)),
		pts: make([]geo.Point, 0, len(idx)+splits)}
	for i, w := range ways {
		if i%4096 == 0 && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		s.split(w, idx[w.off:w.off+w.n])
	}
	return s.roads, nil
}

// splitter cuts ways into segments, drawing geometry from one arena.
type splitter struct {
	c     *collector
	uses  []uint8
	roads []planner.Road
	pts   []geo.Point // arena; each segment's Geometry is a capped slice of it
}

// split appends the segments of one routable way; idx are its node-table
// indices, -1 where the file lacks the node (the way breaks there).
func (s *splitter) split(w wayInfo, idx []int32) {
	start := 0
	for i, j := range idx {
		switch {
		case j < 0:
			s.emit(w, idx[start:i])
			start = i + 1
		case i > start && (s.uses[j] >= 2 || i == len(idx)-1):
			s.emit(w, idx[start:i+1])
			start = i
		}
	}
}

// emit appends the segment through node-table indices seg unless it has
// fewer than two vertices, zero length or no vertex in the clip box.
func (s *splitter) emit(w wayInfo, seg []int32) {
	if len(seg) < 2 {
		return
	}
	a := len(s.pts)
	for _, j := range seg {
		s.pts = append(s.pts, s.c.point(int(j)))
	}
	pts := geo.LineString(s.pts[a:len(s.pts):len(s.pts)])
	length := pts.Length()
	if b := s.c.opt.Bound; length <= 0 || (b != nil && !slices.ContainsFunc(pts, b.Contains)) {
		s.pts = s.pts[:a]
		return
	}
	s.roads = append(s.roads, planner.Road{
		ID: int64(len(s.roads) + 1), WayID: w.id, From: s.c.nodes[seg[0]].id, To: s.c.nodes[seg[len(seg)-1]].id,
		Geometry: pts, Highway: w.road.highway, Name: w.road.name, LengthM: length, Travel: w.road.travel(length),
	})
}
