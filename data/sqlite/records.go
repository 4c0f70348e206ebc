package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/tidewatch/tidewatch/planner"
)

// Revision returns the current revision, 0 for an empty store.
func (s *Store) Revision(ctx context.Context) (int64, error) {
	var r int64
	if err := s.db.QueryRowContext(ctx, `SELECT value FROM revision WHERE id = 1`).Scan(&r); err != nil {
		return 0, fail(ctx, "revision", err)
	}
	return r, nil
}

// nextRevision raises the store revision by one inside tx and returns it.
func nextRevision(ctx context.Context, tx *sql.Tx) (int64, error) {
	var r int64
	err := tx.QueryRowContext(ctx, `UPDATE revision SET value = value + 1 WHERE id = 1 RETURNING value`).Scan(&r)
	return r, err
}

// ApplyEdits applies edits in order in one write transaction at a new
// revision and returns the revision and what each edit did, exactly as
// planner.ApplyEdits would over the stored workspace: a created record
// gets the next free ID of its kind (one more than the largest, at least
// 1) and goes last; an updated record keeps its ID and position; every
// created or updated record gets Version = the new revision. Each edit is
// validated (Edit.Validate, EINVALID) before anything is read; an update
// or delete of a missing record is ENOTFOUND and one whose Version is not
// the stored one ECONFLICT, and then nothing at all is written. Each edit
// appends one audit entry ("<op> <kind>", the record before and after as
// JSON) by the actor carried by ctx. ENOTFOUND if no workspace was
// imported. With no edits nothing is written and the current revision is
// returned.
func (s *Store) ApplyEdits(ctx context.Context, edits []planner.Edit) (int64, []planner.Applied, error) {
	if len(edits) == 0 {
		r, err := s.Revision(ctx)
		if err != nil {
			return 0, nil, err
		}
		return r, []planner.Applied{}, nil
	}
	for i := range edits {
		if err := edits[i].Validate(); err != nil {
			return 0, nil, fmt.Errorf("edit %d: %w", i+1, err)
		}
	}
	var rev int64
	var out []planner.Applied
	err := s.write(ctx, "apply edits", func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM workspace`).Scan(&n); err != nil {
			return failKeyed(ctx, "apply edits", err)
		}
		if n == 0 {
			return planner.Errorf(planner.ENOTFOUND, "no workspace has been imported yet")
		}
		var err error
		if rev, err = nextRevision(ctx, tx); err != nil {
			return failKeyed(ctx, "apply edits", err)
		}
		at, actor := time.Now(), planner.ActorFrom(ctx)
		out = make([]planner.Applied, 0, len(edits))
		for i := range edits {
			e := &edits[i]
			var a planner.Applied
			var before, after any
			switch e.Kind {
			case planner.KindCamera:
				a, before, after, err = applyRecord(ctx, tx, cameraTable, e, e.Camera, rev)
			case planner.KindKiosk:
				a, before, after, err = applyRecord(ctx, tx, kioskTable, e, e.Kiosk, rev)
			default:
				a, before, after, err = applyRecord(ctx, tx, unitTable, e, e.Unit, rev)
			}
			if err != nil {
				return fmt.Errorf("edit %d: %w", i+1, failKeyed(ctx, "apply edits", err))
			}
			entry := planner.AuditEntry{At: at, Actor: actor, Action: string(e.Op) + " " + string(e.Kind),
				Kind: string(e.Kind), RecordID: a.ID}
			if entry.Before, err = jsonOrNull(before); err == nil {
				entry.After, err = jsonOrNull(after)
			}
			if err == nil {
				_, err = appendAudit(ctx, tx, entry)
			}
			if err != nil {
				return fmt.Errorf("edit %d: %w", i+1, failKeyed(ctx, "apply edits: audit", err))
			}
			out = append(out, a)
		}
		return nil
	})
	if err != nil {
		return 0, nil, err
	}
	return rev, out, nil
}

// recordTable describes the table of one editable record kind T.
type recordTable[T any] struct {
	kind planner.RecordKind
	name string   // table name
	cols []string // id, seq first; version last
	row  func(seq int64, x *T, version int64) ([]any, error)
	scan func(scanner, *T) error
	// id and version point into a record.
	id, version func(*T) *int64
	// load reads a record's child rows after scan; save replaces them.
	load func(ctx context.Context, tx *sql.Tx, x *T) error
	save func(ctx context.Context, tx *sql.Tx, x *T) error
	// applied sets the record field of a.
	applied func(a *planner.Applied, x *T)
}

var (
	cameraTable = recordTable[planner.Camera]{
		kind: planner.KindCamera, name: "cameras", cols: cameraCols, row: cameraRow, scan: scanCamera,
		id:      func(c *planner.Camera) *int64 { return &c.ID },
		version: func(c *planner.Camera) *int64 { return &c.Version },
		applied: func(a *planner.Applied, c *planner.Camera) { a.Camera = c },
	}
	kioskTable = recordTable[planner.Kiosk]{
		kind: planner.KindKiosk, name: "kiosks", cols: kioskCols, row: kioskRow, scan: scanKiosk,
		id:      func(k *planner.Kiosk) *int64 { return &k.ID },
		version: func(k *planner.Kiosk) *int64 { return &k.Version },
		applied: func(a *planner.Applied, k *planner.Kiosk) { a.Kiosk = k },
	}
	unitTable = recordTable[planner.Unit]{
		kind: planner.KindUnit, name: "units", cols: unitCols, row: unitRow, scan: scanUnit,
		id:      func(u *planner.Unit) *int64 { return &u.ID },
		version: func(u *planner.Unit) *int64 { return &u.Version },
		load:    loadShifts,
		save:    saveShifts,
		applied: func(a *planner.Applied, u *planner.Unit) { a.Unit = u },
	}
)

// applyRecord applies one validated edit e carrying rec (nil for a
// delete) to table t at revision rev. It returns the outcome and the
// record before (nil for a create) and after (nil for a delete).
func applyRecord[T any](ctx context.Context, tx *sql.Tx, t recordTable[T], e *planner.Edit, rec *T, rev int64) (a planner.Applied, before, after any, err error) {
	a = planner.Applied{Op: e.Op, Kind: e.Kind, ID: e.ID, Version: rev}
	if e.Op == planner.OpCreate {
		var maxID, seq int64
		if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(id), 0), coalesce(max(seq) + 1, 0) FROM `+t.name).
			Scan(&maxID, &seq); err != nil {
			return a, nil, nil, err
		}
		r := *rec
		*t.id(&r) = max(maxID, 0) + 1
		*t.version(&r) = rev
		if err := insertRecord(ctx, tx, t, seq, &r); err != nil {
			return a, nil, nil, err
		}
		a.ID = *t.id(&r)
		t.applied(&a, &r)
		return a, nil, &r, nil
	}
	old, err := readRecord(ctx, tx, t, e.ID)
	if err != nil {
		return a, nil, nil, err
	}
	if have := *t.version(old); have != e.Version {
		return a, nil, nil, planner.Errorf(planner.ECONFLICT, "%s %d was changed by someone else (version %d, you edited version %d); reload and edit again", e.Kind, e.ID, have, e.Version)
	}
	if e.Op == planner.OpDelete {
		if t.save != nil { // children first (the foreign key would cascade too)
			var none T
			*t.id(&none) = e.ID
			if err := t.save(ctx, tx, &none); err != nil {
				return a, nil, nil, err
			}
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM `+t.name+` WHERE id = ?`, e.ID); err != nil {
			return a, nil, nil, err
		}
		return a, old, nil, nil
	}
	r := *rec
	*t.id(&r) = e.ID
	*t.version(&r) = rev
	vals, err := t.row(0, &r, rev)
	if err != nil {
		return a, nil, nil, err
	}
	// Every column but id and seq: the record keeps its ID and position.
	set := make([]string, 0, len(t.cols)-2)
	for _, c := range t.cols[2:] {
		set = append(set, c+" = ?")
	}
	args := append(vals[2:len(vals):len(vals)], e.ID)
	if _, err := tx.ExecContext(ctx, `UPDATE `+t.name+` SET `+strings.Join(set, ", ")+` WHERE id = ?`, args...); err != nil {
		return a, nil, nil, err
	}
	if t.save != nil {
		if err := t.save(ctx, tx, &r); err != nil {
			return a, nil, nil, err
		}
	}
	t.applied(&a, &r)
	return a, old, &r, nil
}

// insertRecord inserts x at position seq, with its child rows.
func insertRecord[T any](ctx context.Context, tx *sql.Tx, t recordTable[T], seq int64, x *T) error {
	vals, err := t.row(seq, x, *t.version(x))
	if err != nil {
		return err
	}
	q := `INSERT INTO ` + t.name + ` (` + strings.Join(t.cols, ", ") + `) VALUES (` +
		strings.TrimSuffix(strings.Repeat("?, ", len(t.cols)), ", ") + `)`
	if _, err := tx.ExecContext(ctx, q, vals...); err != nil {
		return err
	}
	if t.save != nil {
		return t.save(ctx, tx, x)
	}
	return nil
}

// readRecord reads record id of table t; ENOTFOUND if there is none.
func readRecord[T any](ctx context.Context, tx *sql.Tx, t recordTable[T], id int64) (*T, error) {
	x := new(T)
	err := t.scan(tx.QueryRowContext(ctx, `SELECT `+strings.Join(t.cols, ", ")+` FROM `+t.name+` WHERE id = ?`, id).Scan, x)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, planner.Errorf(planner.ENOTFOUND, "%s %d does not exist", t.kind, id)
	} else if err != nil {
		return nil, err
	}
	if t.load != nil {
		if err := t.load(ctx, tx, x); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// loadShifts reads the shifts of unit u in order.
func loadShifts(ctx context.Context, tx *sql.Tx, u *planner.Unit) error {
	rows, err := tx.QueryContext(ctx, `SELECT start_min, end_min FROM unit_shifts WHERE unit_id = ? ORDER BY seq`, u.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	u.Shifts = nil
	for rows.Next() {
		var sh planner.Shift
		if err := rows.Scan(&sh.Start, &sh.End); err != nil {
			return err
		}
		u.Shifts = append(u.Shifts, sh)
	}
	return rows.Err()
}

// saveShifts replaces the shifts of unit u with u.Shifts (seq from 1, as
// ReplaceWorkspace numbers them).
func saveShifts(ctx context.Context, tx *sql.Tx, u *planner.Unit) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM unit_shifts WHERE unit_id = ?`, u.ID); err != nil {
		return err
	}
	for i, sh := range u.Shifts {
		if _, err := tx.ExecContext(ctx, `INSERT INTO unit_shifts (unit_id, seq, start_min, end_min) VALUES (?, ?, ?, ?)`,
			u.ID, i+1, sh.Start, sh.End); err != nil {
			return err
		}
	}
	return nil
}

// jsonOrNull returns the JSON of v, or nil (an SQL NULL, JSON null) for a
// nil v.
func jsonOrNull(v any) (json.RawMessage, error) {
	if v == nil {
		return nil, nil
	}
	return json.Marshal(v)
}
