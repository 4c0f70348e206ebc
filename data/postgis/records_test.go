package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"github.com/tidewatch/tidewatch/data/postgis/pgtest"
	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
	"github.com/tidewatch/tidewatch/planner/storetest"
)

// TestQGISReadableAfterEdits checks that edited and created cameras and
// kiosks show up in the geometry columns GIS tools read, at exactly their
// new positions.
func TestQGISReadableAfterEdits(t *testing.T) {
	ctx := context.Background()
	s, _ := openFresh(t)
	if err := s.ReplaceWorkspace(ctx, storetest.Sample(22, 200)); err != nil {
		t.Fatal(err)
	}
	ws, err := s.LoadWorkspace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	cam, kio := ws.Cameras[2], ws.Kiosks[0]
	moved := cam
	moved.Location = geo.Point{Lon: 114.123456789012, Lat: 30.987654321098}
	movedK := kio
	movedK.Location = geo.Point{Lon: -0.0, Lat: 51.4778}
	newCam := planner.Camera{Name: "新", Location: geo.Point{Lon: 114.5, Lat: 30.25}, Kind: planner.CameraPTZ, FOVDeg: 360, RangeM: 60}
	newK := planner.Kiosk{Name: "岗亭", Location: geo.Point{Lon: 114.75, Lat: 30.125}, Staff: 2}
	_, applied, err := s.ApplyEdits(ctx, []planner.Edit{
		{Op: planner.OpUpdate, Kind: planner.KindCamera, ID: cam.ID, Version: cam.Version, Camera: &moved},
		{Op: planner.OpUpdate, Kind: planner.KindKiosk, ID: kio.ID, Version: kio.Version, Kiosk: &movedK},
		{Op: planner.OpCreate, Kind: planner.KindCamera, Camera: &newCam},
		{Op: planner.OpCreate, Kind: planner.KindKiosk, Kiosk: &newK},
		{Op: planner.OpDelete, Kind: planner.KindCamera, ID: ws.Cameras[5].ID, Version: ws.Cameras[5].Version},
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		table string
		id    int64
		at    geo.Point
	}{
		{"cameras", cam.ID, moved.Location},
		{"kiosks", kio.ID, movedK.Location},
		{"cameras", applied[2].ID, newCam.Location},
		{"kiosks", applied[3].ID, newK.Location},
	} {
		var srid int
		var typ string
		var x, y float64
		err := s.pool.QueryRow(ctx, `SELECT ST_SRID(geom), GeometryType(geom), ST_X(geom), ST_Y(geom) FROM `+tc.table+` WHERE id = $1`, tc.id).
			Scan(&srid, &typ, &x, &y)
		if err != nil || srid != 4326 || typ != "POINT" || x != tc.at.Lon || y != tc.at.Lat {
			t.Errorf("%s %d geom: SRID %d %s (%v %v), %v; want 4326 POINT %v", tc.table, tc.id, srid, typ, x, y, err, tc.at)
		}
	}
	// Every row's geom equals its exact position; a bbox query through
	// the GiST index finds the moved camera.
	for _, table := range []string{"cameras", "kiosks"} {
		var same, total int
		if err := s.pool.QueryRow(ctx, `SELECT count(*) FILTER (WHERE ST_X(geom) = lon AND ST_Y(geom) = lat AND ST_SRID(geom) = 4326), count(*) FROM `+table).
			Scan(&same, &total); err != nil || same != total {
			t.Errorf("%s: %d of %d geoms equal lon, lat (%v)", table, same, total, err)
		}
	}
	var id int64
	if err := s.pool.QueryRow(ctx, `SELECT id FROM cameras WHERE geom && ST_MakeEnvelope(114.1234, 30.9876, 114.1235, 30.9877, 4326)`).Scan(&id); err != nil || id != cam.ID {
		t.Errorf("bbox query around the moved camera: id %d, %v; want %d", id, err, cam.ID)
	}
	// The deleted camera left a gap in seq; the order still matches the
	// in-memory edits.
	got, err := s.LoadWorkspace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Cameras) != len(ws.Cameras) || got.Cameras[len(got.Cameras)-1].ID != applied[2].ID {
		t.Errorf("after edits: %d cameras, last %d; want %d, last %d", len(got.Cameras), got.Cameras[len(got.Cameras)-1].ID, len(ws.Cameras), applied[2].ID)
	}
}

