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

// ---- Plans and share links ----

// SavePlan stores a plan document (Body verbatim; a zero Created becomes
// now); ECONFLICT if its ID exists, EINVALID for an empty ID.
func (s *Store) SavePlan(ctx context.Context, p planner.PlanDoc) error {
	if p.ID == "" {
		return planner.Errorf(planner.EINVALID, "plan id is required")
	}
	created, err := encodeTime(nowIfZero(p.Created))
	if err != nil {
		return err
	}
	body := p.Body
	if body == nil {
		body = []byte{}
	}
	return s.write(ctx, "save plan", func(tx *sql.Tx) error {
		var taken bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM plans WHERE id = ?)`, p.ID).Scan(&taken); err != nil {
			return failKeyed(ctx, "save plan", err)
		}
		if taken {
			return planner.Errorf(planner.ECONFLICT, "plan %q already exists", p.ID)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO plans (id, owner, created, body) VALUES (?, ?, ?, ?)`,
			p.ID, p.Owner, created, body); err != nil {
			return failKeyed(ctx, "save plan", err)
		}
		return nil
	})
}

// PlanDoc returns the plan with the given ID; ENOTFOUND if none.
func (s *Store) PlanDoc(ctx context.Context, id string) (planner.PlanDoc, error) {
	p := planner.PlanDoc{ID: id}
	var created string
	err := s.db.QueryRowContext(ctx, `SELECT owner, created, body FROM plans WHERE id = ?`, id).Scan(&p.Owner, &created, &p.Body)
	if errors.Is(err, sql.ErrNoRows) {
		return planner.PlanDoc{}, planner.Errorf(planner.ENOTFOUND, "plan %q does not exist", id)
	} else if err != nil {
		return planner.PlanDoc{}, failKeyed(ctx, "plan", err)
	}
	if p.Created, err = decodeTime(created); err != nil {
		return planner.PlanDoc{}, failKeyed(ctx, "plan", err)
	}
	return p, nil
}

const shareCols = "id, plan_id, unit, created, expires, revoked"

// scanShare scans one shares row (shareCols order) into l.
func scanShare(sc scanner, l *planner.ShareLink) error {
	var created, expires string
	if err := sc(&l.ID, &l.PlanID, &l.Unit, &created, &expires, &l.Revoked); err != nil {
		return err
	}
	var e1, e2 error
	l.Created, e1 = decodeTime(created)
	l.Expires, e2 = decodeTime(expires)
	return errors.Join(e1, e2)
}

// CreateShare stores a share link. l.ID must be the hex SHA-256 of the
// token (64 lower-case hex digits; EINVALID otherwise) and l.Unit not
// negative; ENOTFOUND if the plan does not exist; ECONFLICT if the ID is
// taken. A zero Created becomes now.
func (s *Store) CreateShare(ctx context.Context, l planner.ShareLink) error {
	if !isTokenHash(l.ID) {
		return planner.Errorf(planner.EINVALID, "share link id: want the hex SHA-256 of the token")
	}
	if l.Unit < 0 {
		return planner.Errorf(planner.EINVALID, "share link unit %d: want an index into the plan's units", l.Unit)
	}
	created, err1 := encodeTime(nowIfZero(l.Created))
	expires, err2 := encodeTime(l.Expires)
	if err := errors.Join(err1, err2); err != nil {
		return err
	}
	return s.write(ctx, "create share", func(tx *sql.Tx) error {
		var ok bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM plans WHERE id = ?)`, l.PlanID).Scan(&ok); err != nil {
			return failKeyed(ctx, "create share", err)
		}
		if !ok {
			return planner.Errorf(planner.ENOTFOUND, "plan %q does not exist", l.PlanID)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO shares (`+shareCols+`) VALUES (?, ?, ?, ?, ?, ?)`,
			l.ID, l.PlanID, l.Unit, created, expires, flag(l.Revoked)); err != nil {
			return failKeyed(ctx, "create share", err)
		}
		return nil
	})
}

// ShareByID returns the link; ENOTFOUND if none, if it was revoked or if
// it expired before now (a link stops working at the instant it expires).
func (s *Store) ShareByID(ctx context.Context, id string, now time.Time) (planner.ShareLink, error) {
	at, err := encodeTime(now)
	if err != nil {
		return planner.ShareLink{}, err
	}
	var l planner.ShareLink
	err = scanShare(s.db.QueryRowContext(ctx, `SELECT `+shareCols+` FROM shares WHERE id = ? AND revoked = 0 AND expires > ?`, id, at).Scan, &l)
	if errors.Is(err, sql.ErrNoRows) {
		return planner.ShareLink{}, planner.Errorf(planner.ENOTFOUND, "no such share link, or it was revoked or has expired")
	} else if err != nil {
		return planner.ShareLink{}, failKeyed(ctx, "share link", err)
	}
	return l, nil
}

