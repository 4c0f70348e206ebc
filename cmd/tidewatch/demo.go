package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	osmfile "github.com/tidewatch/tidewatch/data/osm"
	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// wilmington is the demo's clip box: Wilmington, Delaware (W,S,E,N).
var wilmington = geo.Bound{Min: geo.Point{Lon: -75.5885, Lat: 39.6880}, Max: geo.Point{Lon: -75.4708, Lat: 39.7730}}

// demoOSMModule is the Go module whose testdata ships the Delaware extract.
const demoOSMModule = "github.com/paulmach/osm"

func (m *Main) runDemo(ctx context.Context, args []string) error {
	fs := m.newFlagSet("demo")
	db := fs.String("db", "demo/wilmington.db", "workspace store to write")
	osmPath := fs.String("osm", "", "Delaware extract (default: testdata/delaware-latest.osm.pbf of the Go module "+demoOSMModule+")")
	nCameras := fs.Int("cameras", 400, "synthetic cameras to place")
	nIncidents := fs.Int("incidents", 4000, "synthetic incidents to generate")
	seed := fs.Int64("seed", 1, "random seed for the synthetic data")
	asJSON := fs.Bool("json", false, "print the stored counts as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *osmPath == "" {
		p, err := locateDelaware()
		if err != nil {
			return err
		}
		*osmPath = p
	}
	b := wilmington
	parts, x, err := m.readOSM(ctx, *osmPath, osmfile.Options{Bound: &b})
	if err != nil {
		return err
	}
	attractors := make([]planner.Attractor, len(x.POIs))
	for i, p := range x.POIs {
		attractors[i] = planner.Attractor{Location: p.Location, Kind: p.Kind, Weight: 1}
	}
	parts.Name = "Wilmington, Delaware (demo)"
	parts.Cameras = planner.SyntheticCameras(parts.Roads, attractors, *nCameras, *seed)
	from := time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)
	parts.Incidents = planner.SyntheticIncidents(parts.Roads, attractors, *nIncidents, *seed, from, 91)
	parts.Notes = append(parts.Notes,
		"kiosks, key sites: OpenStreetMap amenity=police and schools/hospitals/banks/stations/markets",
		fmt.Sprintf("cameras, incidents: synthetic demo data (合成演示数据), generated from OSM junctions and %d nightlife/retail POIs, seed %d", len(attractors), *seed))
	ws, _, err := planner.Assemble(ctx, parts, planner.AssembleOptions{Bound: &b, GridSizeM: 500, GridShape: "square"})
	if err != nil {
		return err
	}
	if err := m.store(ctx, *db, ws); err != nil {
		return err
	}
	password, err := demoAdmin(ctx, *db)
	if err != nil {
		return err
	}
	c := ws.Counts()
	// The sign-in goes to stdout, or to stderr with --json (stdout is one JSON object).
	signIn := m.Stdout
	if *asJSON {
		if err := json.NewEncoder(m.Stdout).Encode(c); err != nil {
			return err
		}
		signIn = m.Stderr
	} else {
		fmt.Fprintf(m.Stdout, "demo workspace %s: %d road edges (%.1f km), %d grids, %d kiosks, %d sites, %d synthetic cameras, %d synthetic incidents\n",
			*db, c.RoadEdges, c.RoadKm, c.Grids, c.Kiosks, c.Sites, c.Cameras, c.Incidents)
	}
	if password != "" {
		fmt.Fprintf(signIn, "\n  Sign in to the map as   admin\n  with the password       %s\n  (shown only this once; change it with: tidewatch user passwd --db %s --name admin)\n\n", password, *db)
	} else {
		fmt.Fprintf(signIn, "%s already has an admin: sign in with that account (or: tidewatch user passwd --db %s --name NAME)\n", *db, *db)
	}
	return nil
}

// demoAdmin makes user "admin" with a fresh random password in the store
// at db when it has no enabled admin, and returns the password ("" if an
// admin exists).
func demoAdmin(ctx context.Context, db string) (string, error) {
	st, err := openStore(ctx, db)
	if err != nil {
		return "", err
	}
	defer st.Close()
	return ensureAdmin(ctx, st)
}

// locateDelaware finds the Delaware extract in the Go module cache.
func locateDelaware() (string, error) {
	dir := ""
	if out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", demoOSMModule).Output(); err == nil {
		dir = strings.TrimSpace(string(out))
	}
	if dir == "" {
		cache := os.Getenv("GOMODCACHE")
		if out, err := exec.Command("go", "env", "GOMODCACHE").Output(); cache == "" && err == nil {
			cache = strings.TrimSpace(string(out))
		}
		matches, _ := filepath.Glob(filepath.Join(cache, "github.com", "paulmach", "osm@*"))
		if len(matches) > 0 {
			dir = matches[len(matches)-1]
		}
	}
	p := filepath.Join(dir, "testdata", "delaware-latest.osm.pbf")
	if _, err := os.Stat(p); dir == "" || err != nil {
		return "", fmt.Errorf("the Delaware extract of %s was not found in the Go module cache; run 'go mod download %s' or pass --osm", demoOSMModule, demoOSMModule)
	}
	return p, nil
}
