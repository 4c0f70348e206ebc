package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/tidewatch/tidewatch/planner"
)

// querier is what the helpers below need of a transaction or the pool.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// now is the current time as the store keeps it: UTC, whole microseconds
// (timestamptz's precision), so a time the store sets and returns is equal
// to the one it reads back later.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// dbTime returns t as read back from a timestamptz column: UTC.
func dbTime(t time.Time) time.Time { return t.UTC() }

// bumpRevision raises the store revision by one inside tx, holding the
// store_revision row lock until tx ends, and returns the new revision.
func bumpRevision(ctx context.Context, tx pgx.Tx) (int64, error) {
	var rev int64
	err := tx.QueryRow(ctx, `UPDATE store_revision SET revision = revision + 1 WHERE id = 1 RETURNING revision`).Scan(&rev)
	return rev, err
}

// Revision returns the current revision, 0 for an empty store.
func (s *Store) Revision(ctx context.Context) (int64, error) {
	var rev int64
	if err := s.pool.QueryRow(ctx, `SELECT revision FROM store_revision WHERE id = 1`).Scan(&rev); err != nil {
		return 0, dbFail(ctx, "revision", err)
	}
	return rev, nil
}

// importCounts returns ws.Counts() fit for JSON (a NaN or infinite road
// length counts as 0 km).
func importCounts(ws *planner.Workspace) planner.Counts {
	c := ws.Counts()
	if math.IsNaN(c.RoadKm) || math.IsInf(c.RoadKm, 0) {
		c.RoadKm = 0
	}
	return c
}

// auditJSON returns v as audit JSON: json.Marshal of v, or for a value
// JSON cannot hold (a NaN coordinate imported from a file) its Go
// rendering as a JSON string, so the audit entry is never lost.
func auditJSON(v any) json.RawMessage {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(fmt.Sprintf("%+v", v))
	}
	return b
}

// jsonArg returns the parameter for a jsonb column: NULL for an absent or
// null value, else the JSON text.
func jsonArg(m json.RawMessage) any {
	if len(m) == 0 || string(m) == "null" {
		return nil
	}
	return string(m)
}