// TestRefusedEditsWriteNothing: values PostgreSQL cannot hold, a
// cancelled context and a conflict late in a batch leave the store, its
// revision and its audit log as they were.
func TestRefusedEditsWriteNothing(t *testing.T) {
	ctx := context.Background()
	s, _ := openFresh(t)
	if err := s.ReplaceWorkspace(ctx, storetest.Sample(23, 40)); err != nil {
		t.Fatal(err)
	}
	base, err := s.LoadWorkspace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	log0, err := s.Audit(ctx, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	u := base.Units[0]
	u.Name = "nul\x00byte"
	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	k := base.Kiosks[0]
	k.Staff = 7
	for name, tc := range map[string]struct {
		ctx   context.Context
		edits []planner.Edit
		check func(error) bool
	}{
		"NUL byte": {ctx, []planner.Edit{
			{Op: planner.OpUpdate, Kind: planner.KindKiosk, ID: k.ID, Version: k.Version, Kiosk: &k},
			{Op: planner.OpUpdate, Kind: planner.KindUnit, ID: u.ID, Version: u.Version, Unit: &u}},
			func(err error) bool { return planner.ErrorCode(err) == planner.EINVALID }},
		"cancelled": {cancelled, []planner.Edit{{Op: planner.OpUpdate, Kind: planner.KindKiosk, ID: k.ID, Version: k.Version, Kiosk: &k}},
			func(err error) bool { return errors.Is(err, context.Canceled) }},
		"late conflict": {ctx, []planner.Edit{
			{Op: planner.OpUpdate, Kind: planner.KindKiosk, ID: k.ID, Version: k.Version, Kiosk: &k},
			{Op: planner.OpDelete, Kind: planner.KindKiosk, ID: k.ID, Version: k.Version}}, // k now has the new version
			func(err error) bool { return planner.ErrorCode(err) == planner.ECONFLICT }},
		"missing unit": {ctx, []planner.Edit{
			{Op: planner.OpUpdate, Kind: planner.KindKiosk, ID: k.ID, Version: k.Version, Kiosk: &k},
			{Op: planner.OpDelete, Kind: planner.KindUnit, ID: 1 << 40, Version: 1}},
			func(err error) bool { return planner.ErrorCode(err) == planner.ENOTFOUND }},
	} {
		if _, _, err := s.ApplyEdits(tc.ctx, tc.edits); !tc.check(err) {
			t.Errorf("%s: ApplyEdits = %v", name, err)
		}
		got, err := s.LoadWorkspace(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if d := storetest.Diff(got, base); d != "" || got.Revision != base.Revision {
			t.Fatalf("%s: the store changed (revision %d → %d): %s", name, base.Revision, got.Revision, d)
		}
		if log, err := s.Audit(ctx, 0, 100); err != nil || len(log) != len(log0) {
			t.Fatalf("%s: audit has %d entries (%v), want %d", name, len(log), err, len(log0))
		}
	}
	// The import's entry holds the counts.
	var counts planner.Counts
	if len(log0) != 1 || log0[0].Action != "import" || json.Unmarshal(log0[0].After, &counts) != nil || counts != base.Counts() {
		t.Fatalf("import audit entry %+v (after %s), want the counts %+v", log0, log0[0].After, base.Counts())
	}
}

// TestMigrateVersion1Workspace: a workspace stored under schema version 1
// becomes revision 1, every camera, kiosk and unit version 1, so editors
// can quote a version.
func TestMigrateVersion1Workspace(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.Start(t)
	s := mustOpen(t, dsn)
	ms, err := loadMigrations(migrationFS)
	if err != nil {
		t.Fatal(err)
	}
	// Back to version 1 with the data left by a version-1 import.
	if _, err := s.pool.Exec(ctx, `DROP SCHEMA public CASCADE; CREATE SCHEMA public; CREATE EXTENSION IF NOT EXISTS postgis`); err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, s.pool, ms[:1]); err != nil {
		t.Fatal(err)
	}
	if _, err := s.pool.Exec(ctx, `
		INSERT INTO workspace VALUES (1, 'v1', 0, 0, 1, 1, '{}');
		INSERT INTO cameras (id, seq, ref, name, lon, lat, kind, direction_deg, fov_deg, range_m, defaulted, source)
			VALUES (7, 0, 'r', 'c', 114.1, 30.1, 'fixed', 0, 60, 40, '{}', 'osm');
		INSERT INTO kiosks (id, seq, ref, name, lon, lat, staff, vehicles, source) VALUES (3, 0, '', 'k', 114, 30, 1, 0, 'osm');
		INSERT INTO units (id, seq, name, kind, home_kiosk) VALUES (1, 0, 'u', 'car', 3);`); err != nil {
		t.Fatal(err)
	}
	s2 := mustOpen(t, dsn) // migrates to the newest version
	ws, err := s2.LoadWorkspace(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ws.Revision != 1 || ws.Cameras[0].Version != 1 || ws.Kiosks[0].Version != 1 || ws.Units[0].Version != 1 {
		t.Fatalf("after migrating: revision %d, versions %d %d %d; want 1", ws.Revision, ws.Cameras[0].Version, ws.Kiosks[0].Version, ws.Units[0].Version)
	}
	c := ws.Cameras[0]
	c.Name = "edited"
	rev, _, err := s2.ApplyEdits(ctx, []planner.Edit{{Op: planner.OpUpdate, Kind: planner.KindCamera, ID: c.ID, Version: 1, Camera: &c}})
	if err != nil || rev != 2 {
		t.Fatalf("editing a migrated camera: revision %d, %v; want 2", rev, err)
	}
	// An empty version-1 database starts at revision 0.
	fresh := mustOpen(t, pgtest.Start(t))
	if r, err := fresh.Revision(ctx); err != nil || r != 0 {
		t.Fatalf("fresh database: revision %d, %v; want 0", r, err)
	}
}
