package csv

import (
	"bufio"
	"io"
	"strconv"

	"github.com/tidewatch/tidewatch/planner"
)

// RoadGraphHeader is the header row WriteRoadGraph writes.
const RoadGraphHeader = "from_osm_node,to_osm_node,length_m,forward_s,backward_s"

// WriteRoadGraph writes the routing graph of one travel mode exactly as the
// engine uses it: one row per road segment the mode may travel in at least
// one direction, "from_osm_node,to_osm_node,length_m,forward_s,backward_s".
// Lengths are metres and costs seconds, printed as the shortest decimals
// that read back to the same float64; a direction the mode may not travel
// is left empty. Rows keep the order of roads.
func WriteRoadGraph(w io.Writer, roads []planner.Road, mode planner.Mode) error {
	bw := bufio.NewWriterSize(w, 1<<16)
	bw.WriteString(RoadGraphHeader + "\n")
	var buf []byte
	cost := func(s float64) {
		if s >= 0 {
			buf = strconv.AppendFloat(buf, s, 'f', -1, 64)
		}
	}
	for i := range roads {
		r := &roads[i]
		t := r.TravelFor(mode)
		if !t.Allowed() {
			continue
		}
		buf = strconv.AppendInt(buf[:0], r.From, 10)
		buf = append(buf, ',')
		buf = strconv.AppendInt(buf, r.To, 10)
		buf = append(buf, ',')
		buf = strconv.AppendFloat(buf, r.LengthM, 'f', -1, 64)
		buf = append(buf, ',')
		cost(t.Forward)
		buf = append(buf, ',')
		cost(t.Backward)
		buf = append(buf, '\n')
		if _, err := bw.Write(buf); err != nil {
			return err
		}
	}
	return bw.Flush()
}
