package osm

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	posm "github.com/paulmach/osm"
	"github.com/paulmach/osm/osmpbf"
	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// rawScan reads a PBF with paulmach/osm directly (no Tidewatch logic) so
// tests can derive expectations from the tags independently.
func rawScan(t *testing.T, path string, fn func(posm.Object)) {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	s := osmpbf.New(context.Background(), f, 1)
	defer s.Close()
	for s.Scan() {
		fn(s.Object())
	}
	if err := s.Err(); err != nil {
		t.Fatal(err)
	}
}

func TestReadBaltimore(t *testing.T) {
	path := sharedFile(t, "osm/baltimore_downtown.osm.pbf")
	x := readFile(t, path, Options{})

	// Independent junction set from the raw ways.
	highways := 0
	wayNodes := map[int64][]int64{}
	uses := map[int64]int{}
	rawScan(t, path, func(o posm.Object) {
		w, ok := o.(*posm.Way)
		if !ok || w.Tags.Find("highway") == "" {
			return
		}
		highways++
		if _, ok := roadProfile(w.Tags); ok {
			ids := w.Nodes.NodeIDs()
			for _, id := range ids {
				uses[int64(id)]++
			}
			wayNodes[int64(w.ID)] = make([]int64, len(ids))
			for i, id := range ids {
				wayNodes[int64(w.ID)][i] = int64(id)
			}
		}
	})
	if highways != 3844 {
		t.Errorf("highway ways in file: %d, want 3844 (README)", highways)
	}
	if len(x.Kiosks) != 5 {
		t.Errorf("kiosks: %d, want 5", len(x.Kiosks))
	}
	vertices := map[int64]int{} // segment edges per way
	oneway := 0
	var carKm, allKm float64
	for i, r := range x.Roads {
		if r.ID != int64(i+1) || (i > 0 && r.WayID < x.Roads[i-1].WayID) {
			t.Fatalf("road %d: ID %d / way order broken", i, r.ID)
		}
		refs := wayNodes[r.WayID]
		for _, end := range []int64{r.From, r.To} {
			if uses[end] < 2 && end != refs[0] && end != refs[len(refs)-1] {
				t.Errorf("road %d (way %d): end node %d is neither a junction nor a way end", r.ID, r.WayID, end)
			}
		}
		if r.LengthM <= 0 {
			t.Errorf("road %d: length %v", r.ID, r.LengthM)
		}
		vertices[r.WayID] += len(r.Geometry) - 1
		car, foot := r.TravelFor(planner.ModeCar), r.TravelFor(planner.ModeFoot)
		if car.Forward >= 0 && car.Backward == planner.NoAccess && foot.Forward >= 0 && foot.Backward >= 0 {
			oneway++
		}
		if car.Allowed() {
			carKm += r.LengthM / 1000
		}
		allKm += r.LengthM / 1000
	}
	// Every vertex of every routable way is kept (no gaps, no drops).
	for id, refs := range wayNodes {
		if vertices[id] != len(refs)-1 {
			t.Errorf("way %d: %d segment edges, want %d", id, vertices[id], len(refs)-1)
		}
	}
	if oneway == 0 {
		t.Error("no one-way segments (car forward only, foot both ways)")
	}
	t.Logf("Baltimore: %d highway ways, %d routable, %d segments (%d one-way for cars), %.1f km car network, %.1f km all modes, %d buildings, %d sites, %d POIs",
		highways, len(wayNodes), len(x.Roads), oneway, carKm, allKm, len(x.Buildings), len(x.Sites), len(x.POIs))
	if carKm < 300 || carKm > 1500 {
		t.Errorf("car network %.1f km: implausible for downtown Baltimore", carKm)
	}
	if x.MissingNodes != 0 {
		t.Errorf("MissingNodes = %d, want 0 (complete ways)", x.MissingNodes)
	}
}