// SharesOfPlan lists a plan's links (revoked and expired ones too) in the
// order they were created; none for an unknown plan.
func (s *Store) SharesOfPlan(ctx context.Context, planID string) ([]planner.ShareLink, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+shareCols+` FROM shares WHERE plan_id = ? ORDER BY created, rowid`, planID)
	if err != nil {
		return nil, failKeyed(ctx, "share links", err)
	}
	defer rows.Close()
	var out []planner.ShareLink
	for rows.Next() {
		var l planner.ShareLink
		if err := scanShare(rows.Scan, &l); err != nil {
			return nil, failKeyed(ctx, "share links", err)
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, failKeyed(ctx, "share links", err)
	}
	return out, nil
}

// RevokeShare revokes a link for good (revoking it again changes nothing
// but is audited too); ENOTFOUND if none. It appends an audit entry
// ("share revoke", kind "share", the link before and after; the JSON of a
// link leaves out its ID).
func (s *Store) RevokeShare(ctx context.Context, id string) error {
	return s.write(ctx, "revoke share", func(tx *sql.Tx) error {
		var l planner.ShareLink
		err := scanShare(tx.QueryRowContext(ctx, `SELECT `+shareCols+` FROM shares WHERE id = ?`, id).Scan, &l)
		if errors.Is(err, sql.ErrNoRows) {
			return planner.Errorf(planner.ENOTFOUND, "no such share link")
		} else if err != nil {
			return failKeyed(ctx, "revoke share", err)
		}
		if _, err := tx.ExecContext(ctx, `UPDATE shares SET revoked = 1 WHERE id = ?`, id); err != nil {
			return failKeyed(ctx, "revoke share", err)
		}
		after := l
		after.Revoked = true
		return auditChange(ctx, tx, "share revoke", "share", 0, l, after)
	})
}

// ---- Scenarios ----

const scenarioCols = "id, name, owner, edits, created, updated, version"

// scanScenario scans one scenarios row (scenarioCols order) into sc.
func scanScenario(scan scanner, sc *planner.Scenario) error {
	var edits, created, updated string
	if err := scan(&sc.ID, &sc.Name, &sc.Owner, &edits, &created, &updated, &sc.Version); err != nil {
		return err
	}
	var e1, e2 error
	sc.Created, e1 = decodeTime(created)
	sc.Updated, e2 = decodeTime(updated)
	return errors.Join(e1, e2, json.Unmarshal([]byte(edits), &sc.Edits))
}

// scenarioByID reads scenario id inside tx; ENOTFOUND if there is none.
func scenarioByID(ctx context.Context, tx *sql.Tx, id int64) (planner.Scenario, error) {
	var sc planner.Scenario
	err := scanScenario(tx.QueryRowContext(ctx, `SELECT `+scenarioCols+` FROM scenarios WHERE id = ?`, id).Scan, &sc)
	if errors.Is(err, sql.ErrNoRows) {
		return sc, planner.Errorf(planner.ENOTFOUND, "scenario %d does not exist", id)
	}
	return sc, err
}

// checkScenario validates sc's name and edits (Edit.Validate) and returns
// the edits as JSON (an array, [] for none).
func checkScenario(sc *planner.Scenario) (string, error) {
	if strings.TrimSpace(sc.Name) == "" {
		return "", planner.Errorf(planner.EINVALID, "scenario name is required")
	}
	if sc.Edits == nil {
		sc.Edits = []planner.Edit{}
	}
	for i := range sc.Edits {
		if err := sc.Edits[i].Validate(); err != nil {
			return "", fmt.Errorf("scenario edit %d: %w", i+1, err)
		}
	}
	b, err := json.Marshal(sc.Edits)
	if err != nil {
		return "", planner.Errorf(planner.EINVALID, "scenario edits: %v", err)
	}
	return string(b), nil
}

