package postgis_test

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/tidewatch/tidewatch/data/csv"
	"github.com/tidewatch/tidewatch/data/geojson"
	"github.com/tidewatch/tidewatch/data/osm"
	"github.com/tidewatch/tidewatch/data/postgis/pgtest"
	"github.com/tidewatch/tidewatch/data/sharedtest"
	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// coverageWorkspace assembles Baltimore downtown clipped to the README's
// box, with OSM buildings and both real camera lists.
func coverageWorkspace(t *testing.T) *planner.Workspace {
	t.Helper()
	ctx := context.Background()
	x, err := osm.ReadFile(ctx, sharedtest.Path(t, "osm/baltimore_downtown.osm.pbf"), osm.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var cams []planner.Camera
	for _, rel := range []string{"incidents/baltimore_cctv_locations_2014.csv", "incidents/baltimore_bpd_citiwatch_cameras.csv"} {
		p := sharedtest.Path(t, rel)
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		cs, err := csv.ReadCameras(f, p)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		cams = append(cams, cs...)
	}
	box := geo.Bound{Min: geo.Point{Lon: -76.6081, Lat: 39.2586}, Max: geo.Point{Lon: -76.5288, Lat: 39.3065}}
	ws, _, err := planner.Assemble(ctx, planner.Parts{Name: "baltimore", Roads: x.Roads, Buildings: x.Buildings, Cameras: cams},
		planner.AssembleOptions{Bound: &box, GridSizeM: 500})
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// featureRows decodes a FeatureCollection into (id, geometry JSON) rows.
func featureRows(t *testing.T, fc []byte) [][]any {
	t.Helper()
	var doc struct {
		Features []struct {
			Geometry   json.RawMessage `json:"geometry"`
			Properties struct {
				ID int64 `json:"id"`
			} `json:"properties"`
		} `json:"features"`
	}
	if err := json.Unmarshal(fc, &doc); err != nil {
		t.Fatal(err)
	}
	rows := make([][]any, len(doc.Features))
	for i, f := range doc.Features {
		rows[i] = []any{f.Properties.ID, string(f.Geometry)}
	}
	return rows
}

// loadGeoJSON fills table (id bigint, geom geometry(4326)) from the
// features' GeoJSON geometries.
func loadGeoJSON(t *testing.T, ctx context.Context, conn *pgx.Conn, table string, rows [][]any) {
	t.Helper()
	for _, q := range []string{
		`CREATE TABLE ` + table + `_raw (id bigint PRIMARY KEY, gj text NOT NULL)`,
	} {
		if _, err := conn.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	if _, err := conn.CopyFrom(ctx, pgx.Identifier{table + "_raw"}, []string{"id", "gj"}, pgx.CopyFromRows(rows)); err != nil {
		t.Fatalf("COPY %s: %v", table, err)
	}
	q := `CREATE TABLE ` + table + ` AS SELECT id, ST_SetSRID(ST_GeomFromGeoJSON(gj), 4326) AS geom FROM ` + table + `_raw`
	if _, err := conn.Exec(ctx, q); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
}

// TestCoverageAgreesWithPostGIS exports Baltimore's camera footprints and
// grids as the CLI does (GeoJSON), loads them into PostGIS and checks
// that each footprint's geodesic area and each grid's covered area
// ST_Area(ST_Intersection(ST_Union(footprints), grid)::geography) agree
// with ours within 0.5 % (within 1 m² where the covered area is below
// 1 m²).
func TestCoverageAgreesWithPostGIS(t *testing.T) {
	ws := coverageWorkspace(t)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.Start(t))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)

	cov, err := planner.NewCoverage(ctx, ws)
	if err != nil {
		t.Fatal(err)
	}
	fps := cov.Footprints(ws.Bound)
	ours := map[int64]float64{}
	var shapes []geojson.Shape
	for _, f := range fps {
		if len(f.Polygon) == 0 {
			continue
		}
		ours[f.Camera.ID] = f.AreaM2
		shapes = append(shapes, geojson.Shape{Geometry: f.Polygon, Properties: map[string]any{"id": f.Camera.ID, "area_m2": f.AreaM2}})
	}
	var buf bytes.Buffer
	if err := geojson.WriteShapes(&buf, shapes); err != nil {
		t.Fatal(err)
	}
	loadGeoJSON(t, ctx, conn, "footprints", featureRows(t, buf.Bytes()))
	buf.Reset()
	if err := geojson.WriteGrids(&buf, ws.Grids); err != nil {
		t.Fatal(err)
	}
	loadGeoJSON(t, ctx, conn, "grids", featureRows(t, buf.Bytes()))

	var invalid int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM footprints WHERE NOT ST_IsValid(geom)`).Scan(&invalid); err != nil {
		t.Fatal(err)
	}
	if invalid > 0 {
		t.Errorf("%d footprints are not valid PostGIS polygons", invalid)
	}

	rows, err := conn.Query(ctx, `SELECT id, ST_Area(geom::geography) FROM footprints ORDER BY id`)
	if err != nil {
		t.Fatal(err)
	}
	var id int64
	var area float64
	worst, n := 0.0, 0
	_, err = pgx.ForEachRow(rows, []any{&id, &area}, func() error {
		n++
		rel := math.Abs(ours[id]-area) / area
		worst = math.Max(worst, rel)
		if rel > 0.005 {
			t.Errorf("camera %d: footprint %.3f m², PostGIS %.3f m²", id, ours[id], area)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(ours) || n == 0 {
		t.Fatalf("PostGIS has %d footprints, we have %d", n, len(ours))
	}
	t.Logf("%d footprints: worst relative area difference %.2e", n, worst)

	rows, err = conn.Query(ctx, `WITH u AS (SELECT ST_Union(geom) AS geom FROM footprints)
		SELECT g.id, coalesce(ST_Area(ST_Intersection(u.geom, g.geom)::geography), 0) FROM grids g, u ORDER BY g.id`)
	if err != nil {
		t.Fatal(err)
	}
	rep := cov.Report()
	byID := map[int64]planner.GridCoverage{}
	for _, g := range rep.Grids {
		byID[g.ID] = g
	}
	worst, n = 0, 0
	var sumPG float64
	_, err = pgx.ForEachRow(rows, []any{&id, &area}, func() error {
		n++
		sumPG += area
		got := byID[id].CoveredAreaM2
		if area < 1 || got < 1 {
			if math.Abs(got-area) > 1 {
				t.Errorf("grid %d: covered %.3f m², PostGIS %.3f m²", id, got, area)
			}
			return nil
		}
		rel := math.Abs(got-area) / area
		worst = math.Max(worst, rel)
		if rel > 0.005 {
			t.Errorf("grid %d: covered %.3f m², PostGIS %.3f m² (%.3f %%)", id, got, area, 100*rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(ws.Grids) {
		t.Fatalf("PostGIS has %d grids, we have %d", n, len(ws.Grids))
	}
	t.Logf("%d grids: covered %.1f m² (PostGIS %.1f m²); worst relative difference %.2e", n, rep.Total.CoveredAreaM2, sumPG, worst)
}
