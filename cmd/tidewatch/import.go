package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	csvfile "github.com/tidewatch/tidewatch/data/csv"
	"github.com/tidewatch/tidewatch/data/geojson"
	osmfile "github.com/tidewatch/tidewatch/data/osm"
	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

func (m *Main) runImport(ctx context.Context, args []string) error {
	fs := m.newFlagSet("import")
	db := fs.String("db", "", "workspace store to write: a SQLite file path or a postgres:// URL; replaced in one transaction")
	osmPath := fs.String("osm", "", "OpenStreetMap extract: .osm.pbf, .osm, .osm.gz or .osm.bz2 (required)")
	bbox := fs.String("bbox", "", "keep only data inside W,S,E,N (degrees lon,lat)")
	var grids, cameras, kiosks, incidents, sites fileList
	fs.Var(&grids, "grids", "grid polygons (.geojson); repeatable; default: generated cells")
	fs.Var(&cameras, "cameras", "cameras (.csv or .geojson); repeatable; default: OSM man_made=surveillance")
	fs.Var(&kiosks, "kiosks", "kiosks (.csv or .geojson); repeatable; default: OSM amenity=police")
	fs.Var(&incidents, "incidents", "incidents with times (.csv or .geojson); repeatable")
	fs.Var(&sites, "sites", "key sites (.csv or .geojson); repeatable; default: OSM schools, hospitals, banks, stations, markets")
	gridSize := fs.Float64("grid-size", 500, "generated grid cell size, metres")
	gridShape := fs.String("grid-shape", "square", "generated grid cell shape: square or hex")
	name := fs.String("name", "", "workspace name (default: the OSM file's name)")
	asJSON := fs.Bool("json", false, "print the stored counts as one JSON object on stdout")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *osmPath == "" {
		return usageError{"import: --osm is required"}
	}
	if *db == "" {
		return usageError{"import: --db is required"}
	}
	opt := osmfile.Options{}
	var bound *geo.Bound
	if *bbox != "" {
		b, err := geo.ParseBound(*bbox)
		if err != nil {
			return usageError{"import: --" + err.Error()}
		}
		bound, opt.Bound = &b, &b
	}
	if *name == "" {
		*name = strings.TrimSuffix(filepath.Base(*osmPath), filepath.Ext(*osmPath))
		*name = strings.TrimSuffix(strings.TrimSuffix(*name, ".osm"), ".osm")
	}
	parts, _, err := m.readOSM(ctx, *osmPath, opt)
	if err != nil {
		return err
	}
	parts.Name = *name
	if err := m.readFiles(&parts, grids, cameras, kiosks, incidents, sites); err != nil {
		return err
	}
	ws, rep, err := planner.Assemble(ctx, parts, planner.AssembleOptions{Bound: bound, GridSizeM: *gridSize, GridShape: *gridShape})
	if err != nil {
		return err
	}
	m.reportDropped(rep)
	if err := m.store(ctx, *db, ws); err != nil {
		return err
	}
	c := ws.Counts()
	if *asJSON {
		return json.NewEncoder(m.Stdout).Encode(c)
	}
	fmt.Fprintf(m.Stdout, "stored %s: %d road nodes, %d road edges, %.2f road km (car); %d grids, %d cameras, %d kiosks, %d incidents, %d sites\n",
		*db, c.RoadNodes, c.RoadEdges, c.RoadKm, c.Grids, c.Cameras, c.Kiosks, c.Incidents, c.Sites)
	return nil
}

// readOSM reads the extract with a progress bar on stderr.
func (m *Main) readOSM(ctx context.Context, path string, opt osmfile.Options) (planner.Parts, *osmfile.Extract, error) {
	bar := newProgressBar(m.Stderr, "reading "+filepath.Base(path))
	opt.Progress = bar.Update
	x, err := osmfile.ReadFile(ctx, path, opt)
	if err != nil {
		return planner.Parts{}, nil, err
	}
	bar.Done(fmt.Sprintf("%d road segments, %d buildings, %d police, %d cameras, %d key sites",
		len(x.Roads), len(x.Buildings), len(x.Kiosks), len(x.Cameras), len(x.Sites)))
	return planner.Parts{
		Roads: x.Roads, Buildings: x.Buildings,
		OSMKiosks: x.Kiosks, OSMCameras: x.Cameras, OSMSites: x.Sites,
		Notes: []string{"roads, buildings: OpenStreetMap " + filepath.Base(path) + " (© OpenStreetMap contributors, ODbL 1.0)"},
	}, x, nil
}