// appendAudit inserts e into the audit log (At now when zero).
func appendAudit(ctx context.Context, q querier, e planner.AuditEntry) error {
	if e.At.IsZero() {
		e.At = now()
	}
	_, err := q.Exec(ctx, `INSERT INTO audit (at, actor, action, kind, record_id, before, after)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, e.At, e.Actor, e.Action, e.Kind, e.RecordID, jsonArg(e.Before), jsonArg(e.After))
	return err
}

// dbFail is fail for everything but whole-workspace writes: the context's
// error when it ended, a *planner.Error as it is, EINVALID for a value
// PostgreSQL cannot hold (class 22: a NUL byte, invalid JSON, a time out of
// range) or a violated constraint (class 23), else a wrapped internal
// error.
func dbFail(ctx context.Context, op string, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("postgis: %s: %w", op, cerr)
	}
	var te *planner.Error
	if errors.As(err, &te) {
		return err
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && (strings.HasPrefix(pe.Code, "23") || strings.HasPrefix(pe.Code, "22")) {
		msg := pe.Message
		if pe.Detail != "" {
			msg += " (" + pe.Detail + ")"
		}
		return planner.Errorf(planner.EINVALID, "%s: %s", op, msg)
	}
	return fmt.Errorf("postgis: %s: %w", op, err)
}

// pgCode returns the SQLSTATE of err, "" for an error from elsewhere.
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// SQLSTATEs the store maps to error codes.
const (
	uniqueViolation     = "23505"
	foreignKeyViolation = "23503"
)

// commit commits tx unless ctx has ended. Once every statement succeeded
// the commit itself ignores ctx, so the outcome never depends on a race
// with a deadline.
func commit(ctx context.Context, tx pgx.Tx, op string) error {
	if err := ctx.Err(); err != nil {
		return dbFail(ctx, op, err)
	}
	if err := tx.Commit(context.WithoutCancel(ctx)); err != nil {
		return dbFail(ctx, op+": commit", err)
	}
	return nil
}

// cloneEdits deep-copies edits, so validating them (which may fill in
// defaults) never touches the caller's records.
func cloneEdits(edits []planner.Edit) []planner.Edit {
	out := make([]planner.Edit, len(edits))
	for i, e := range edits {
		if e.Camera != nil {
			c := *e.Camera
			c.Defaulted = slices.Clone(c.Defaulted)
			e.Camera = &c
		}
		if e.Kiosk != nil {
			k := *e.Kiosk
			e.Kiosk = &k
		}
		if e.Unit != nil {
			u := *e.Unit
			u.Shifts = slices.Clone(u.Shifts)
			e.Unit = &u
		}
		out[i] = e
	}
	return out
}

// ApplyEdits applies edits in order in one transaction at a new revision,
// with the semantics of planner.ApplyEdits, and appends one audit entry per
// edit. The transaction first locks the store_revision row, so batches of
// edits and imports from every server run one at a time and each sees
// what the previous one committed; versions are then checked on rows no
// other writer can change. On any error nothing is written.
func (s *Store) ApplyEdits(ctx context.Context, edits []planner.Edit) (int64, []planner.Applied, error) {
	edits = cloneEdits(edits)
	for i := range edits {
		if err := edits[i].Validate(); err != nil {
			return 0, nil, fmt.Errorf("edit %d: %w", i+1, err)
		}
	}
	if len(edits) == 0 {
		rev, err := s.Revision(ctx)
		if err != nil {
			return 0, nil, err
		}
		return rev, []planner.Applied{}, nil
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return 0, nil, dbFail(ctx, "begin", err)
	}
	defer tx.Rollback(context.Background())
	// The lock first; every later statement (READ COMMITTED) then sees
	// what the writer we may have waited for committed.
	var cur int64
	if err := tx.QueryRow(ctx, `SELECT revision FROM store_revision WHERE id = 1 FOR UPDATE`).Scan(&cur); err != nil {
		return 0, nil, dbFail(ctx, "lock revision", err)
	}
	var imported bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM workspace)`).Scan(&imported); err != nil {
		return 0, nil, dbFail(ctx, "workspace", err)
	}
	if !imported {
		return 0, nil, planner.Errorf(planner.ENOTFOUND, "no workspace has been imported yet")
	}
	rev := cur + 1
	actor := planner.ActorFrom(ctx)
	out := make([]planner.Applied, 0, len(edits))
	for i := range edits {
		e := &edits[i]
		a, before, after, err := applyEdit(ctx, tx, e, rev)
		if err != nil {
			return 0, nil, dbFail(ctx, fmt.Sprintf("edit %d", i+1), fmt.Errorf("edit %d: %w", i+1, err))
		}
		entry := planner.AuditEntry{Actor: actor, Action: string(e.Op) + " " + string(e.Kind), Kind: string(e.Kind), RecordID: a.ID}
		if before != nil {
			entry.Before = auditJSON(before)
		}
		if after != nil {
			entry.After = auditJSON(after)
		}
		if err := appendAudit(ctx, tx, entry); err != nil {
			return 0, nil, dbFail(ctx, "audit", err)
		}
		out = append(out, a)
	}
	if _, err := tx.Exec(ctx, `UPDATE store_revision SET revision = $1 WHERE id = 1`, rev); err != nil {
		return 0, nil, dbFail(ctx, "revision", err)
	}
	if err := commit(ctx, tx, "apply edits"); err != nil {
		return 0, nil, err
	}
	return rev, out, nil
}

// recordTables names the table of each editable kind.
var recordTables = map[planner.RecordKind]string{
	planner.KindCamera: "cameras",
	planner.KindKiosk:  "kiosks",
	planner.KindUnit:   "units",
}

