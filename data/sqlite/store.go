package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/tidewatch/tidewatch/data/internal/wkb"
	"github.com/tidewatch/tidewatch/planner"
)

// timeLayout stores instants as fixed-width UTC text with nanoseconds, so
// the column sorts chronologically and reads well in any SQLite tool.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// busyTimeout is how long a statement waits for another connection's lock.
const busyTimeout = 10 * time.Second

// Store is a planner.Store in one SQLite file (WAL mode, foreign keys on).
// It is safe for concurrent use; writes in one process are serialised,
// and writers in other processes wait up to busyTimeout for the file's
// write lock.
type Store struct {
	db *sql.DB
	// wlock holds one token while a writing transaction of this process
	// runs, so the process's writers queue here (honouring their
	// contexts) rather than in SQLite's busy handler.
	wlock chan struct{}
}

var _ planner.Store = (*Store)(nil)

// Open opens (creating if needed) the SQLite database file at path and
// migrates it to the newest schema this build knows. A file whose schema
// is newer than this build is refused with an EINVALID error.
func Open(ctx context.Context, path string) (*Store, error) {
	if path == "" {
		return nil, planner.Errorf(planner.EINVALID, "no database path given")
	}
	ms, err := loadMigrations(migrationFS)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("sqlite", dsn(path))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if err := migrate(ctx, db, ms); err != nil {
		db.Close()
		return nil, err
	}
	return &Store{db: db, wlock: make(chan struct{}, 1)}, nil
}

// dsn builds a URI filename for path: every connection gets WAL, a busy
// timeout and foreign keys; write transactions BEGIN IMMEDIATE so they take
// the write lock up front instead of failing on a read→write upgrade. A
// 64 MiB page cache and in-memory statement journals keep a whole-city
// ReplaceWorkspace from spilling to disk mid-transaction.
func dsn(path string) string {
	esc := strings.NewReplacer("%", "%25", "?", "%3f", "#", "%23").Replace(path)
	return fmt.Sprintf("file:%s?_pragma=busy_timeout(%d)&_pragma=journal_mode(WAL)&_pragma=synchronous(NORMAL)"+
		"&_pragma=foreign_keys(1)&_pragma=cache_size(-65536)&_pragma=temp_store(MEMORY)&_txlock=immediate", esc, busyTimeout.Milliseconds())
}

// Close releases the database.
func (s *Store) Close() error { return s.db.Close() }

// write runs fn in one write transaction, serialised with this process's
// other writers, and commits it when fn returns nil; on any error nothing
// is written. The transaction begins IMMEDIATE (see dsn), so it holds the
// file's write lock from the start: what fn reads stays current until the
// commit, which is what makes version checks race-free across processes.
// fn's errors are returned unchanged; begin and commit errors go through
// fail.
func (s *Store) write(ctx context.Context, op string, fn func(tx *sql.Tx) error) error {
	select {
	case s.wlock <- struct{}{}:
		defer func() { <-s.wlock }()
	case <-ctx.Done():
		return fail(ctx, op, ctx.Err())
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fail(ctx, op, err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return err
	}
	if err := tx.Commit(); err != nil {
		return fail(ctx, op+": commit", err)
	}
	return nil
}

// fail turns err from operation op into the error the caller sees: the
// context's error when it ended, EINVALID for a constraint violation (a
// duplicate ID, a NaN in a required field), else a wrapped internal error.
func fail(ctx context.Context, op string, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("sqlite: %s: %w", op, cerr)
	}
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT {
		return planner.Errorf(planner.EINVALID, "workspace rejected: %v", err)
	}
	var pe *planner.Error
	if errors.As(err, &pe) {
		return err
	}
	return fmt.Errorf("sqlite: %s: %w", op, err)
}

// Tables in delete order (children first).
var tables = []string{"unit_shifts", "units", "buildings", "sites", "incidents", "kiosks", "cameras", "grids", "roads", "workspace"}

