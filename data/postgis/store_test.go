package postgis

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tidewatch/tidewatch/data/osm"
	"github.com/tidewatch/tidewatch/data/postgis/pgtest"
	"github.com/tidewatch/tidewatch/data/sharedtest"
	"github.com/tidewatch/tidewatch/data/sqlite"
	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
	"github.com/tidewatch/tidewatch/planner/storetest"
)

// The package's TestMain (pgtest.Main) is in pgrouting_test.go.

// openFresh opens a Store on a new, empty database; it is closed when t
// ends.
func openFresh(t testing.TB) (*Store, string) {
	t.Helper()
	dsn := pgtest.Start(t)
	s := mustOpen(t, dsn)
	return s, dsn
}

func mustOpen(t testing.TB, dsn string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dsn)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) planner.Store {
		s, err := Open(context.Background(), pgtest.Start(t))
		if err != nil {
			t.Fatalf("Open: %v", err)
		}
		return s
	})
}

// TestQGISReadable checks what a GIS tool sees: typed geometry columns in
// SRID 4326 equal to the exact columns, and GiST-indexed bbox queries
// returning the same rows as the same test in Go.
func TestQGISReadable(t *testing.T) {
	ctx := context.Background()
	s, _ := openFresh(t)
	ws := storetest.Sample(21, 2000)
	// One line PostGIS would reject keeps its exact copy but gets no geom.
	ws.Roads[5].Geometry = ws.Roads[5].Geometry[:1]
	if err := s.ReplaceWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	db := s.pool

	rows, err := db.Query(ctx, `SELECT ST_SRID(geom), GeometryType(geom), ST_X(geom), ST_Y(geom), id FROM cameras ORDER BY seq`)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for rows.Next() {
		var srid int
		var typ string
		var x, y float64
		var id int64
		if err := rows.Scan(&srid, &typ, &x, &y, &id); err != nil {
			t.Fatal(err)
		}
		c := ws.Cameras[n]
		if srid != 4326 || typ != "POINT" || x != c.Location.Lon || y != c.Location.Lat || id != c.ID {
			t.Errorf("camera %d: SRID %d %s (%v %v) id %d; want 4326 POINT %v id %d", n, srid, typ, x, y, id, c.Location, c.ID)
		}
		n++
	}
	if rows.Err() != nil || n != len(ws.Cameras) {
		t.Fatalf("%d camera rows (%v), want %d", n, rows.Err(), len(ws.Cameras))
	}

	// The geometry_columns view QGIS lists layers from.
	var layers []string
	rows, _ = db.Query(ctx, `SELECT f_table_name || '.' || f_geometry_column || ':' || type || ':' || srid
		FROM geometry_columns WHERE f_table_schema = current_schema() ORDER BY 1`)
	layers, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"buildings.geom:POLYGON:4326", "cameras.geom:POINT:4326", "grids.geom:POLYGON:4326",
		"incidents.geom:POINT:4326", "kiosks.geom:POINT:4326", "roads.geom:LINESTRING:4326",
		"sites.area_geom:POLYGON:4326", "sites.geom:POINT:4326"}
	if !slices.Equal(layers, want) {
		t.Errorf("geometry_columns = %v\nwant %v", layers, want)
	}

	// geom is the exact WKB with an SRID, or NULL where PostGIS would
	// reject the shape.
	var same, nulls, total int
	if err := db.QueryRow(ctx, `SELECT count(*) FILTER (WHERE ST_AsBinary(geom, 'NDR') = wkb), count(*) FILTER (WHERE geom IS NULL), count(*) FROM roads`).
		Scan(&same, &nulls, &total); err != nil {
		t.Fatal(err)
	}
	if same != len(ws.Roads)-1 || nulls != 1 || total != len(ws.Roads) {
		t.Errorf("roads: %d geoms equal to wkb, %d NULL, %d rows; want %d, 1, %d", same, nulls, total, len(ws.Roads)-1, len(ws.Roads))
	}
	if err := db.QueryRow(ctx, `SELECT count(*) FILTER (WHERE ST_AsBinary(geom, 'NDR') = wkb AND ST_SRID(geom) = 4326), count(*) FROM buildings`).
		Scan(&same, &total); err != nil || same != len(ws.Buildings) || total != len(ws.Buildings) {
		t.Errorf("buildings: %d of %d geoms equal to wkb (%v); want %d", same, total, err, len(ws.Buildings))
	}

	// A bbox query through the GiST index returns exactly the rows whose
	// box meets the query box.
	q := geo.Bound{Min: geo.Point{Lon: ws.Bound.Min.Lon + 0.01, Lat: ws.Bound.Min.Lat + 0.01},
		Max: geo.Point{Lon: ws.Bound.Min.Lon + 0.03, Lat: ws.Bound.Min.Lat + 0.025}}
	wantCams, wantBldg := boxIDs(ws, "cameras", q), boxIDs(ws, "buildings", q)
	if len(wantCams) == 0 || len(wantBldg) < 100 || len(wantBldg) == len(ws.Buildings) {
		t.Fatalf("query box selects %d cameras, %d of %d buildings: not a useful test", len(wantCams), len(wantBldg), len(ws.Buildings))
	}
	conn, err := db.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "ANALYZE; SET enable_seqscan = off"); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		table string
		want  []int64
	}{{"cameras", wantCams}, {"buildings", wantBldg}} {
		const bbox = ` FROM %s WHERE geom && ST_MakeEnvelope($1, $2, $3, $4, 4326)`
		sql := strings.Replace(bbox, "%s", tc.table, 1)
		var plan strings.Builder
		rows, _ := conn.Query(ctx, "EXPLAIN SELECT id"+sql, q.Min.Lon, q.Min.Lat, q.Max.Lon, q.Max.Lat)
		lines, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			t.Fatal(err)
		}
		plan.WriteString(strings.Join(lines, "\n"))
		if !strings.Contains(plan.String(), tc.table+"_geom_idx") {
			t.Errorf("%s bbox query does not use the GiST index:\n%s", tc.table, plan.String())
		}
		rows, _ = conn.Query(ctx, "SELECT id"+sql+" ORDER BY id", q.Min.Lon, q.Min.Lat, q.Max.Lon, q.Max.Lat)
		got, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			t.Fatal(err)
		}
		// && compares float4 boxes rounded outwards, so rows whose box ends
		// within float4 precision (~1e-5° here) of the query may join in.
		near := map[int64]bool{}
		eps := 2e-5
		wide := geo.Bound{Min: geo.Point{Lon: q.Min.Lon - eps, Lat: q.Min.Lat - eps}, Max: geo.Point{Lon: q.Max.Lon + eps, Lat: q.Max.Lat + eps}}
		for _, id := range boxIDs(ws, tc.table, wide) {
			near[id] = true
		}
		slices.Sort(tc.want)
		extra := 0
		for _, id := range got {
			if _, ok := slices.BinarySearch(tc.want, id); !ok {
				extra++
				if !near[id] {
					t.Errorf("%s && box returned id %d, which lies outside the box", tc.table, id)
				}
			}
		}
		if len(got)-extra != len(tc.want) || extra > 3 {
			t.Errorf("%s && box: %d ids (%d extra at the float4 edge), want %d", tc.table, len(got), extra, len(tc.want))
		}
	}
	t.Logf("bbox: %d cameras, %d buildings via GiST", len(wantCams), len(wantBldg))
}