// applyEdit applies one validated edit at revision rev and returns what it
// did with the record before and after (nil when absent) for the audit.
func applyEdit(ctx context.Context, tx pgx.Tx, e *planner.Edit, rev int64) (a planner.Applied, before, after any, err error) {
	a = planner.Applied{Op: e.Op, Kind: e.Kind, ID: e.ID, Version: rev}
	table := recordTables[e.Kind]
	var seq int
	if e.Op == planner.OpCreate {
		// The next free ID of the kind, after the last record.
		if err := tx.QueryRow(ctx, `SELECT coalesce(max(id), 0) + 1, coalesce(max(seq), -1) + 1 FROM `+table).Scan(&a.ID, &seq); err != nil {
			return a, nil, nil, err
		}
	} else {
		var have int64
		var found bool
		switch e.Kind {
		case planner.KindCamera:
			var c planner.Camera
			c, found, err = readCamera(ctx, tx, e.ID)
			have, before = c.Version, &c
		case planner.KindKiosk:
			var k planner.Kiosk
			k, found, err = readKiosk(ctx, tx, e.ID)
			have, before = k.Version, &k
		case planner.KindUnit:
			var u planner.Unit
			u, found, err = readUnit(ctx, tx, e.ID)
			have, before = u.Version, &u
		}
		if err != nil {
			return a, nil, nil, err
		}
		if !found {
			return a, nil, nil, planner.Errorf(planner.ENOTFOUND, "%s %d does not exist", e.Kind, e.ID)
		}
		if have != e.Version {
			return a, nil, nil, planner.Errorf(planner.ECONFLICT, "%s %d was changed by someone else (version %d, you edited version %d); reload and edit again", e.Kind, e.ID, have, e.Version)
		}
		if e.Op == planner.OpDelete {
			// unit_shifts go with their unit (ON DELETE CASCADE).
			_, err := tx.Exec(ctx, `DELETE FROM `+table+` WHERE id = $1`, e.ID)
			return a, before, nil, err
		}
	}
	create := e.Op == planner.OpCreate
	switch e.Kind {
	case planner.KindCamera:
		c := *e.Camera
		c.ID, c.Version, c.Defaulted = a.ID, rev, nilIfEmpty(c.Defaulted)
		err = writeCamera(ctx, tx, &c, create, seq)
		a.Camera, after = &c, &c
	case planner.KindKiosk:
		k := *e.Kiosk
		k.ID, k.Version = a.ID, rev
		err = writeKiosk(ctx, tx, &k, create, seq)
		a.Kiosk, after = &k, &k
	case planner.KindUnit:
		u := *e.Unit
		u.ID, u.Version = a.ID, rev
		if len(u.Shifts) == 0 {
			u.Shifts = nil
		}
		err = writeUnit(ctx, tx, &u, create, seq)
		a.Unit, after = &u, &u
	}
	return a, before, after, err
}

// readCamera reads camera id; found is false when there is none.
func readCamera(ctx context.Context, q querier, id int64) (c planner.Camera, found bool, err error) {
	err = q.QueryRow(ctx, `SELECT id, ref, name, lon, lat, kind, direction_deg, fov_deg, range_m, defaulted, source, version
		FROM cameras WHERE id = $1`, id).Scan(&c.ID, &c.Ref, &c.Name, &c.Location.Lon, &c.Location.Lat, &c.Kind,
		&c.DirectionDeg, &c.FOVDeg, &c.RangeM, &c.Defaulted, &c.Source, &c.Version)
	if errors.Is(err, pgx.ErrNoRows) {
		return c, false, nil
	}
	c.Defaulted = nilIfEmpty(c.Defaulted)
	return c, err == nil, err
}

