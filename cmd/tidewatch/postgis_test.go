package main

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/tidewatch/tidewatch/data/postgis"
	"github.com/tidewatch/tidewatch/data/postgis/pgtest"
)

// TestMain stops the throw-away PostgreSQL cluster (pgtest) when the tests
// end. It is this package's only TestMain.
func TestMain(m *testing.M) { pgtest.Main(m) }

// TestImportBaltimorePostGIS imports Baltimore into PostgreSQL and into
// SQLite from the same files: both stores load back the same counts.
func TestImportBaltimorePostGIS(t *testing.T) {
	dsn := pgtest.Start(t)
	data := sharedData(t)
	osmPath := filepath.Join(data, "osm", "baltimore_downtown.osm.pbf")
	cams := filepath.Join(data, "incidents", "baltimore_cctv_locations_2014.csv")
	incidents := filepath.Join(data, "incidents", "baltimore_incidents_merged.csv")
	args := []string{"--osm", osmPath, "--cameras", cams, "--incidents", incidents}

	out, stderr, err := run(t, "migrate", "--db", dsn)
	if err != nil || strings.TrimSpace(out) != "postgis schema version "+strconv.Itoa(postgis.SchemaVersion())+" (up to date)" {
		t.Fatalf("migrate: %q, %v\n%s", out, err, stderr)
	}
	pg := importJSON(t, append([]string{"--db", dsn}, args...)...)
	db := filepath.Join(t.TempDir(), "baltimore.db")
	lite := importJSON(t, append([]string{"--db", db}, args...)...)
	if pg != lite {
		t.Fatalf("printed counts differ: postgis %+v, sqlite %+v", pg, lite)
	}
	gotPG, gotLite := loadCounts(t, dsn), loadCounts(t, db)
	if gotPG != gotLite || gotPG != pg {
		t.Fatalf("loaded counts: postgis %+v, sqlite %+v, printed %+v", gotPG, gotLite, pg)
	}
	if pg.Cameras != 614 || pg.Incidents != 11542 || pg.Kiosks != 5 || pg.RoadEdges < 1000 {
		t.Errorf("implausible counts %+v", pg)
	}
	t.Logf("baltimore in PostGIS: %+v", pg)

	// A second migrate is a no-op; sqlite files migrate the same way.
	if out, _, err := run(t, "migrate", "--db", dsn); err != nil || !strings.Contains(out, "up to date") {
		t.Fatalf("second migrate: %q, %v", out, err)
	}
	if out, _, err := run(t, "migrate", "--db", db); err != nil || !strings.HasPrefix(out, "sqlite schema version ") {
		t.Fatalf("migrate sqlite: %q, %v", out, err)
	}
	if _, _, err := run(t, "migrate"); err == nil || exitCode(err) != 2 {
		t.Fatalf("migrate without --db: %v, want a usage error", err)
	}

	// serve reads the same database.
	addr, _, done, cancel := startServe(t, dsn)
	if got := metaCounts(t, addr); got != pg {
		t.Errorf("serve --db postgres://: meta counts %+v, want %+v", got, pg)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("serve shutdown: %v", err)
	}
}