func TestReadMunich(t *testing.T) {
	path := sharedFile(t, "osm/munchen_center.osm.pbf")
	x := readFile(t, path, Options{})
	var surveillance, indoor, guard, keep, keepDir, withDir, buildingWays int
	rawScan(t, path, func(o posm.Object) {
		switch o := o.(type) {
		case *posm.Node:
			if o.Tags.Find("man_made") != "surveillance" {
				return
			}
			surveillance++
			_, dir := ParseDirection(o.Tags.Find("camera:direction"))
			if o.Tags.HasTag("camera:direction") {
				withDir++
			}
			switch {
			case o.Tags.Find("surveillance:type") == "guard":
				guard++
			case o.Tags.Find("surveillance") == "indoor":
				indoor++
			default:
				keep++
				if dir {
					keepDir++
				}
			}
		case *posm.Way:
			b := o.Tags.Find("building")
			if b != "" && b != "no" && len(o.Nodes) >= 4 && o.Nodes[0].ID == o.Nodes[len(o.Nodes)-1].ID {
				buildingWays++
			}
		}
	})
	if surveillance != 209 || withDir != 59 {
		t.Errorf("file has %d surveillance nodes, %d with camera:direction; README says 209, 59", surveillance, withDir)
	}
	directed := 0
	for _, c := range x.Cameras {
		if !slices.Contains(c.Defaulted, "direction") {
			directed++
		}
	}
	t.Logf("Munich: %d surveillance nodes: %d guard, %d indoor, %d cameras kept, %d of them with a parsed camera:direction",
		surveillance, guard, indoor, len(x.Cameras), directed)
	if len(x.Cameras) != keep || keep != 120 || directed != keepDir {
		t.Errorf("cameras %d (with direction %d), derived from tags %d (%d); want 120", len(x.Cameras), directed, keep, keepDir)
	}
	fromRel := map[int64]int{}
	for _, b := range x.Buildings {
		if b.OSMID < 0 {
			fromRel[b.OSMID]++
		}
	}
	relPolys := sum(fromRel)
	t.Logf("Munich: %d buildings = %d closed ways + %d outer rings of %d multipolygon relations; %d segments, %d sites, %d POIs",
		len(x.Buildings), len(x.Buildings)-relPolys, relPolys, len(fromRel), len(x.Roads), len(x.Sites), len(x.POIs))
	if len(x.Buildings) != 2428 || len(x.Buildings)-relPolys != buildingWays || buildingWays != 2372 {
		t.Errorf("buildings %d (%d from ways, raw count %d); want 2428 = 2372 ways + 56 relation rings", len(x.Buildings), len(x.Buildings)-relPolys, buildingWays)
	}
	if len(x.Kiosks) != 2 || x.Kiosks[0].Ref != "node/3445677913" || x.Kiosks[1].Ref != "relation/301240" {
		t.Errorf("kiosks %+v, want node/3445677913 and relation/301240", x.Kiosks)
	}
}

func sum(m map[int64]int) int {
	n := 0
	for _, v := range m {
		n += v
	}
	return n
}

func TestReadDelawareWilmington(t *testing.T) {
	if testing.Short() {
		t.Skip("reads 7.8 MB")
	}
	b, err := geo.ParseBound("-75.5885,39.6880,-75.4708,39.7730")
	if err != nil {
		t.Fatal(err)
	}
	x := readFile(t, delawareFile(t), Options{Bound: &b})
	if len(x.Roads) == 0 || len(x.Kiosks) == 0 {
		t.Fatalf("Wilmington: %d roads, %d police stations", len(x.Roads), len(x.Kiosks))
	}
	for _, r := range x.Roads {
		if !slices.ContainsFunc(r.Geometry, b.Contains) {
			t.Fatalf("road %d has no vertex inside the bbox", r.ID)
		}
	}
	for _, k := range x.Kiosks {
		if !b.Contains(k.Location) {
			t.Errorf("kiosk %s at %v outside the bbox", k.Ref, k.Location)
		}
	}
	km := (&planner.Workspace{Roads: x.Roads}).Counts().RoadKm
	t.Logf("Wilmington: %d segments (%.1f km car), %d police, %d cameras, %d buildings, %d sites, %d POIs",
		len(x.Roads), km, len(x.Kiosks), len(x.Cameras), len(x.Buildings), len(x.Sites), len(x.POIs))
}

func TestReadTruncatedPBF(t *testing.T) {
	raw, err := os.ReadFile(sharedFile(t, "osm/baltimore_downtown.osm.pbf"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "half.osm.pbf")
	if err := os.WriteFile(path, raw[:len(raw)/2], 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = ReadFile(context.Background(), path, Options{})
	wantInvalid(t, err, path, "truncated")
	t.Log(err)
}