// writeCamera inserts c at seq (create) or replaces camera c.ID in place.
// The geom column is generated from lon, lat, so GIS tools see the edit.
func writeCamera(ctx context.Context, tx pgx.Tx, c *planner.Camera, create bool, seq int) error {
	args := []any{c.ID, c.Ref, c.Name, c.Location.Lon, c.Location.Lat, string(c.Kind),
		c.DirectionDeg, c.FOVDeg, c.RangeM, nonNil(c.Defaulted), c.Source, c.Version}
	if create {
		_, err := tx.Exec(ctx, `INSERT INTO cameras (id, ref, name, lon, lat, kind, direction_deg, fov_deg, range_m, defaulted, source, version, seq)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, append(args, seq)...)
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE cameras SET ref = $2, name = $3, lon = $4, lat = $5, kind = $6, direction_deg = $7,
		fov_deg = $8, range_m = $9, defaulted = $10, source = $11, version = $12 WHERE id = $1`, args...)
	return err
}

// readKiosk reads kiosk id; found is false when there is none.
func readKiosk(ctx context.Context, q querier, id int64) (k planner.Kiosk, found bool, err error) {
	err = q.QueryRow(ctx, `SELECT id, ref, name, lon, lat, staff, vehicles, source, version FROM kiosks WHERE id = $1`, id).
		Scan(&k.ID, &k.Ref, &k.Name, &k.Location.Lon, &k.Location.Lat, &k.Staff, &k.Vehicles, &k.Source, &k.Version)
	if errors.Is(err, pgx.ErrNoRows) {
		return k, false, nil
	}
	return k, err == nil, err
}

// writeKiosk inserts k at seq (create) or replaces kiosk k.ID in place.
func writeKiosk(ctx context.Context, tx pgx.Tx, k *planner.Kiosk, create bool, seq int) error {
	args := []any{k.ID, k.Ref, k.Name, k.Location.Lon, k.Location.Lat, k.Staff, k.Vehicles, k.Source, k.Version}
	if create {
		_, err := tx.Exec(ctx, `INSERT INTO kiosks (id, ref, name, lon, lat, staff, vehicles, source, version, seq)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, append(args, seq)...)
		return err
	}
	_, err := tx.Exec(ctx, `UPDATE kiosks SET ref = $2, name = $3, lon = $4, lat = $5, staff = $6, vehicles = $7,
		source = $8, version = $9 WHERE id = $1`, args...)
	return err
}

// readUnit reads unit id with its shifts; found is false when there is
// none.
func readUnit(ctx context.Context, q querier, id int64) (u planner.Unit, found bool, err error) {
	err = q.QueryRow(ctx, `SELECT id, name, kind, home_kiosk, version FROM units WHERE id = $1`, id).
		Scan(&u.ID, &u.Name, &u.Kind, &u.HomeKiosk, &u.Version)
	if errors.Is(err, pgx.ErrNoRows) {
		return u, false, nil
	} else if err != nil {
		return u, false, err
	}
	rows, _ := q.Query(ctx, `SELECT start_min, end_min FROM unit_shifts WHERE unit_id = $1 ORDER BY seq`, id)
	u.Shifts, err = pgx.CollectRows(rows, func(row pgx.CollectableRow) (sh planner.Shift, err error) {
		err = row.Scan(&sh.Start, &sh.End)
		return sh, err
	})
	if len(u.Shifts) == 0 {
		u.Shifts = nil
	}
	return u, err == nil, err
}

// writeUnit inserts u at seq (create) or replaces unit u.ID in place,
// shifts included.
func writeUnit(ctx context.Context, tx pgx.Tx, u *planner.Unit, create bool, seq int) error {
	var err error
	if create {
		_, err = tx.Exec(ctx, `INSERT INTO units (id, name, kind, home_kiosk, version, seq) VALUES ($1, $2, $3, $4, $5, $6)`,
			u.ID, u.Name, string(u.Kind), u.HomeKiosk, u.Version, seq)
	} else {
		if _, err = tx.Exec(ctx, `UPDATE units SET name = $2, kind = $3, home_kiosk = $4, version = $5 WHERE id = $1`,
			u.ID, u.Name, string(u.Kind), u.HomeKiosk, u.Version); err == nil {
			_, err = tx.Exec(ctx, `DELETE FROM unit_shifts WHERE unit_id = $1`, u.ID)
		}
	}
	if err != nil || len(u.Shifts) == 0 {
		return err
	}
	starts := make([]int64, len(u.Shifts))
	ends := make([]int64, len(u.Shifts))
	for i, sh := range u.Shifts {
		starts[i], ends[i] = int64(sh.Start), int64(sh.End)
	}
	_, err = tx.Exec(ctx, `INSERT INTO unit_shifts (unit_id, seq, start_min, end_min)
		SELECT $1, s.n - 1, s.start_min, s.end_min
		FROM unnest($2::bigint[], $3::bigint[]) WITH ORDINALITY AS s (start_min, end_min, n)`, u.ID, starts, ends)
	return err
}
