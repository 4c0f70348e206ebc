package main

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/gob"
	"encoding/hex"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tidewatch/tidewatch/data/postgis/pgtest"
	"github.com/tidewatch/tidewatch/planner"
	"github.com/tidewatch/tidewatch/planner/storetest"
)

// crashIncidents is how many incidents the big import stores: enough for
// its write transaction to last a good part of a second.
const crashIncidents = 120_000

// writeIncidentsCSV writes n synthetic incidents over downtown Baltimore.
func writeIncidentsCSV(t *testing.T, path string, n int) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	w := bufio.NewWriter(f)
	rng := rand.New(rand.NewPCG(6, 6))
	fmt.Fprintln(w, "lat,lon,time,category,weight")
	for range n {
		fmt.Fprintf(w, "%.6f,%.6f,2026-%02d-%02dT%02d:%02d:00Z,theft,1\n", 39.28+rng.Float64()*0.02, -76.62+rng.Float64()*0.03,
			1+rng.IntN(12), 1+rng.IntN(28), rng.IntN(24), rng.IntN(60))
	}
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}

// storedState is a store's workspace: its counts, revision and checksums
// of the whole workspace with and without revision and versions.
type storedState struct {
	counts      planner.Counts
	revision    int64
	sum         string // everything, revision and versions included
	unversioned string
}

func checksum(t *testing.T, ws *planner.Workspace) string {
	t.Helper()
	h := sha256.New()
	if err := gob.NewEncoder(h).Encode(ws); err != nil {
		t.Fatalf("gob: %v", err)
	}
	return hex.EncodeToString(h.Sum(nil))
}

// readState opens db as a server would (migrations included) and reads it.
func readState(t *testing.T, db string) storedState {
	t.Helper()
	ctx := context.Background()
	st, err := openStore(ctx, db)
	if err != nil {
		t.Fatalf("open %s after the crash: %v", db, err)
	}
	defer st.Close()
	ws, err := st.LoadWorkspace(ctx)
	if err != nil {
		t.Fatalf("load after the crash: %v", err)
	}
	rev, err := st.Revision(ctx)
	if err != nil || rev != ws.Revision {
		t.Fatalf("Revision %d, %v; loaded revision %d", rev, err, ws.Revision)
	}
	return storedState{counts: ws.Counts(), revision: ws.Revision, sum: checksum(t, ws), unversioned: checksum(t, storetest.Unversioned(ws))}
}

// killStage is one point at which the big import is killed.
type killStage struct {
	name string
	// writing reports whether the import process is now inside its write
	// transaction, as far as this stage wants it.
	writing func() bool
	// mustBeOld: a kill at this stage is surely before the commit.
	mustBeOld bool
}