// boxIDs returns the ids of the cameras or buildings whose bounding box
// meets q.
func boxIDs(ws *planner.Workspace, table string, q geo.Bound) []int64 {
	meets := func(bb geo.Bound) bool {
		return bb.Min.Lon <= q.Max.Lon && bb.Max.Lon >= q.Min.Lon && bb.Min.Lat <= q.Max.Lat && bb.Max.Lat >= q.Min.Lat
	}
	var ids []int64
	if table == "cameras" {
		for _, c := range ws.Cameras {
			if meets(geo.Bound{Min: c.Location, Max: c.Location}) {
				ids = append(ids, c.ID)
			}
		}
		return ids
	}
	for _, b := range ws.Buildings {
		if meets(b.Polygon.Bound()) {
			ids = append(ids, b.ID)
		}
	}
	return ids
}

func TestMigrations(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Start(t)
	// Four servers starting at once: the advisory lock lets one migrate.
	var wg sync.WaitGroup
	errs := make([]error, 4)
	for i := range errs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(ctx, dsn)
			if err == nil {
				s.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("concurrent Open: %v", err)
	}
	s := mustOpen(t, dsn) // re-open is idempotent
	var v, n int
	if err := s.pool.QueryRow(ctx, "SELECT max(version), count(*) FROM schema_migrations").Scan(&v, &n); err != nil {
		t.Fatal(err)
	}
	if v != SchemaVersion() || n != SchemaVersion() || v < 1 {
		t.Fatalf("schema_migrations: max %d, %d rows; want %d", v, n, SchemaVersion())
	}
	// A database migrated by a newer build is refused with a clear message.
	if _, err := s.pool.Exec(ctx, "INSERT INTO schema_migrations (version, name) VALUES ($1, 'future.sql')", SchemaVersion()+1); err != nil {
		t.Fatal(err)
	}
	_, err := Open(ctx, dsn)
	if planner.ErrorCode(err) != planner.EINVALID || !strings.Contains(err.Error(), "newer than this build") {
		t.Fatalf("Open(newer schema) = %v, want EINVALID 'newer than this build'", err)
	}

	// Steps apply in order; a failing step leaves the version where it was.
	fresh := mustOpen(t, pgtest.Start(t))
	if _, err := fresh.pool.Exec(ctx, "DROP TABLE schema_migrations"); err != nil {
		t.Fatal(err)
	}
	ms, err := loadMigrations(fstest.MapFS{
		"migrations/0002_b.sql": {Data: []byte("INSERT INTO t VALUES (2); ALTER TABLE t ADD COLUMN y text;")},
		"migrations/0001_a.sql": {Data: []byte("CREATE TABLE t (x integer); INSERT INTO t VALUES (1);")},
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, fresh.pool, ms); err != nil {
		t.Fatal(err)
	}
	var sum int
	if err := fresh.pool.QueryRow(ctx, "SELECT sum(x) FROM t WHERE y IS NULL").Scan(&sum); err != nil || sum != 3 {
		t.Fatalf("sum = %d, %v; want 3 (both migrations, in order)", sum, err)
	}
	ms = append(ms, migration{Version: 3, Name: "0003_bad.sql", SQL: "CREATE TABLE u (a int); SELECT nonsense FROM nowhere;"})
	if err := migrate(ctx, fresh.pool, ms); err == nil {
		t.Fatal("a failing migration reported success")
	}
	if err := fresh.pool.QueryRow(ctx, "SELECT max(version), (SELECT count(*) FROM pg_tables WHERE tablename = 'u') FROM schema_migrations").Scan(&v, &n); err != nil || v != 2 || n != 0 {
		t.Fatalf("after failed migration: version %d, table u %d (%v); want 2, 0", v, n, err)
	}
	if _, err := loadMigrations(fstest.MapFS{"migrations/0002_x.sql": {}}); err == nil {
		t.Fatal("a gap in migration versions was accepted")
	}
}

// TestTwoServers runs two Stores (two pools, as two servers would): one
// replaces A and B in turn while the other loads; every load is one whole
// workspace. Then both replace at once and the result is one of them.
func TestTwoServers(t *testing.T) {
	ctx := context.Background()
	s1, dsn := openFresh(t)
	s2 := mustOpen(t, dsn)
	a, b := storetest.Sample(31, 3000), storetest.Sample(32, 1200)
	wantA, wantB := storetest.Normalized(a), storetest.Normalized(b)
	if err := s1.ReplaceWorkspace(ctx, a); err != nil {
		t.Fatal(err)
	}
	stop := make(chan struct{})
	var replaces int
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if err := s1.ReplaceWorkspace(ctx, []*planner.Workspace{b, a}[i%2]); err != nil {
				t.Errorf("server 1 ReplaceWorkspace: %v", err)
				return
			}
			replaces++
		}
	}()
	seen := map[string]int{}
	for range 25 {
		got, err := s2.LoadWorkspace(ctx)
		if err != nil {
			t.Fatalf("server 2 LoadWorkspace: %v", err)
		}
		switch {
		case storetest.Diff(got, wantA) == "":
			seen["A"]++
		case storetest.Diff(got, wantB) == "":
			seen["B"]++
		default:
			t.Fatalf("server 2 loaded neither workspace: vs A: %s; vs B: %s", storetest.Diff(got, wantA), storetest.Diff(got, wantB))
		}
	}
	close(stop)
	wg.Wait()
	t.Logf("server 2 loads: %v while server 1 replaced %d times", seen, replaces)
	if replaces < 2 {
		t.Errorf("only %d replaces ran during the loads", replaces)
	}

	// Both servers replace at once: the advisory lock serialises them.
	for range 3 {
		errs := make(chan error, 2)
		go func() { errs <- s1.ReplaceWorkspace(ctx, a) }()
		go func() { errs <- s2.ReplaceWorkspace(ctx, b) }()
		if err := errors.Join(<-errs, <-errs); err != nil {
			t.Fatalf("concurrent replaces: %v", err)
		}
		got, err := s1.LoadWorkspace(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if storetest.Diff(got, wantA) != "" && storetest.Diff(got, wantB) != "" {
			t.Fatalf("after concurrent replaces the store holds neither workspace: %s", storetest.Diff(got, wantA))
		}
	}

	// Both servers edit the camera they loaded at one version: the
	// store_revision row lock serialises them, so exactly one wins and the
	// other gets ECONFLICT, and each server sees the other's revision.
	for round := range 5 {
		ws, err := s2.LoadWorkspace(ctx)
		if err != nil {
			t.Fatal(err)
		}
		r1, r2 := mustRev(t, s1), mustRev(t, s2)
		if r1 != ws.Revision || r2 != ws.Revision {
			t.Fatalf("round %d: revisions %d (server 1), %d (server 2), loaded %d; want equal", round, r1, r2, ws.Revision)
		}
		cam := ws.Cameras[round]
		errs := make([]error, 2)
		var wg sync.WaitGroup
		for i, s := range []*Store{s1, s2} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				c := cam
				c.Name = fmt.Sprintf("server %d round %d", i+1, round)
				_, _, errs[i] = s.ApplyEdits(planner.WithActor(ctx, c.Name), []planner.Edit{
					{Op: planner.OpUpdate, Kind: planner.KindCamera, ID: cam.ID, Version: cam.Version, Camera: &c}})
			}()
		}
		wg.Wait()
		codes := []string{planner.ErrorCode(errs[0]), planner.ErrorCode(errs[1])}
		slices.Sort(codes)
		if codes[0] != "" || codes[1] != planner.ECONFLICT {
			t.Fatalf("round %d: two servers updating camera %d v%d: %v; want one success and one %s", round, cam.ID, cam.Version, errs, planner.ECONFLICT)
		}
		winner := 0
		if errs[0] != nil {
			winner = 1
		}
		got, err := []*Store{s1, s2}[1-winner].LoadWorkspace(ctx)
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("server %d round %d", winner+1, round)
		if c := got.Cameras[round]; c.Name != want || c.Version != ws.Revision+1 || got.Revision != ws.Revision+1 {
			t.Fatalf("round %d: the other server loads camera %q v%d at revision %d; want %q v%d", round, c.Name, c.Version, got.Revision, want, ws.Revision+1)
		}
	}
	// Server 1 writes; server 2 sees the revision grow.
	before := mustRev(t, s2)
	if _, _, err := s1.ApplyEdits(ctx, []planner.Edit{{Op: planner.OpCreate, Kind: planner.KindKiosk,
		Kiosk: &planner.Kiosk{Name: "new post", Location: geo.Point{Lon: 114.3, Lat: 30.5}}}}); err != nil {
		t.Fatal(err)
	}
	if after := mustRev(t, s2); after != before+1 {
		t.Fatalf("server 2 sees revision %d after server 1 edited at %d; want %d", after, before, before+1)
	}
	if err := s1.ReplaceWorkspace(ctx, b); err != nil {
		t.Fatal(err)
	}
	if after := mustRev(t, s2); after != before+2 {
		t.Fatalf("server 2 sees revision %d after server 1 imported; want %d", after, before+2)
	}

	// Edits on one server and imports on the other at once: no deadlock,
	// no error, and every write gets its own revision.
	start := mustRev(t, s1)
	const nEdits, nImports = 20, 3
	errc := make(chan error, nEdits+nImports)
	var wg2 sync.WaitGroup
	wg2.Add(2)
	go func() {
		defer wg2.Done()
		for i := range nEdits {
			_, _, err := s1.ApplyEdits(ctx, []planner.Edit{{Op: planner.OpCreate, Kind: planner.KindCamera,
				Camera: &planner.Camera{Name: fmt.Sprint("cam ", i), Location: geo.Point{Lon: 114.3, Lat: 30.5}, FOVDeg: 60, RangeM: 40}}})
			errc <- err
		}
	}()
	go func() {
		defer wg2.Done()
		for i := range nImports {
			errc <- s2.ReplaceWorkspace(ctx, []*planner.Workspace{a, b}[i%2])
		}
	}()
	wg2.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Fatalf("concurrent edits and imports: %v", err)
		}
	}
	if end := mustRev(t, s2); end != start+nEdits+nImports {
		t.Fatalf("revision %d after %d edits and %d imports from %d; want %d", end, nEdits, nImports, start, start+nEdits+nImports)
	}
}

