package postgis

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tidewatch/tidewatch/data/internal/wkb"
	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// SRID is the spatial reference of every geometry column: WGS84 lon,lat.
const SRID = 4326

// replaceLockKey is the pg_advisory_xact_lock key that serialises
// ReplaceWorkspace between all servers on the database ("tidewatch-replace").
const replaceLockKey int64 = 0x7469_6465_7265_706c

// Store is a planner.Store in a PostgreSQL + PostGIS database, shared by
// any number of servers. It is safe for concurrent use.
type Store struct {
	pool *pgxpool.Pool
}

var _ planner.Store = (*Store)(nil)

// Open connects to the database at url (postgres://user:pw@host/db?...,
// any libpq-style URL pgx accepts; a search_path parameter puts the tables
// in that schema) and migrates it to the newest schema this build knows.
// A database whose schema is newer than this build is refused with an
// EINVALID error.
func Open(ctx context.Context, url string) (*Store, error) {
	if url == "" {
		return nil, planner.Errorf(planner.EINVALID, "no database URL given")
	}
	ms, err := loadMigrations(migrationFS)
	if err != nil {
		return nil, err
	}
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, planner.Errorf(planner.EINVALID, "database URL: %v", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgis: open: %w", err)
	}
	if err := pool.Ping(ctx); err != nil {
		pool.Close()
		return nil, fail(ctx, "connect", err)
	}
	if err := migrate(ctx, pool, ms); err != nil {
		pool.Close()
		return nil, err
	}
	return &Store{pool: pool}, nil
}

// Close releases the connections.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// fail turns err from operation op into the error the caller sees: the
// context's error when it ended, EINVALID for a constraint violation (class
// 23: a duplicate ID) or a value PostgreSQL cannot hold (class 22: a NUL
// byte in text, a time out of range), else a wrapped internal error.
func fail(ctx context.Context, op string, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("postgis: %s: %w", op, cerr)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (strings.HasPrefix(pe.Code, "23") || strings.HasPrefix(pe.Code, "22")) {
		msg := pe.Message
		if pe.Detail != "" {
			msg += " (" + pe.Detail + ")"
		}
		if pe.TableName != "" {
			msg = pe.TableName + ": " + msg
		}
		return planner.Errorf(planner.EINVALID, "workspace rejected: %s", msg)
	}
	var te *planner.Error
	if errors.As(err, &te) {
		return err
	}
	return fmt.Errorf("postgis: %s: %w", op, err)
}

// Tables in delete order (children first).
var tables = []string{"unit_shifts", "units", "buildings", "sites", "incidents", "kiosks", "cameras", "grids", "roads", "workspace"}

