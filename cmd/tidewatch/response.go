package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"

	"github.com/tidewatch/tidewatch/data/geojson"
	"github.com/tidewatch/tidewatch/planner"
)

// responseFlags are the flags isochrones and response share.
type responseFlags struct {
	db, mode, minutes string
	kiosks            idList
	snapM             float64
}

func (m *Main) responseFlagSet(name string) (*responseFlags, *flagSet) {
	f := &responseFlags{}
	fs := m.newFlagSet(name)
	fs.StringVar(&f.db, "db", "", "workspace store to read")
	fs.StringVar(&f.mode, "mode", "car", "travel mode: car, ebike or foot")
	fs.StringVar(&f.minutes, "minutes", "1,3,5", "response tiers in minutes, comma-separated")
	fs.Var(&f.kiosks, "kiosk", "start only from this kiosk id (repeatable); default all kiosks")
	fs.Float64Var(&f.snapM, "snap-limit", planner.DefaultSnapLimitM, "report kiosks and sites farther than this many metres from a road instead of snapping them")
	return f, fs
}

type flagSet = flag.FlagSet

// reach loads the workspace and runs the kiosks' search.
func (m *Main) reach(ctx context.Context, f *responseFlags) (*planner.Workspace, *planner.Reach, error) {
	mode, err := planner.ParseMode(f.mode)
	if err != nil {
		return nil, nil, usageError{err.Error()}
	}
	var tiers []float64
	for _, s := range strings.Split(f.minutes, ",") {
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 64)
		if err != nil {
			return nil, nil, usageError{fmt.Sprintf("--minutes %q: want numbers such as 1,3,5", f.minutes)}
		}
		tiers = append(tiers, v)
	}
	ws, err := m.load(ctx, f.db)
	if err != nil {
		return nil, nil, err
	}
	r, err := planner.NewReach(ctx, ws, planner.ResponseOptions{Mode: mode, Minutes: tiers, KioskIDs: f.kiosks, SnapLimitM: f.snapM})
	if err != nil {
		return nil, nil, err
	}
	for _, k := range r.Kiosks {
		if !k.OK {
			fmt.Fprintf(m.Stderr, "kiosk %d %q is %.0f m from the nearest %s road (limit %.0f m): not used\n", k.KioskID, k.Name, k.DistM, mode, f.snapM)
		}
	}
	return ws, r, nil
}

// load reads the workspace from the store at db.
func (m *Main) load(ctx context.Context, db string) (*planner.Workspace, error) {
	st, err := openStore(ctx, db)
	if err != nil {
		return nil, err
	}
	defer st.Close()
	ws, err := st.LoadWorkspace(ctx)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", db, err)
	}
	return ws, nil
}

func (m *Main) runIsochrones(ctx context.Context, args []string) error {
	f, fs := m.responseFlagSet("isochrones")
	perKiosk := fs.Bool("per-kiosk", false, "one ring set per kiosk instead of rings merged over all kiosks")
	withLines := fs.Bool("lines", false, "also write the reached roads of each tier as MultiLineString features")
	nodeTimes := fs.String("node-times", "", "write osm_node_id,seconds,kiosk_id for every node within the largest tier to this CSV file")
	if err := parse(fs, args); err != nil {
		return err
	}
	_, r, err := m.reach(ctx, f)
	if err != nil {
		return err
	}
	if *nodeTimes != "" {
		if err := writeNodeTimes(*nodeTimes, r.NodeTimes()); err != nil {
			return err
		}
	}
	rings := r.Rings()
	if *perKiosk {
		if rings, err = r.KioskRings(ctx); err != nil {
			return err
		}
	}
	var shapes []geojson.Shape
	for _, ring := range rings {
		props := map[string]any{"kind": "ring", "mode": r.Opt.Mode, "minutes": ring.Minutes, "road_km": round3(ring.RoadKm)}
		if ring.KioskID != 0 {
			props["kiosk_id"] = ring.KioskID
		}
		shapes = append(shapes, geojson.Shape{Geometry: ring.Polygon, Properties: props})
		if *withLines {
			lp := map[string]any{"kind": "roads", "mode": r.Opt.Mode, "minutes": ring.Minutes, "road_km": round3(ring.RoadKm)}
			if ring.KioskID != 0 {
				lp["kiosk_id"] = ring.KioskID
			}
			shapes = append(shapes, geojson.Shape{Geometry: ring.Lines, Properties: lp})
		}
	}
	return geojson.WriteShapes(m.Stdout, shapes)
}

func round3(x float64) float64 {
	v, _ := strconv.ParseFloat(strconv.FormatFloat(x, 'f', 3, 64), 64)
	return v
}

// writeNodeTimes writes the node-times CSV atomically (temp file, rename).
func writeNodeTimes(path string, nts []planner.NodeTime) error {
	tmp := path + ".tmp"
	f, err := os.Create(tmp)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	w.WriteString("osm_node_id,seconds,kiosk_id\n")
	for _, nt := range nts {
		fmt.Fprintf(w, "%d,%s,%d\n", nt.OSMNode, strconv.FormatFloat(nt.Seconds, 'f', -1, 64), nt.KioskID)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func (m *Main) runResponse(ctx context.Context, args []string) error {
	f, fs := m.responseFlagSet("response")
	asJSON := fs.Bool("json", false, "print the report as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	ws, r, err := m.reach(ctx, f)
	if err != nil {
		return err
	}
	rep, err := r.Report(ctx, ws)
	if err != nil {
		return err
	}
	if *asJSON {
		enc := json.NewEncoder(m.Stdout)
		return enc.Encode(rep)
	}
	fmt.Fprintf(m.Stdout, "%s network %.1f km, %d kiosks\n", rep.Mode, rep.NetworkKm, len(rep.Kiosks))
	for _, t := range rep.Tiers {
		fmt.Fprintf(m.Stdout, "  within %g min: %.1f km (%.1f %%)\n", t.Minutes, t.RoadKm, 100*t.Share)
	}
	noBackup := 0
	for _, g := range rep.Grids {
		if g.RoadM > 0 && g.KiosksWithin < 2 {
			noBackup++
		}
	}
	fmt.Fprintf(m.Stdout, "grids without 5-minute backup (fewer than 2 kiosks): %d of %d\n", noBackup, len(rep.Grids))
	fmt.Fprintf(m.Stdout, "key sites failing their tier: %d of %d\n", rep.FailingSites, len(rep.Sites))
	for _, s := range rep.Sites {
		if s.OK {
			continue
		}
		t := "—"
		if s.Seconds != nil {
			t = fmt.Sprintf("%.0f s", *s.Seconds)
		}
		fmt.Fprintf(m.Stdout, "  %-8s tier %d min  %-8s  %s (%s)\n", s.Category, s.Tier, t, s.Name, s.Reason)
	}
	return nil
}

// idList is a repeatable integer flag.
type idList []int64

func (l *idList) String() string { return fmt.Sprint(*l) }

// Set adds one or more comma-separated ids.
func (l *idList) Set(v string) error {
	for _, s := range strings.Split(v, ",") {
		id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			return fmt.Errorf("%q is not a kiosk id", s)
		}
		*l = append(*l, id)
	}
	return nil
}