// Column lists in the order the row functions below produce values.
var (
	roadCols     = append([]string{"id", "seq", "way_id", "from_node", "to_node", "geometry", "highway", "name", "length_m"}, travelCols()...)
	gridCols     = []string{"id", "seq", "name", "polygon", "population", "risk", "generated"}
	cameraCols   = []string{"id", "seq", "ref", "name", "lon", "lat", "kind", "direction_deg", "fov_deg", "range_m", "defaulted", "source", "version"}
	kioskCols    = []string{"id", "seq", "ref", "name", "lon", "lat", "staff", "vehicles", "source", "version"}
	incidentCols = []string{"id", "seq", "ref", "lon", "lat", "time", "category", "weight", "source"}
	siteCols     = []string{"id", "seq", "ref", "name", "category", "lon", "lat", "area", "tier", "source"}
	unitCols     = []string{"id", "seq", "name", "kind", "home_kiosk", "version"}
	shiftCols    = []string{"unit_id", "seq", "start_min", "end_min"}
	buildingCols = []string{"id", "seq", "osm_id", "polygon", "levels_m"}
)

// travelCols names the per-mode travel columns: car_fwd_s, car_bwd_s, ...
func travelCols() []string {
	var cols []string
	for _, m := range planner.Modes {
		cols = append(cols, string(m)+"_fwd_s", string(m)+"_bwd_s")
	}
	return cols
}

// ReplaceWorkspace stores ws in one transaction, replacing whatever was
// there, at a new revision that becomes the Version of every camera, kiosk
// and unit (ws itself is not modified); on error (including a cancelled
// ctx) the file is left exactly as before. A duplicate ID within a slice
// is an EINVALID error. It appends one audit entry (action "import", After:
// ws.Counts()) by the actor carried by ctx. Users, sessions, the audit log,
// plans and scenarios are kept. See the package documentation for how
// values are normalised.
func (s *Store) ReplaceWorkspace(ctx context.Context, ws *planner.Workspace) error {
	if ws == nil {
		return planner.Errorf(planner.EINVALID, "no workspace to store")
	}
	counts, err := json.Marshal(ws.Counts())
	if err != nil {
		return planner.Errorf(planner.EINVALID, "workspace rejected: counts: %v", err)
	}
	return s.write(ctx, "replace workspace", func(tx *sql.Tx) error {
		for _, t := range tables {
			if _, err := tx.ExecContext(ctx, "DELETE FROM "+t); err != nil {
				return fail(ctx, "clear "+t, err)
			}
		}
		rev, err := nextRevision(ctx, tx)
		if err != nil {
			return fail(ctx, "replace workspace", err)
		}
		if err := writeWorkspace(ctx, tx, ws, rev); err != nil {
			return fail(ctx, "replace workspace", err)
		}
		if _, err := appendAudit(ctx, tx, planner.AuditEntry{At: time.Now(), Actor: planner.ActorFrom(ctx),
			Action: "import", After: counts}); err != nil {
			return fail(ctx, "replace workspace: audit", err)
		}
		return nil
	})
}

