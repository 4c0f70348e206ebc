package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
	"github.com/tidewatch/tidewatch/planner/storetest"
)

// Two stores on one file stand for two server processes: their editors
// serialise on SQLite's write lock (BEGIN IMMEDIATE, busy timeout), not on
// the in-process lock, and still no update is lost.
func TestConcurrentEditorsTwoProcesses(t *testing.T) {
	ctx := context.Background()
	a, path := openTemp(t)
	defer a.Close()
	b, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if err := a.ReplaceWorkspace(ctx, storetest.Sample(3, 30)); err != nil {
		t.Fatal(err)
	}
	ws, err := b.LoadWorkspace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cam := ws.Cameras[0]
	var wg sync.WaitGroup
	var mu sync.Mutex
	wins, conflicts := 0, 0
	for i := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := cam
			c.Name = fmt.Sprintf("editor %d", i)
			_, _, err := []*Store{a, b}[i%2].ApplyEdits(ctx, []planner.Edit{{Op: planner.OpUpdate, Kind: planner.KindCamera, ID: cam.ID, Version: cam.Version, Camera: &c}})
			mu.Lock()
			defer mu.Unlock()
			switch planner.ErrorCode(err) {
			case "":
				wins++
			case planner.ECONFLICT:
				conflicts++
			default:
				t.Errorf("editor %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if wins != 1 || conflicts != 15 {
		t.Fatalf("16 editors in two processes: %d won, %d conflicted; want 1 and 15", wins, conflicts)
	}
	if r, err := a.Revision(ctx); err != nil || r != ws.Revision+1 {
		t.Fatalf("Revision = %d, %v; want %d", r, err, ws.Revision+1)
	}
}

// Units: shifts follow their unit through create, update and delete;
// created IDs continue from the largest, never below 1.
func TestEditUnitsAndIDs(t *testing.T) {
	ctx := context.Background()
	s, _ := openTemp(t)
	defer s.Close()
	ws := storetest.Sample(5, 20)
	for i := range ws.Kiosks {
		ws.Kiosks[i].ID = int64(-10 - i) // all negative: the next kiosk is 1
	}
	if err := s.ReplaceWorkspace(ctx, ws); err != nil {
		t.Fatal(err)
	}
	base, err := s.LoadWorkspace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	u0, u1 := base.Units[0], base.Units[1]
	edits := []planner.Edit{
		{Op: planner.OpCreate, Kind: planner.KindUnit, Unit: &planner.Unit{Name: "夜巡", Kind: planner.UnitFoot, HomeKiosk: -10,
			Shifts: []planner.Shift{{Start: 1320, End: 120}, {Start: 600, End: 660}}}},
		{Op: planner.OpDelete, Kind: planner.KindUnit, ID: u0.ID, Version: u0.Version},
		{Op: planner.OpUpdate, Kind: planner.KindUnit, ID: u1.ID, Version: u1.Version, Unit: &planner.Unit{Name: "改", Kind: planner.UnitCar}},
		{Op: planner.OpCreate, Kind: planner.KindKiosk, Kiosk: &planner.Kiosk{Name: "新", Location: geo.Point{Lon: 117.2, Lat: 39.1}}},
		{Op: planner.OpCreate, Kind: planner.KindUnit, Unit: &planner.Unit{Name: "再", Kind: planner.UnitVolunteer}},
	}
	rev, applied, err := s.ApplyEdits(ctx, edits)
	if err != nil {
		t.Fatal(err)
	}
	want, wantApplied, err := planner.ApplyEdits(base, rev, edits)
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.LoadWorkspace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := storetest.Diff(got, storetest.Normalized(want)); d != "" {
		t.Fatal(d)
	}
	for i := range applied {
		if applied[i].ID != wantApplied[i].ID || applied[i].Version != rev {
			t.Errorf("applied[%d] = %d v%d, want %d v%d", i, applied[i].ID, applied[i].Version, wantApplied[i].ID, rev)
		}
	}
	if applied[3].ID != 1 {
		t.Errorf("kiosk created after only negative IDs got ID %d, want 1", applied[3].ID)
	}
	var orphans int
	if err := s.db.QueryRow(`SELECT count(*) FROM unit_shifts WHERE unit_id NOT IN (SELECT id FROM units)`).Scan(&orphans); err != nil || orphans != 0 {
		t.Fatalf("%d shifts of deleted units, %v", orphans, err)
	}
	// A refused batch and an empty one change nothing.
	_, _, err = s.ApplyEdits(ctx, []planner.Edit{
		{Op: planner.OpDelete, Kind: planner.KindUnit, ID: applied[0].ID, Version: rev},
		{Op: planner.OpDelete, Kind: planner.KindUnit, ID: u0.ID, Version: u0.Version},
	})
	if planner.ErrorCode(err) != planner.ENOTFOUND {
		t.Fatalf("delete of a deleted unit = %v, want %s", err, planner.ENOTFOUND)
	}
	if r, _, err := s.ApplyEdits(ctx, nil); err != nil || r != rev {
		t.Fatalf("ApplyEdits(nil) = %d, %v; want %d", r, err, rev)
	}
	again, err := s.LoadWorkspace(ctx)
	if err != nil || again.Revision != rev || storetest.Diff(again, got) != "" {
		t.Fatalf("refused or empty edits changed the store (revision %d, %v)", again.Revision, err)
	}
}

// A file written by schema version 1 (no versions, no revision) opens
// with its workspace at revision 1 and every record at version 1.
func TestMigrateVersion1File(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v1.db")
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		t.Fatal(err)
	}
	ms, err := loadMigrations(migrationFS)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, db, ms[:1]); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO workspace VALUES (1, 'old', 117, 39, 118, 40, '[]')`,
		`INSERT INTO cameras VALUES (7, 0, 'r', 'n', 117.5, 39.5, 'dome', 0.0, 360.0, 30.0, '[]', 'osm')`,
		`INSERT INTO kiosks VALUES (3, 0, 'k', 'k', 117.5, 39.5, 2, 1, 'file')`,
		`INSERT INTO units VALUES (4, 0, 'u', 'car', 3)`,
		`INSERT INTO unit_shifts VALUES (4, 1, 480, 1200)`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ws, err := s.LoadWorkspace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ws.Revision != 1 || ws.Cameras[0].Version != 1 || ws.Kiosks[0].Version != 1 || ws.Units[0].Version != 1 {
		t.Fatalf("after migration: revision %d, versions %d %d %d; want 1", ws.Revision, ws.Cameras[0].Version, ws.Kiosks[0].Version, ws.Units[0].Version)
	}
	u := ws.Units[0]
	u.Name = "new"
	rev, _, err := s.ApplyEdits(ctx, []planner.Edit{{Op: planner.OpUpdate, Kind: planner.KindUnit, ID: u.ID, Version: 1, Unit: &u}})
	if err != nil || rev != 2 {
		t.Fatalf("edit after migration: %d, %v", rev, err)
	}
	// An empty version-1 file starts at revision 0.
	empty, _ := openTemp(t)
	defer empty.Close()
	if r, err := empty.Revision(ctx); err != nil || r != 0 {
		t.Fatalf("Revision of a new file = %d, %v", r, err)
	}
}

// Secrets: session and share IDs must be token hashes, and the audit log
// never holds a password hash.
func TestAccessChecks(t *testing.T) {
	ctx := planner.WithActor(context.Background(), "admin")
	s, _ := openTemp(t)
	defer s.Close()
	u, err := s.CreateUser(ctx, planner.User{Name: "a", Role: planner.RoleAdmin, PasswordHash: "$argon2id$secret"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSession(ctx, planner.Session{ID: "raw-token", UserID: u.ID}); planner.ErrorCode(err) != planner.EINVALID {
		t.Fatalf("CreateSession(raw token) = %v, want %s", err, planner.EINVALID)
	}
	hash := "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	if err := s.CreateSession(ctx, planner.Session{ID: hash, UserID: u.ID + 100}); planner.ErrorCode(err) != planner.ENOTFOUND {
		t.Fatalf("CreateSession(unknown user) = %v, want %s", err, planner.ENOTFOUND)
	}
	if err := s.CreateShare(ctx, planner.ShareLink{ID: hash, PlanID: "none"}); planner.ErrorCode(err) != planner.ENOTFOUND {
		t.Fatalf("CreateShare(unknown plan) = %v, want %s", err, planner.ENOTFOUND)
	}
	if _, err := s.UpdateUser(ctx, planner.User{ID: u.ID + 100, Role: planner.RoleViewer, Version: 1}); planner.ErrorCode(err) != planner.ENOTFOUND {
		t.Fatalf("UpdateUser(unknown) = %v, want %s", err, planner.ENOTFOUND)
	}
	if err := s.AppendAudit(ctx, planner.AuditEntry{Action: "x", After: json.RawMessage("{not json")}); planner.ErrorCode(err) != planner.EINVALID {
		t.Fatalf("AppendAudit(bad JSON) = %v, want %s", err, planner.EINVALID)
	}
	var leaks int
	if err := s.db.QueryRow(`SELECT count(*) FROM audit WHERE coalesce(before, '') || coalesce(after, '') LIKE '%secret%'`).Scan(&leaks); err != nil || leaks != 0 {
		t.Fatalf("%d audit rows hold the password hash, %v", leaks, err)
	}
}