// Column lists in the order the row functions below produce values. seq
// comes first so loads can place each row; generated geometry columns are
// not listed (PostgreSQL computes them).
var (
	roadCols     = append([]string{"seq", "id", "way_id", "from_node", "to_node", "wkb", "geom", "highway", "name", "length_m"}, travelCols()...)
	gridCols     = []string{"seq", "id", "name", "wkb", "geom", "population", "risk", "generated"}
	cameraCols   = []string{"seq", "id", "ref", "name", "lon", "lat", "kind", "direction_deg", "fov_deg", "range_m", "defaulted", "source", "version"}
	kioskCols    = []string{"seq", "id", "ref", "name", "lon", "lat", "staff", "vehicles", "source", "version"}
	incidentCols = []string{"seq", "id", "ref", "lon", "lat", "time", "time_ns", "category", "weight", "source"}
	siteCols     = []string{"seq", "id", "ref", "name", "category", "lon", "lat", "area_wkb", "area_geom", "tier", "source"}
	unitCols     = []string{"seq", "id", "name", "kind", "home_kiosk", "version"}
	shiftCols    = []string{"seq", "unit_id", "start_min", "end_min"}
	buildingCols = []string{"seq", "id", "osm_id", "wkb", "geom", "levels_m"}
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
// there, at a new revision that becomes every camera's, kiosk's and unit's
// version, and appends the "import" audit entry; on error (including a
// cancelled ctx) the database is left exactly as before. Rows go in with
// COPY. Writers on every server are serialised by an advisory lock and the
// store_revision row lock (which ApplyEdits takes too); readers are never
// blocked and see the old workspace until the commit. A duplicate ID
// within a slice is an EINVALID error.
func (s *Store) ReplaceWorkspace(ctx context.Context, ws *planner.Workspace) error {
	if ws == nil {
		return planner.Errorf(planner.EINVALID, "no workspace to store")
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return fail(ctx, "begin", err)
	}
	defer tx.Rollback(context.Background())
	// Take the lock before the first DELETE so that statement's snapshot
	// includes the rows of a writer that committed while we waited.
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", replaceLockKey); err != nil {
		return fail(ctx, "lock", err)
	}
	// Then the revision row: it waits for a batch of edits in progress on
	// any server, so the DELETEs below see (and remove) what it wrote.
	rev, err := bumpRevision(ctx, tx)
	if err != nil {
		return fail(ctx, "revision", err)
	}
	for _, t := range tables {
		// DELETE, not TRUNCATE: TRUNCATE is not MVCC-safe, so a reader
		// whose snapshot predates it would see empty tables.
		if _, err := tx.Exec(ctx, "DELETE FROM "+t); err != nil {
			return fail(ctx, "clear "+t, err)
		}
	}
	if err := writeWorkspace(ctx, tx, ws, rev); err != nil {
		return fail(ctx, "replace workspace", err)
	}
	if err := appendAudit(ctx, tx, planner.AuditEntry{Actor: planner.ActorFrom(ctx), Action: "import",
		After: auditJSON(importCounts(ws))}); err != nil {
		return fail(ctx, "audit", err)
	}
	if err := ctx.Err(); err != nil {
		return fail(ctx, "commit", err)
	}
	// Past this point the workspace is complete: commit even if ctx ends
	// now, so the result never depends on a race with the deadline.
	if err := tx.Commit(context.WithoutCancel(ctx)); err != nil {
		return fail(ctx, "commit", err)
	}
	return nil
}

// writeWorkspace inserts every record of ws into the (emptied) tables,
// cameras, kiosks and units at version rev.
func writeWorkspace(ctx context.Context, tx pgx.Tx, ws *planner.Workspace, rev int64) error {
	b := ws.Bound
	if _, err := tx.Exec(ctx, `INSERT INTO workspace (id, name, min_lon, min_lat, max_lon, max_lat, notes)
		VALUES (1, $1, $2, $3, $4, $5, $6)`, ws.Name, b.Min.Lon, b.Min.Lat, b.Max.Lon, b.Max.Lat, nonNil(ws.Notes)); err != nil {
		return fmt.Errorf("workspace: %w", err)
	}
	if err := copyAll(ctx, tx, "roads", roadCols, ws.Roads, roadRow); err != nil {
		return err
	}
	if err := copyAll(ctx, tx, "grids", gridCols, ws.Grids, func(i int, g *planner.Grid) ([]any, error) {
		w := wkb.EncodePolygon(g.Polygon)
		return []any{i, g.ID, g.Name, w, polygonGeom(g.Polygon, w), g.Population, g.Risk, g.Generated}, nil
	}); err != nil {
		return err
	}
	if err := copyAll(ctx, tx, "cameras", cameraCols, ws.Cameras, func(i int, c *planner.Camera) ([]any, error) {
		return []any{i, c.ID, c.Ref, c.Name, c.Location.Lon, c.Location.Lat, string(c.Kind),
			c.DirectionDeg, c.FOVDeg, c.RangeM, nonNil(c.Defaulted), c.Source, rev}, nil
	}); err != nil {
		return err
	}
	if err := copyAll(ctx, tx, "kiosks", kioskCols, ws.Kiosks, func(i int, k *planner.Kiosk) ([]any, error) {
		return []any{i, k.ID, k.Ref, k.Name, k.Location.Lon, k.Location.Lat, k.Staff, k.Vehicles, k.Source, rev}, nil
	}); err != nil {
		return err
	}
	if err := copyAll(ctx, tx, "incidents", incidentCols, ws.Incidents, func(i int, x *planner.Incident) ([]any, error) {
		// timestamptz keeps microseconds (pgx truncates); the rest goes
		// in time_ns.
		return []any{i, x.ID, x.Ref, x.Location.Lon, x.Location.Lat, x.Time, int16(x.Time.Nanosecond() % 1000),
			x.Category, x.Weight, x.Source}, nil
	}); err != nil {
		return err
	}
	if err := copyAll(ctx, tx, "sites", siteCols, ws.Sites, func(i int, x *planner.Site) ([]any, error) {
		var area, geom any
		if len(x.Area) > 0 {
			w := wkb.EncodePolygon(x.Area)
			area, geom = w, polygonGeom(x.Area, w)
		}
		return []any{i, x.ID, x.Ref, x.Name, string(x.Category), x.Location.Lon, x.Location.Lat, area, geom, x.Tier, x.Source}, nil
	}); err != nil {
		return err
	}
	if err := copyAll(ctx, tx, "units", unitCols, ws.Units, func(i int, u *planner.Unit) ([]any, error) {
		return []any{i, u.ID, u.Name, string(u.Kind), u.HomeKiosk, rev}, nil
	}); err != nil {
		return err
	}
	var shifts []unitShift
	for _, u := range ws.Units {
		for _, sh := range u.Shifts {
			shifts = append(shifts, unitShift{u.ID, sh})
		}
	}
	// seq numbers shifts across all units; per unit it keeps their order.
	if err := copyAll(ctx, tx, "unit_shifts", shiftCols, shifts, func(i int, x *unitShift) ([]any, error) {
		return []any{i, x.unit, x.Start, x.End}, nil
	}); err != nil {
		return err
	}
	return copyAll(ctx, tx, "buildings", buildingCols, ws.Buildings, func(i int, x *planner.Building) ([]any, error) {
		w := wkb.EncodePolygon(x.Polygon)
		return []any{i, x.ID, x.OSMID, w, polygonGeom(x.Polygon, w), x.LevelsM}, nil
	})
}

