package sqlite

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/tidewatch/tidewatch/planner"
	"github.com/tidewatch/tidewatch/planner/storetest"
)

func openTemp(t testing.TB) (*Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tidewatch #1?.db") // characters a URI filename must escape
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s, path
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) planner.Store {
		s, _ := openTemp(t)
		return s
	})
}

func TestReopenKeepsData(t *testing.T) {
	s, path := openTemp(t)
	ws := storetest.Sample(7, 500)
	if err := s.ReplaceWorkspace(context.Background(), ws); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	got, err := s2.LoadWorkspace(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if d := storetest.Diff(got, storetest.Normalized(ws)); d != "" {
		t.Fatal(d)
	}
	var mode string
	if err := s2.db.QueryRow("PRAGMA journal_mode").Scan(&mode); err != nil || mode != "wal" {
		t.Errorf("journal_mode = %q, %v; want wal", mode, err)
	}
	var fk int
	if err := s2.db.QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d, %v; want 1", fk, err)
	}
}

func TestSchemaVersion(t *testing.T) {
	s, path := openTemp(t)
	var v, n int
	if err := s.db.QueryRow("SELECT max(version), count(*) FROM schema_migrations").Scan(&v, &n); err != nil {
		t.Fatal(err)
	}
	if v != SchemaVersion() || n != SchemaVersion() {
		t.Fatalf("schema_migrations: max %d, %d rows; want %d", v, n, SchemaVersion())
	}
	// Re-opening applies nothing twice.
	s.Close()
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.db.QueryRow("SELECT count(*) FROM schema_migrations").Scan(&n); err != nil || n != SchemaVersion() {
		t.Fatalf("after reopen: %d rows, %v", n, err)
	}
	// A file written by a newer build is refused with a clear message.
	if _, err := s.db.Exec("INSERT INTO schema_migrations VALUES (?, 'future.sql', '2099-01-01T00:00:00Z')", SchemaVersion()+1); err != nil {
		t.Fatal(err)
	}
	s.Close()
	_, err = Open(context.Background(), path)
	if planner.ErrorCode(err) != planner.EINVALID || !strings.Contains(err.Error(), "newer than this build") {
		t.Fatalf("Open(newer schema) = %v, want EINVALID 'newer than this build'", err)
	}
}

func TestMigrationsAppliedInOrder(t *testing.T) {
	fsys := fstest.MapFS{
		"migrations/0002_b.sql": {Data: []byte("INSERT INTO t VALUES (2); ALTER TABLE t ADD COLUMN y TEXT;")},
		"migrations/0001_a.sql": {Data: []byte("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1);")},
	}
	ms, err := loadMigrations(fsys)
	if err != nil {
		t.Fatal(err)
	}
	s, _ := openTemp(t)
	defer s.Close()
	// Reuse the connection pool on a fresh file to apply the test migrations.
	db := s.db
	if _, err := db.Exec("DROP TABLE schema_migrations"); err != nil {
		t.Fatal(err)
	}
	if err := migrate(context.Background(), db, ms); err != nil {
		t.Fatal(err)
	}
	var sum int
	if err := db.QueryRow("SELECT sum(x) FROM t WHERE y IS NULL").Scan(&sum); err != nil || sum != 3 {
		t.Fatalf("sum = %d, %v; want 3 (both migrations, in order)", sum, err)
	}
	// A migration that fails leaves the version where it was.
	ms = append(ms, migration{Version: 3, Name: "0003_bad.sql", SQL: "CREATE TABLE u (a); SELECT nonsense FROM nowhere;"})
	if err := migrate(context.Background(), db, ms); err == nil {
		t.Fatal("a failing migration reported success")
	}
	var v int
	if err := db.QueryRow("SELECT max(version) FROM schema_migrations").Scan(&v); err != nil || v != 2 {
		t.Fatalf("version after failed migration = %d, %v; want 2", v, err)
	}
	if err := db.QueryRow("SELECT count(*) FROM sqlite_master WHERE name = 'u'").Scan(&v); err != nil || v != 0 {
		t.Fatalf("failed migration left table u behind (%d, %v)", v, err)
	}
	if _, err := loadMigrations(fstest.MapFS{"migrations/0002_x.sql": {}}); err == nil {
		t.Fatal("a gap in migration versions was accepted")
	}
}

func TestReplaceLargeWorkspace(t *testing.T) {
	if testing.Short() {
		t.Skip("large workspace")
	}
	s, _ := openTemp(t)
	defer s.Close()
	ws := storetest.Sample(9, 200000)
	vertices := 0
	for _, b := range ws.Buildings {
		for _, r := range b.Polygon {
			vertices += len(r)
		}
	}
	start := time.Now()
	if err := s.ReplaceWorkspace(context.Background(), ws); err != nil {
		t.Fatal(err)
	}
	replace := time.Since(start)
	start = time.Now()
	got, err := s.LoadWorkspace(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	load := time.Since(start)
	if d := storetest.Diff(got, storetest.Normalized(ws)); d != "" {
		t.Fatal(d)
	}
	t.Logf("%d roads, %d buildings (%d vertices): replace %v, load %v", len(ws.Roads), len(ws.Buildings), vertices, replace, load)
	if replace > 60*time.Second {
		t.Errorf("ReplaceWorkspace took %v", replace)
	}
}

// BenchmarkReplaceWorkspace stores 100000 roads and 50000 buildings
// (~525000 building vertices) per iteration.
func BenchmarkReplaceWorkspace(b *testing.B) {
	s, _ := openTemp(b)
	defer s.Close()
	ws := storetest.Sample(11, 100000)
	for b.Loop() {
		if err := s.ReplaceWorkspace(context.Background(), ws); err != nil {
			b.Fatal(err)
		}
	}
}