// writeWorkspace inserts every record of ws into the (empty) tables, with
// rev as the Version of every camera, kiosk and unit.
func writeWorkspace(ctx context.Context, tx *sql.Tx, ws *planner.Workspace, rev int64) error {
	notes, err := json.Marshal(nonNil(ws.Notes))
	if err != nil {
		return err
	}
	b := ws.Bound
	if _, err := tx.ExecContext(ctx, `INSERT INTO workspace (id, name, min_lon, min_lat, max_lon, max_lat, notes)
		VALUES (1, ?, ?, ?, ?, ?, ?)`, ws.Name, b.Min.Lon, b.Min.Lat, b.Max.Lon, b.Max.Lat, string(notes)); err != nil {
		return fmt.Errorf("workspace: %w", err)
	}
	if err := insertAll(ctx, tx, "roads", roadCols, ws.Roads, roadRow); err != nil {
		return err
	}
	if err := insertAll(ctx, tx, "grids", gridCols, ws.Grids, func(i int, g *planner.Grid) ([]any, error) {
		return []any{g.ID, i, g.Name, wkb.EncodePolygon(g.Polygon), g.Population, g.Risk, g.Generated}, nil
	}); err != nil {
		return err
	}
	if err := insertAll(ctx, tx, "cameras", cameraCols, ws.Cameras, func(i int, c *planner.Camera) ([]any, error) {
		return cameraRow(int64(i), c, rev)
	}); err != nil {
		return err
	}
	if err := insertAll(ctx, tx, "kiosks", kioskCols, ws.Kiosks, func(i int, k *planner.Kiosk) ([]any, error) {
		return kioskRow(int64(i), k, rev)
	}); err != nil {
		return err
	}
	if err := insertAll(ctx, tx, "incidents", incidentCols, ws.Incidents, func(i int, x *planner.Incident) ([]any, error) {
		t, err := encodeTime(x.Time)
		return []any{x.ID, i, x.Ref, x.Location.Lon, x.Location.Lat, t, x.Category, x.Weight, x.Source}, err
	}); err != nil {
		return err
	}
	if err := insertAll(ctx, tx, "sites", siteCols, ws.Sites, func(i int, x *planner.Site) ([]any, error) {
		var area []byte
		if len(x.Area) > 0 {
			area = wkb.EncodePolygon(x.Area)
		}
		return []any{x.ID, i, x.Ref, x.Name, string(x.Category), x.Location.Lon, x.Location.Lat, area, x.Tier, x.Source}, nil
	}); err != nil {
		return err
	}
	if err := insertAll(ctx, tx, "units", unitCols, ws.Units, func(i int, u *planner.Unit) ([]any, error) {
		return unitRow(int64(i), u, rev)
	}); err != nil {
		return err
	}
	type unitShift struct {
		unit int64
		planner.Shift
	}
	var shifts []unitShift
	for _, u := range ws.Units {
		for _, sh := range u.Shifts {
			shifts = append(shifts, unitShift{u.ID, sh})
		}
	}
	seq, last := 0, int64(0)
	if err := insertAll(ctx, tx, "unit_shifts", shiftCols, shifts, func(i int, x *unitShift) ([]any, error) {
		if i == 0 || x.unit != last {
			seq, last = 0, x.unit
		}
		seq++
		return []any{x.unit, seq, x.Start, x.End}, nil
	}); err != nil {
		return err
	}
	return insertAll(ctx, tx, "buildings", buildingCols, ws.Buildings, func(i int, x *planner.Building) ([]any, error) {
		return []any{x.ID, i, x.OSMID, wkb.EncodePolygon(x.Polygon), x.LevelsM}, nil
	})
}

// cameraRow returns the values of camera c at position seq, written at
// revision version, in cameraCols order.
func cameraRow(seq int64, c *planner.Camera, version int64) ([]any, error) {
	def, err := json.Marshal(nonNil(c.Defaulted))
	return []any{c.ID, seq, c.Ref, c.Name, c.Location.Lon, c.Location.Lat, string(c.Kind),
		c.DirectionDeg, c.FOVDeg, c.RangeM, string(def), c.Source, version}, err
}

// kioskRow returns the values of kiosk k in kioskCols order (see cameraRow).
func kioskRow(seq int64, k *planner.Kiosk, version int64) ([]any, error) {
	return []any{k.ID, seq, k.Ref, k.Name, k.Location.Lon, k.Location.Lat, k.Staff, k.Vehicles, k.Source, version}, nil
}

// unitRow returns the values of unit u, without its shifts, in unitCols
// order (see cameraRow).
func unitRow(seq int64, u *planner.Unit, version int64) ([]any, error) {
	return []any{u.ID, seq, u.Name, string(u.Kind), u.HomeKiosk, version}, nil
}

// scanCamera scans one cameras row (cameraCols order) into c.
func scanCamera(sc scanner, c *planner.Camera) error {
	var def string
	if err := sc(&c.ID, new(int64), &c.Ref, &c.Name, &c.Location.Lon, &c.Location.Lat, &c.Kind,
		&c.DirectionDeg, &c.FOVDeg, &c.RangeM, &def, &c.Source, &c.Version); err != nil {
		return err
	}
	var err error
	c.Defaulted, err = decodeStrings(def)
	return err
}

// scanKiosk scans one kiosks row (kioskCols order) into k.
func scanKiosk(sc scanner, k *planner.Kiosk) error {
	return sc(&k.ID, new(int64), &k.Ref, &k.Name, &k.Location.Lon, &k.Location.Lat, &k.Staff, &k.Vehicles, &k.Source, &k.Version)
}