// unitShift is one row of unit_shifts.
type unitShift struct {
	unit int64
	planner.Shift
}

// roadRow returns the values of road i in roadCols order.
func roadRow(i int, r *planner.Road) ([]any, error) {
	w := wkb.EncodeLineString(r.Geometry)
	v := make([]any, 0, len(roadCols))
	v = append(v, i, r.ID, r.WayID, r.From, r.To, w, lineGeom(r.Geometry, w), r.Highway, r.Name, r.LengthM)
	for _, t := range r.Travel {
		v = append(v, seconds(t.Forward), seconds(t.Backward))
	}
	return v, nil
}

// copyAll COPYs every item of xs into table; row returns the values for
// item i in cols order.
func copyAll[T any](ctx context.Context, tx pgx.Tx, table string, cols []string, xs []T, row func(i int, x *T) ([]any, error)) error {
	if len(xs) == 0 {
		return nil
	}
	n, err := tx.CopyFrom(ctx, pgx.Identifier{table}, cols, pgx.CopyFromSlice(len(xs), func(i int) ([]any, error) {
		return row(i, &xs[i])
	}))
	if err != nil {
		return fmt.Errorf("%s: %w", table, err)
	}
	if n != int64(len(xs)) {
		return fmt.Errorf("%s: copied %d of %d rows", table, n, len(xs))
	}
	return nil
}

// lineGeom returns the EWKB for the geom column of a line whose exact WKB
// is w, or nil (NULL) when PostGIS would reject it or index it badly:
// fewer than two points or a non-finite coordinate.
func lineGeom(ls geo.LineString, w []byte) any {
	if len(ls) < 2 || !finite(ls) {
		return nil
	}
	return wkb.EWKB(w, SRID)
}

// polygonGeom is lineGeom for polygons: every ring must be closed (first
// and last point bit-identical, as PostGIS compares them) with at least
// four finite points.
func polygonGeom(pg geo.Polygon, w []byte) any {
	if len(pg) == 0 {
		return nil
	}
	for _, r := range pg {
		if len(r) < 4 || !finite(r) || !sameBits(r[0], r[len(r)-1]) {
			return nil
		}
	}
	return wkb.EWKB(w, SRID)
}

func finite(pts []geo.Point) bool {
	for _, p := range pts {
		if math.IsInf(p.Lon, 0) || math.IsInf(p.Lat, 0) || math.IsNaN(p.Lon) || math.IsNaN(p.Lat) {
			return false
		}
	}
	return true
}

func sameBits(a, b geo.Point) bool {
	return math.Float64bits(a.Lon) == math.Float64bits(b.Lon) && math.Float64bits(a.Lat) == math.Float64bits(b.Lat)
}