func mustRev(t *testing.T, s *Store) int64 {
	t.Helper()
	r, err := s.Revision(context.Background())
	if err != nil {
		t.Fatalf("Revision: %v", err)
	}
	return r
}

// TestExactValuesPostGISCannotIndex round-trips shapes the geometry
// columns cannot hold: the exact columns keep them.
func TestExactValuesPostGISCannotIndex(t *testing.T) {
	ctx := context.Background()
	s, _ := openFresh(t)
	ws := storetest.Sample(41, 20)
	ws.Roads[0].Geometry = geo.LineString{{Lon: 1, Lat: 2}}
	ws.Roads[1].Geometry = nil
	ws.Buildings[0].Polygon = geo.Polygon{{{Lon: 1, Lat: 1}, {Lon: 2, Lat: 1}, {Lon: 2, Lat: 2}}} // not closed
	ws.Buildings[1].Polygon = geo.Polygon{{{Lon: 0, Lat: 0}, {Lon: 1, Lat: 0}, {Lon: 1, Lat: 1}, {Lon: 0, Lat: 0}}, nil}
	ws.Incidents[0].Time = time.Date(1, 1, 1, 0, 0, 0, 999, time.UTC)
	ws.Incidents[1].Time = time.Date(1969, 12, 31, 23, 59, 59, 123456789, time.FixedZone("CST", 8*3600))
	if err := s.ReplaceWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	got, err := s.LoadWorkspace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := storetest.Diff(got, storetest.Normalized(ws)); d != "" {
		t.Fatal(d)
	}
	var nulls int
	if err := s.pool.QueryRow(ctx, "SELECT (SELECT count(*) FROM roads WHERE geom IS NULL) + (SELECT count(*) FROM buildings WHERE geom IS NULL)").Scan(&nulls); err != nil || nulls != 4 {
		t.Fatalf("%d NULL geoms (%v), want 4", nulls, err)
	}
	// Text PostgreSQL cannot hold is EINVALID, and the store is unchanged.
	bad := storetest.Sample(42, 20)
	bad.Cameras[0].Name = "nul\x00byte"
	if err := s.ReplaceWorkspace(ctx, bad); planner.ErrorCode(err) != planner.EINVALID {
		t.Fatalf("NUL in text: %v, want EINVALID", err)
	}
	if got, err = s.LoadWorkspace(ctx); err != nil || storetest.Diff(got, storetest.Normalized(ws)) != "" {
		t.Fatalf("store changed by a failed replace (%v)", err)
	}
}