// scanUnit scans one units row (unitCols order) into u, without shifts.
func scanUnit(sc scanner, u *planner.Unit) error {
	return sc(&u.ID, new(int64), &u.Name, &u.Kind, &u.HomeKiosk, &u.Version)
}

// roadRow returns the values of road i in roadCols order.
func roadRow(i int, r *planner.Road) ([]any, error) {
	v := make([]any, 0, len(roadCols))
	v = append(v, r.ID, i, r.WayID, r.From, r.To, wkb.EncodeLineString(r.Geometry), r.Highway, r.Name, r.LengthM)
	for _, t := range r.Travel {
		v = append(v, seconds(t.Forward), seconds(t.Backward))
	}
	return v, nil
}

// seconds maps a travel cost to its column value: NULL for no access
// (any negative or NaN cost).
func seconds(s float64) any {
	if !(s >= 0) {
		return nil
	}
	return s
}

// nonNil returns s, or an empty slice for nil, so JSON encodes "[]".
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// encodeTime formats t as fixed-width UTC text; years outside 0000–9999
// do not fit the layout and are rejected.
func encodeTime(t time.Time) (string, error) {
	t = t.UTC()
	if y := t.Year(); y < 0 || y > 9999 {
		return "", planner.Errorf(planner.EINVALID, "time %s: year outside 0–9999", t)
	}
	return t.Format(timeLayout), nil
}

// LoadWorkspace reads the whole workspace, with its Revision and every
// record's Version, from one consistent snapshot; ENOTFOUND if none was
// stored.
func (s *Store) LoadWorkspace(ctx context.Context) (*planner.Workspace, error) {
	tx, err := s.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fail(ctx, "begin", err)
	}
	defer tx.Rollback()
	ws, err := readWorkspace(ctx, tx)
	if err != nil {
		return nil, fail(ctx, "load workspace", err)
	}
	return ws, nil
}

// readWorkspace reads every table inside tx.
func readWorkspace(ctx context.Context, tx *sql.Tx) (*planner.Workspace, error) {
	ws := &planner.Workspace{}
	var notes string
	b := &ws.Bound
	err := tx.QueryRowContext(ctx, `SELECT name, min_lon, min_lat, max_lon, max_lat, notes FROM workspace WHERE id = 1`).
		Scan(&ws.Name, &b.Min.Lon, &b.Min.Lat, &b.Max.Lon, &b.Max.Lat, &notes)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, planner.Errorf(planner.ENOTFOUND, "no workspace has been imported yet")
	} else if err != nil {
		return nil, err
	}
	if ws.Notes, err = decodeStrings(notes); err != nil {
		return nil, fmt.Errorf("workspace notes: %w", err)
	}
	if err := tx.QueryRowContext(ctx, `SELECT value FROM revision WHERE id = 1`).Scan(&ws.Revision); err != nil {
		return nil, fmt.Errorf("revision: %w", err)
	}
	if ws.Roads, err = readAll(ctx, tx, "roads", roadCols, scanRoad); err != nil {
		return nil, err
	}
	if ws.Grids, err = readAll(ctx, tx, "grids", gridCols, func(sc scanner, g *planner.Grid) (err error) {
		var poly []byte
		if err = sc(&g.ID, new(int), &g.Name, &poly, &g.Population, &g.Risk, &g.Generated); err == nil {
			g.Polygon, err = wkb.DecodePolygon(poly)
		}
		return err
	}); err != nil {
		return nil, err
	}
	if ws.Cameras, err = readAll(ctx, tx, "cameras", cameraCols, scanCamera); err != nil {
		return nil, err
	}
	if ws.Kiosks, err = readAll(ctx, tx, "kiosks", kioskCols, scanKiosk); err != nil {
		return nil, err
	}
	if ws.Incidents, err = readAll(ctx, tx, "incidents", incidentCols, func(sc scanner, x *planner.Incident) (err error) {
		var t string
		if err = sc(&x.ID, new(int), &x.Ref, &x.Location.Lon, &x.Location.Lat, &t, &x.Category, &x.Weight, &x.Source); err == nil {
			x.Time, err = time.Parse(timeLayout, t)
		}
		return err
	}); err != nil {
		return nil, err
	}
	if ws.Sites, err = readAll(ctx, tx, "sites", siteCols, func(sc scanner, x *planner.Site) (err error) {
		var area []byte
		if err = sc(&x.ID, new(int), &x.Ref, &x.Name, &x.Category, &x.Location.Lon, &x.Location.Lat, &area, &x.Tier, &x.Source); err == nil {
			x.Area, err = wkb.DecodePolygon(area)
		}
		return err
	}); err != nil {
		return nil, err
	}
	if ws.Units, err = readAll(ctx, tx, "units", unitCols, scanUnit); err != nil {
		return nil, err
	}
	type unitShift struct {
		unit int64
		planner.Shift
	}
	shifts, err := readAll(ctx, tx, "unit_shifts", shiftCols, func(sc scanner, x *unitShift) error {
		return sc(&x.unit, new(int), &x.Start, &x.End)
	})
	if err != nil {
		return nil, err
	}
	unitAt := make(map[int64]int, len(ws.Units))
	for i, u := range ws.Units {
		unitAt[u.ID] = i
	}
	for _, x := range shifts { // the foreign key guarantees the unit exists
		u := &ws.Units[unitAt[x.unit]]
		u.Shifts = append(u.Shifts, x.Shift)
	}
	if ws.Buildings, err = readAll(ctx, tx, "buildings", buildingCols, func(sc scanner, x *planner.Building) (err error) {
		var poly []byte
		if err = sc(&x.ID, new(int), &x.OSMID, &poly, &x.LevelsM); err == nil {
			x.Polygon, err = wkb.DecodePolygon(poly)
		}
		return err
	}); err != nil {
		return nil, err
	}
	return ws, nil
}