// CreateScenario stores sc with a new ID, Version 1 and Created and
// Updated now; EINVALID for a blank name or an invalid edit. It appends an
// audit entry ("scenario create", kind "scenario").
func (s *Store) CreateScenario(ctx context.Context, sc planner.Scenario) (planner.Scenario, error) {
	edits, err := checkScenario(&sc)
	if err != nil {
		return planner.Scenario{}, err
	}
	sc.Created = time.Now().UTC()
	sc.Updated, sc.Version = sc.Created, 1
	at, err := encodeTime(sc.Created)
	if err != nil {
		return planner.Scenario{}, err
	}
	err = s.write(ctx, "create scenario", func(tx *sql.Tx) error {
		if err := tx.QueryRowContext(ctx, `INSERT INTO scenarios (name, owner, edits, created, updated, version)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, sc.Name, sc.Owner, edits, at, at, sc.Version).Scan(&sc.ID); err != nil {
			return failKeyed(ctx, "create scenario", err)
		}
		return auditChange(ctx, tx, "scenario create", "scenario", sc.ID, nil, sc)
	})
	if err != nil {
		return planner.Scenario{}, err
	}
	return sc, nil
}

// Scenario returns one scenario; ENOTFOUND if none.
func (s *Store) Scenario(ctx context.Context, id int64) (planner.Scenario, error) {
	var sc planner.Scenario
	err := scanScenario(s.db.QueryRowContext(ctx, `SELECT `+scenarioCols+` FROM scenarios WHERE id = ?`, id).Scan, &sc)
	if errors.Is(err, sql.ErrNoRows) {
		return planner.Scenario{}, planner.Errorf(planner.ENOTFOUND, "scenario %d does not exist", id)
	} else if err != nil {
		return planner.Scenario{}, failKeyed(ctx, "scenario", err)
	}
	return sc, nil
}

// Scenarios lists every scenario by ID.
func (s *Store) Scenarios(ctx context.Context) ([]planner.Scenario, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+scenarioCols+` FROM scenarios ORDER BY id`)
	if err != nil {
		return nil, failKeyed(ctx, "scenarios", err)
	}
	defer rows.Close()
	var out []planner.Scenario
	for rows.Next() {
		var sc planner.Scenario
		if err := scanScenario(rows.Scan, &sc); err != nil {
			return nil, failKeyed(ctx, "scenarios", err)
		}
		out = append(out, sc)
	}
	if err := rows.Err(); err != nil {
		return nil, failKeyed(ctx, "scenarios", err)
	}
	return out, nil
}

// UpdateScenario replaces name and edits of sc.ID (owner and Created
// stay; Updated becomes now) if sc.Version is the stored one (ECONFLICT
// otherwise; ENOTFOUND if missing; EINVALID as for CreateScenario) and
// returns it with the next Version. It appends an audit entry ("scenario
// update", before and after).
func (s *Store) UpdateScenario(ctx context.Context, sc planner.Scenario) (planner.Scenario, error) {
	edits, err := checkScenario(&sc)
	if err != nil {
		return planner.Scenario{}, err
	}
	var next planner.Scenario
	err = s.write(ctx, "update scenario", func(tx *sql.Tx) error {
		old, err := scenarioByID(ctx, tx, sc.ID)
		if err != nil {
			return failKeyed(ctx, "update scenario", err)
		}
		if old.Version != sc.Version {
			return planner.Errorf(planner.ECONFLICT, "scenario %d was changed by someone else (version %d, you edited version %d); reload and edit again",
				sc.ID, old.Version, sc.Version)
		}
		next = old
		next.Name, next.Edits, next.Updated, next.Version = sc.Name, sc.Edits, time.Now().UTC(), old.Version+1
		updated, err := encodeTime(next.Updated)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE scenarios SET name = ?, edits = ?, updated = ?, version = ? WHERE id = ?`,
			next.Name, edits, updated, next.Version, next.ID); err != nil {
			return failKeyed(ctx, "update scenario", err)
		}
		return auditChange(ctx, tx, "scenario update", "scenario", next.ID, old, next)
	})
	if err != nil {
		return planner.Scenario{}, err
	}
	return next, nil
}

// DeleteScenario deletes scenario id if version is the stored one
// (ECONFLICT otherwise; ENOTFOUND if missing). It appends an audit entry
// ("scenario delete", the scenario before).
func (s *Store) DeleteScenario(ctx context.Context, id, version int64) error {
	return s.write(ctx, "delete scenario", func(tx *sql.Tx) error {
		old, err := scenarioByID(ctx, tx, id)
		if err != nil {
			return failKeyed(ctx, "delete scenario", err)
		}
		if old.Version != version {
			return planner.Errorf(planner.ECONFLICT, "scenario %d was changed by someone else (version %d, you edited version %d); reload and edit again",
				id, old.Version, version)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM scenarios WHERE id = ?`, id); err != nil {
			return failKeyed(ctx, "delete scenario", err)
		}
		return auditChange(ctx, tx, "scenario delete", "scenario", id, old, nil)
	})
}