// readFiles reads the station's own files into parts; a layer with no
// file stays nil so the OSM layer is used.
func (m *Main) readFiles(p *planner.Parts, grids, cameras, kiosks, incidents, sites fileList) error {
	var err error
	if p.Grids, err = readLayers(grids, geojson.ReadGrids, nil, &p.Notes, "grids"); err != nil {
		return err
	}
	if p.Cameras, err = readLayers(cameras, geojson.ReadCameras, csvfile.ReadCameras, &p.Notes, "cameras"); err != nil {
		return err
	}
	if p.Kiosks, err = readLayers(kiosks, geojson.ReadKiosks, csvfile.ReadKiosks, &p.Notes, "kiosks"); err != nil {
		return err
	}
	if p.Incidents, err = readLayers(incidents, geojson.ReadIncidents, csvfile.ReadIncidents, &p.Notes, "incidents"); err != nil {
		return err
	}
	p.Sites, err = readLayers(sites, geojson.ReadSites, csvfile.ReadSites, &p.Notes, "sites")
	return err
}

// fileList is a repeatable flag; each value may also hold comma-separated paths.
type fileList []string

func (f *fileList) String() string { return strings.Join(*f, ",") }

// Set adds one or more comma-separated paths.
func (f *fileList) Set(v string) error {
	for _, p := range strings.Split(v, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*f = append(*f, p)
		}
	}
	return nil
}

// readLayers reads and concatenates every file of one layer; it returns
// nil when no file is given.
func readLayers[T any](paths fileList, fromGeoJSON, fromCSV reader[T], notes *[]string, layer string) ([]T, error) {
	if len(paths) == 0 {
		return nil, nil
	}
	out := []T{}
	for _, path := range paths {
		xs, err := readLayer(path, fromGeoJSON, fromCSV)
		if err != nil {
			return nil, err
		}
		out = append(out, xs...)
		*notes = append(*notes, fmt.Sprintf("%s: %s (%d records)", layer, filepath.Base(path), len(xs)))
	}
	return out, nil
}

type reader[T any] func(r io.Reader, name string) ([]T, error)

// readLayer opens path and decodes it by extension: .csv with fromCSV,
// .geojson/.json with fromGeoJSON.
func readLayer[T any](path string, fromGeoJSON, fromCSV reader[T]) ([]T, error) {
	var read reader[T]
	switch ext := strings.ToLower(filepath.Ext(path)); ext {
	case ".geojson", ".json":
		read = fromGeoJSON
	case ".csv", ".txt":
		read = fromCSV
	}
	if read == nil {
		return nil, planner.Errorf(planner.EINVALID, "%s: unsupported file type (want .csv or .geojson)", path)
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, planner.Errorf(planner.EINVALID, "%v", err)
	}
	defer f.Close()
	return read(f, path)
}

func (m *Main) reportDropped(rep planner.AssembleReport) {
	layers := make([]string, 0, len(rep.Dropped))
	for l := range rep.Dropped {
		layers = append(layers, l)
	}
	sort.Strings(layers)
	for _, l := range layers {
		fmt.Fprintf(m.Stderr, "%s: %d outside --bbox, not stored\n", l, rep.Dropped[l])
	}
}

// store replaces the workspace in the store at db in one transaction.
func (m *Main) store(ctx context.Context, db string, ws *planner.Workspace) error {
	if dir := filepath.Dir(db); dir != "" && !strings.Contains(db, "://") {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
	}
	st, err := openStore(ctx, db)
	if err != nil {
		return err
	}
	if err := st.ReplaceWorkspace(ctx, ws); err != nil {
		st.Close()
		return err
	}
	return st.Close()
}