// baltimore assembles the Baltimore downtown workspace as `tidewatch
// import --osm` does (OSM cameras, police, sites; generated grids).
func baltimore(tb testing.TB) *planner.Workspace {
	tb.Helper()
	ex, err := osm.ReadFile(context.Background(), sharedtest.Path(tb, "osm/baltimore_downtown.osm.pbf"), osm.Options{})
	if err != nil {
		tb.Fatal(err)
	}
	ws, _, err := planner.Assemble(context.Background(), planner.Parts{Name: "baltimore_downtown",
		Roads: ex.Roads, Buildings: ex.Buildings, OSMKiosks: ex.Kiosks, OSMCameras: ex.Cameras, OSMSites: ex.Sites,
	}, planner.AssembleOptions{})
	if err != nil {
		tb.Fatal(err)
	}
	return ws
}

// benchWorkspaces are the two benchmark inputs.
func benchWorkspaces(b *testing.B) map[string]func(b *testing.B) *planner.Workspace {
	return map[string]func(b *testing.B) *planner.Workspace{
		"baltimore":  func(b *testing.B) *planner.Workspace { return baltimore(b) },
		"sample100k": func(*testing.B) *planner.Workspace { return storetest.Sample(11, 100000) },
	}
}

func benchStore(b *testing.B, open func(b *testing.B) planner.Store, load bool) {
	for _, name := range []string{"baltimore", "sample100k"} {
		b.Run(name, func(b *testing.B) {
			ws := benchWorkspaces(b)[name](b)
			s := open(b)
			defer s.Close()
			ctx := context.Background()
			if err := s.ReplaceWorkspace(ctx, ws); err != nil {
				b.Fatal(err)
			}
			pg, _ := s.(*Store)
			for b.Loop() {
				if pg != nil && !load && os.Getenv("TIDEWATCH_BENCH_NOVACUUM") == "" {
					// Steady state: autovacuum has removed the previous
					// replace's dead rows (each replace deletes every row).
					b.StopTimer()
					if _, err := pg.pool.Exec(ctx, "VACUUM"); err != nil {
						b.Fatal(err)
					}
					b.StartTimer()
				}
				if load {
					if _, err := s.LoadWorkspace(ctx); err != nil {
						b.Fatal(err)
					}
				} else if err := s.ReplaceWorkspace(ctx, ws); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(len(ws.Roads)), "roads")
			b.ReportMetric(float64(len(ws.Buildings)), "buildings")
		})
	}
}

func openPostGIS(b *testing.B) planner.Store {
	s, err := Open(context.Background(), pgtest.Start(b))
	if err != nil {
		b.Fatal(err)
	}
	return s
}

func openSQLite(b *testing.B) planner.Store {
	s, err := sqlite.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"))
	if err != nil {
		b.Fatal(err)
	}
	return s
}

// BenchmarkReplaceWorkspacePostGIS and BenchmarkReplaceWorkspaceSQLite
// store the same workspaces (Baltimore downtown; storetest.Sample with
// 100000 roads and 50000 buildings) in each store.
func BenchmarkReplaceWorkspacePostGIS(b *testing.B) { benchStore(b, openPostGIS, false) }
func BenchmarkReplaceWorkspaceSQLite(b *testing.B)  { benchStore(b, openSQLite, false) }
func BenchmarkLoadWorkspacePostGIS(b *testing.B)    { benchStore(b, openPostGIS, true) }
func BenchmarkLoadWorkspaceSQLite(b *testing.B)     { benchStore(b, openSQLite, true) }
