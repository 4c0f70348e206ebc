package csv

import (
	"bytes"
	"testing"

	"github.com/tidewatch/tidewatch/planner"
)

func TestWriteRoadGraph(t *testing.T) {
	a, b := 0.1, 0.2 // a run-time sum, not a folded constant: 0.30000000000000004
	both := planner.Travel{Forward: 12.5, Backward: 12.5}
	roads := []planner.Road{
		{From: 1, To: 2, LengthM: 100.25, Travel: [planner.NumModes]planner.Travel{{Forward: 7.2, Backward: planner.NoAccess}, both, {Forward: 72.18, Backward: 72.18}}},
		{From: 2, To: 3, LengthM: 40, Travel: [planner.NumModes]planner.Travel{{Forward: planner.NoAccess, Backward: planner.NoAccess}, {Forward: planner.NoAccess, Backward: planner.NoAccess}, {Forward: a + b, Backward: 28.8}}},
	}
	cases := map[planner.Mode]string{
		planner.ModeCar:  RoadGraphHeader + "\n1,2,100.25,7.2,\n",
		planner.ModeFoot: RoadGraphHeader + "\n1,2,100.25,72.18,72.18\n2,3,40,0.30000000000000004,28.8\n",
	}
	for mode, want := range cases {
		var out bytes.Buffer
		if err := WriteRoadGraph(&out, roads, mode); err != nil {
			t.Fatal(err)
		}
		if out.String() != want {
			t.Errorf("%s:\n got %q\nwant %q", mode, out.String(), want)
		}
	}
}