// TestCrashDuringImport kills `tidewatch import` (SIGKILL) while it writes
// a big workspace over a smaller one, in SQLite and in PostGIS: the store
// opens (migrations included) and holds either the complete previous
// workspace or the complete new one, never a mix.
func TestCrashDuringImport(t *testing.T) {
	if testing.Short() {
		t.Skip("imports a large workspace several times")
	}
	bin := buildTidewatch(t)
	data := sharedData(t)
	osmPath := filepath.Join(data, "osm", "baltimore_downtown.osm.pbf")
	oldArgs := []string{"--osm", osmPath, "--cameras", filepath.Join(data, "incidents", "baltimore_cctv_locations_2014.csv")}
	incidents := filepath.Join(t.TempDir(), "incidents.csv")
	writeIncidentsCSV(t, incidents, crashIncidents)
	bigArgs := []string{"--osm", osmPath, "--incidents", incidents, "--name", "big"}

	t.Run("sqlite", func(t *testing.T) {
		db := filepath.Join(t.TempDir(), "ws.db")
		wal := func(min int64) func() bool {
			return func() bool {
				fi, err := os.Stat(db + "-wal")
				return err == nil && fi.Size() >= min
			}
		}
		crashImport(t, bin, db, oldArgs, bigArgs, []killStage{
			{"early (WAL ≥ 64 KiB)", wal(64 << 10), true},
			{"midway (WAL ≥ 4 MiB)", wal(4 << 20), false},
		})
	})
	t.Run("postgis", func(t *testing.T) {
		dsn := pgtest.Start(t)
		conn, err := pgx.Connect(context.Background(), dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close(context.Background())
		copying := func(table string) func() bool {
			return func() bool {
				var n int
				err := conn.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity
					WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active'
					AND query ILIKE 'copy%' AND query ILIKE '%' || $1 || '%'`, table).Scan(&n)
				return err == nil && n > 0
			}
		}
		crashImport(t, bin, dsn, oldArgs, bigArgs, []killStage{
			{"copying roads", copying(`"roads"`), false},
			{"copying incidents", copying(`"incidents"`), false},
		})
	})
}

// crashImport stores the old workspace in db, then for each stage starts
// the big import, kills it at the stage, and checks the store; finally it
// runs the big import to its end and checks that every crash left the old
// or the new workspace whole.
func crashImport(t *testing.T, bin, db string, oldArgs, bigArgs []string, stages []killStage) {
	importJSON(t, append([]string{"--db", db}, oldArgs...)...)
	old := readState(t, db)
	t.Logf("previous workspace: %+v revision %d", old.counts, old.revision)
	var after []storedState
	for _, st := range stages {
		cmd := exec.Command(bin, append([]string{"import", "--db", db, "--json"}, bigArgs...)...)
		stderr := &syncBuffer{}
		cmd.Stderr = stderr
		start := time.Now()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		killed := false
	poll:
		for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); {
			select {
			case err := <-exited:
				t.Fatalf("%s: the import ended (%v) before it could be killed; stderr:\n%s", st.name, err, stderr)
			default:
			}
			if st.writing() {
				_ = cmd.Process.Kill() // SIGKILL: no deferred cleanup, no rollback by the process
				killed = true
				break poll
			}
			time.Sleep(time.Millisecond)
		}
		if !killed {
			_ = cmd.Process.Kill()
			t.Fatalf("%s: the import never reached the stage; stderr:\n%s", st.name, stderr)
		}
		<-exited
		t.Logf("%s: killed after %v", st.name, time.Since(start).Round(time.Millisecond))
		got := readState(t, db)
		if st.mustBeOld && got.sum != old.sum {
			t.Errorf("%s: after the crash the store is not the previous workspace: %+v revision %d", st.name, got.counts, got.revision)
		}
		after = append(after, got)
		// Opening and migrating still work from the command line.
		if out, err := exec.Command(bin, "migrate", "--db", db).CombinedOutput(); err != nil || !strings.Contains(string(out), "up to date") {
			t.Fatalf("%s: migrate after the crash: %v\n%s", st.name, err, out)
		}
	}
	out, err := exec.Command(bin, append([]string{"import", "--db", db, "--json"}, bigArgs...)...).Output()
	if err != nil {
		t.Fatalf("the big import: %v", err)
	}
	t.Logf("big import: %s", strings.TrimSpace(string(out)))
	big := readState(t, db)
	if big.counts.Incidents != crashIncidents || big.revision <= old.revision {
		t.Fatalf("after the big import: %+v revision %d", big.counts, big.revision)
	}
	for i, got := range after {
		switch {
		case got.sum == old.sum:
			t.Logf("%s: the previous workspace, whole", stages[i].name)
		case got.unversioned == big.unversioned && got.revision > old.revision:
			t.Logf("%s: the new workspace, whole (the commit came first)", stages[i].name)
		default:
			t.Errorf("%s: after the crash the store holds neither workspace whole: %+v revision %d (previous %+v revision %d, new %+v)",
				stages[i].name, got.counts, got.revision, old.counts, old.revision, big.counts)
		}
	}
}