// seconds maps a travel cost to its column value: NULL for no access
// (any negative or NaN cost).
func seconds(s float64) any {
	if !(s >= 0) {
		return nil
	}
	return s
}

// nonNil returns s, or an empty slice for nil, so text[] columns get '{}'
// rather than NULL.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// LoadWorkspace reads the whole workspace and its revision from one
// consistent snapshot (a read-only REPEATABLE READ transaction); ENOTFOUND
// if none was stored.
func (s *Store) LoadWorkspace(ctx context.Context) (*planner.Workspace, error) {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, fail(ctx, "begin", err)
	}
	defer tx.Rollback(context.Background())
	ws, err := readWorkspace(ctx, tx)
	if err != nil {
		return nil, fail(ctx, "load workspace", err)
	}
	return ws, nil
}

// readWorkspace reads every table inside tx.
func readWorkspace(ctx context.Context, tx pgx.Tx) (*planner.Workspace, error) {
	ws := &planner.Workspace{}
	b := &ws.Bound
	err := tx.QueryRow(ctx, `SELECT name, min_lon, min_lat, max_lon, max_lat, notes FROM workspace WHERE id = 1`).
		Scan(&ws.Name, &b.Min.Lon, &b.Min.Lat, &b.Max.Lon, &b.Max.Lat, &ws.Notes)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, planner.Errorf(planner.ENOTFOUND, "no workspace has been imported yet")
	} else if err != nil {
		return nil, err
	}
	ws.Notes = nilIfEmpty(ws.Notes)
	if err := tx.QueryRow(ctx, `SELECT revision FROM store_revision WHERE id = 1`).Scan(&ws.Revision); err != nil {
		return nil, fmt.Errorf("revision: %w", err)
	}
	if ws.Roads, err = readAll(ctx, tx, "roads", roadCols, scanRoad); err != nil {
		return nil, err
	}
	if ws.Grids, err = readAll(ctx, tx, "grids", gridCols, func(row pgx.Rows, seq *int, g *planner.Grid) (err error) {
		var poly []byte
		if err = row.Scan(seq, &g.ID, &g.Name, &poly, nil, &g.Population, &g.Risk, &g.Generated); err == nil {
			g.Polygon, err = wkb.DecodePolygon(poly)
		}
		return err
	}); err != nil {
		return nil, err
	}
	if ws.Cameras, err = readAll(ctx, tx, "cameras", cameraCols, func(row pgx.Rows, seq *int, c *planner.Camera) error {
		err := row.Scan(seq, &c.ID, &c.Ref, &c.Name, &c.Location.Lon, &c.Location.Lat, &c.Kind,
			&c.DirectionDeg, &c.FOVDeg, &c.RangeM, &c.Defaulted, &c.Source, &c.Version)
		c.Defaulted = nilIfEmpty(c.Defaulted)
		return err
	}); err != nil {
		return nil, err
	}
	if ws.Kiosks, err = readAll(ctx, tx, "kiosks", kioskCols, func(row pgx.Rows, seq *int, k *planner.Kiosk) error {
		return row.Scan(seq, &k.ID, &k.Ref, &k.Name, &k.Location.Lon, &k.Location.Lat, &k.Staff, &k.Vehicles, &k.Source, &k.Version)
	}); err != nil {
		return nil, err
	}
	if ws.Incidents, err = readAll(ctx, tx, "incidents", incidentCols, func(row pgx.Rows, seq *int, x *planner.Incident) error {
		var ns int16
		err := row.Scan(seq, &x.ID, &x.Ref, &x.Location.Lon, &x.Location.Lat, &x.Time, &ns, &x.Category, &x.Weight, &x.Source)
		x.Time = x.Time.UTC().Add(time.Duration(ns))
		return err
	}); err != nil {
		return nil, err
	}
	if ws.Sites, err = readAll(ctx, tx, "sites", siteCols, func(row pgx.Rows, seq *int, x *planner.Site) (err error) {
		var area []byte
		if err = row.Scan(seq, &x.ID, &x.Ref, &x.Name, &x.Category, &x.Location.Lon, &x.Location.Lat, &area, nil, &x.Tier, &x.Source); err == nil {
			x.Area, err = wkb.DecodePolygon(area)
		}
		return err
	}); err != nil {
		return nil, err
	}
	if ws.Units, err = readAll(ctx, tx, "units", unitCols, func(row pgx.Rows, seq *int, u *planner.Unit) error {
		return row.Scan(seq, &u.ID, &u.Name, &u.Kind, &u.HomeKiosk, &u.Version)
	}); err != nil {
		return nil, err
	}
	shifts, err := readAll(ctx, tx, "unit_shifts", shiftCols, func(row pgx.Rows, seq *int, x *unitShift) error {
		return row.Scan(seq, &x.unit, &x.Start, &x.End)
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
	if ws.Buildings, err = readAll(ctx, tx, "buildings", buildingCols, func(row pgx.Rows, seq *int, x *planner.Building) (err error) {
		var poly []byte
		if err = row.Scan(seq, &x.ID, &x.OSMID, &poly, nil, &x.LevelsM); err == nil {
			x.Polygon, err = wkb.DecodePolygon(poly)
		}
		return err
	}); err != nil {
		return nil, err
	}
	return ws, nil
}

// scanRoad scans one roads row (roadCols order) into r.
func scanRoad(row pgx.Rows, seq *int, r *planner.Road) error {
	var geom []byte
	var secs [2 * planner.NumModes]*float64
	dest := make([]any, 0, len(roadCols))
	dest = append(dest, seq, &r.ID, &r.WayID, &r.From, &r.To, &geom, nil, &r.Highway, &r.Name, &r.LengthM)
	for i := range secs {
		dest = append(dest, &secs[i])
	}
	if err := row.Scan(dest...); err != nil {
		return err
	}
	for m := range r.Travel {
		r.Travel[m] = planner.Travel{Forward: costOf(secs[2*m]), Backward: costOf(secs[2*m+1])}
	}
	var err error
	r.Geometry, err = wkb.DecodeLineString(geom)
	return err
}

// readAll selects cols from table and scans each row into a new element,
// in seq order (unit_shifts: read by unit then seq); no rows is nil. An
// import numbers rows 0..n-1; edits leave gaps (a delete) and append
// after the largest seq (a create), so seqs are unique but not dense.
// The derived geometry columns are selected as NULL: Tidewatch reads the
// exact columns only.
func readAll[T any](ctx context.Context, tx pgx.Tx, table string, cols []string, scan func(pgx.Rows, *int, *T) error) ([]T, error) {
	sel := make([]string, len(cols))
	for i, c := range cols {
		sel[i] = c
		if c == "geom" || c == "area_geom" {
			sel[i] = "NULL"
		}
	}
	q := "SELECT " + strings.Join(sel, ", ") + " FROM " + table
	if table == "unit_shifts" {
		q += " ORDER BY unit_id, seq"
	}
	rows, err := tx.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", table, err)
	}
	defer rows.Close()
	var out []T
	var seqs []int
	sorted := true
	for rows.Next() {
		var seq int
		out = append(out, *new(T))
		if err := scan(rows, &seq, &out[len(out)-1]); err != nil {
			return nil, fmt.Errorf("%s: %w", table, err)
		}
		sorted = sorted && seq == len(seqs)
		seqs = append(seqs, seq)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: %w", table, err)
	}
	if sorted || table == "unit_shifts" {
		return out, nil
	}
	// The heap returned rows out of insertion order, or edits left gaps:
	// order the rows by seq.
	order := make([]int, len(out))
	for i := range order {
		order[i] = i
	}
	slices.SortFunc(order, func(a, b int) int { return cmp.Compare(seqs[a], seqs[b]) })
	placed := make([]T, len(out))
	for i, j := range order {
		if i > 0 && seqs[j] == seqs[order[i-1]] {
			return nil, fmt.Errorf("%s: seq %d appears twice", table, seqs[j])
		}
		placed[i] = out[j]
	}
	return placed, nil
}

// costOf maps a travel column back to seconds, NoAccess for NULL.
func costOf(v *float64) float64 {
	if v == nil {
		return planner.NoAccess
	}
	return *v
}

// nilIfEmpty returns nil for an empty slice (text[] '{}').
func nilIfEmpty(s []string) []string {
	if len(s) == 0 {
		return nil
	}
	return s
}