// scanRoad scans one roads row (roadCols order) into r.
func scanRoad(sc scanner, r *planner.Road) error {
	var geom []byte
	var secs [2 * planner.NumModes]sql.NullFloat64
	dest := make([]any, 0, len(roadCols))
	dest = append(dest, &r.ID, new(int), &r.WayID, &r.From, &r.To, &geom, &r.Highway, &r.Name, &r.LengthM)
	for i := range secs {
		dest = append(dest, &secs[i])
	}
	if err := sc(dest...); err != nil {
		return err
	}
	for m := range r.Travel {
		r.Travel[m] = planner.Travel{Forward: costOf(secs[2*m]), Backward: costOf(secs[2*m+1])}
	}
	var err error
	r.Geometry, err = wkb.DecodeLineString(geom)
	return err
}

// scanner scans the current row into dest.
type scanner func(dest ...any) error

// readAll selects cols from table in stored order (seq; unit_shifts by
// unit then seq) and scans each row into a new element; no rows is nil.
func readAll[T any](ctx context.Context, tx *sql.Tx, table string, cols []string, scan func(scanner, *T) error) ([]T, error) {
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil || n == 0 {
		return nil, err
	}
	order := "seq"
	if table == "unit_shifts" {
		order = "unit_id, seq"
	}
	rows, err := tx.QueryContext(ctx, "SELECT "+strings.Join(cols, ", ")+" FROM "+table+" ORDER BY "+order)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", table, err)
	}
	defer rows.Close()
	out := make([]T, 0, n)
	for rows.Next() {
		out = append(out, *new(T))
		if err := scan(rows.Scan, &out[len(out)-1]); err != nil {
			return nil, fmt.Errorf("%s: %w", table, err)
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", table, err)
	}
	return out, nil
}

// costOf maps a travel column back to seconds, NoAccess for NULL.
func costOf(v sql.NullFloat64) float64 {
	if !v.Valid {
		return planner.NoAccess
	}
	return v.Float64
}

// decodeStrings parses a JSON array of strings; an empty array is nil.
func decodeStrings(s string) ([]string, error) {
	var out []string
	if err := json.Unmarshal([]byte(s), &out); err != nil || len(out) == 0 {
		return nil, err
	}
	return out, nil
}
