package postgis

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/tidewatch/tidewatch/planner"
)

// Users, sessions, the audit log, plans, share links and scenarios. Every
// value goes in as a query parameter; a write and its audit entry share
// one transaction.

const userCols = `id, name, role, password_hash, disabled, created, version`

func scanUser(row pgx.Row) (u planner.User, err error) {
	err = row.Scan(&u.ID, &u.Name, &u.Role, &u.PasswordHash, &u.Disabled, &u.Created, &u.Version)
	u.Created = dbTime(u.Created)
	return u, err
}

// CreateUser stores u with a new ID, Version 1 and Created now (when
// zero); ECONFLICT if the name is taken, EINVALID for an empty name or an
// unknown role. The audit entry ("user create") holds no password hash.
func (s *Store) CreateUser(ctx context.Context, u planner.User) (planner.User, error) {
	if strings.TrimSpace(u.Name) == "" {
		return planner.User{}, planner.Errorf(planner.EINVALID, "user name is required")
	}
	if _, err := planner.ParseRole(string(u.Role)); err != nil {
		return planner.User{}, err
	}
	if u.Created.IsZero() {
		u.Created = now()
	} else {
		u.Created = u.Created.UTC().Truncate(time.Microsecond)
	}
	u.Version = 1
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return planner.User{}, dbFail(ctx, "begin", err)
	}
	defer tx.Rollback(context.Background())
	err = tx.QueryRow(ctx, `INSERT INTO users (name, role, password_hash, disabled, created, version)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, u.Name, string(u.Role), u.PasswordHash, u.Disabled, u.Created, u.Version).Scan(&u.ID)
	if pgCode(err) == uniqueViolation {
		return planner.User{}, planner.Errorf(planner.ECONFLICT, "user %q already exists", u.Name)
	} else if err != nil {
		return planner.User{}, dbFail(ctx, "create user", err)
	}
	if err := appendAudit(ctx, tx, planner.AuditEntry{Actor: planner.ActorFrom(ctx), Action: "user create",
		Kind: "user", RecordID: u.ID, After: auditJSON(u)}); err != nil {
		return planner.User{}, dbFail(ctx, "audit", err)
	}
	if err := commit(ctx, tx, "create user"); err != nil {
		return planner.User{}, err
	}
	return u, nil
}

// UserByName returns the user called name; ENOTFOUND if none.
func (s *Store) UserByName(ctx context.Context, name string) (planner.User, error) {
	u, err := scanUser(s.pool.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE name = $1`, name))
	if errors.Is(err, pgx.ErrNoRows) {
		return planner.User{}, planner.Errorf(planner.ENOTFOUND, "no user %q", name)
	} else if err != nil {
		return planner.User{}, dbFail(ctx, "user", err)
	}
	return u, nil
}

// Users lists every user by ID.
func (s *Store) Users(ctx context.Context) ([]planner.User, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+userCols+` FROM users ORDER BY id`)
	us, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (planner.User, error) { return scanUser(row) })
	if err != nil {
		return nil, dbFail(ctx, "users", err)
	}
	return us, nil
}

// UpdateUser replaces role, password hash and disabled flag of user u.ID
// if u.Version is current (ECONFLICT otherwise; ENOTFOUND if there is no
// such user) and returns the user with the next Version.
func (s *Store) UpdateUser(ctx context.Context, u planner.User) (planner.User, error) {
	if _, err := planner.ParseRole(string(u.Role)); err != nil {
		return planner.User{}, err
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return planner.User{}, dbFail(ctx, "begin", err)
	}
	defer tx.Rollback(context.Background())
	old, err := scanUser(tx.QueryRow(ctx, `SELECT `+userCols+` FROM users WHERE id = $1 FOR UPDATE`, u.ID))
	if errors.Is(err, pgx.ErrNoRows) {
		return planner.User{}, planner.Errorf(planner.ENOTFOUND, "user %d does not exist", u.ID)
	} else if err != nil {
		return planner.User{}, dbFail(ctx, "user", err)
	}
	if old.Version != u.Version {
		return planner.User{}, planner.Errorf(planner.ECONFLICT,
			"user %q was changed by someone else (version %d, you edited version %d); reload and edit again", old.Name, old.Version, u.Version)
	}
	nu := old
	nu.Role, nu.PasswordHash, nu.Disabled, nu.Version = u.Role, u.PasswordHash, u.Disabled, old.Version+1
	if _, err := tx.Exec(ctx, `UPDATE users SET role = $2, password_hash = $3, disabled = $4, version = $5 WHERE id = $1`,
		nu.ID, string(nu.Role), nu.PasswordHash, nu.Disabled, nu.Version); err != nil {
		return planner.User{}, dbFail(ctx, "update user", err)
	}
	if err := appendAudit(ctx, tx, planner.AuditEntry{Actor: planner.ActorFrom(ctx), Action: "user update",
		Kind: "user", RecordID: nu.ID, Before: auditJSON(old), After: auditJSON(nu)}); err != nil {
		return planner.User{}, dbFail(ctx, "audit", err)
	}
	if err := commit(ctx, tx, "update user"); err != nil {
		return planner.User{}, err
	}
	return nu, nil
}

// CreateSession stores se; ECONFLICT if its ID exists, ENOTFOUND if its
// user does not.
func (s *Store) CreateSession(ctx context.Context, se planner.Session) error {
	if se.ID == "" {
		return planner.Errorf(planner.EINVALID, "session id is required")
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO sessions (id, user_id, csrf, bearer, created, expires) VALUES ($1, $2, $3, $4, $5, $6)`,
		se.ID, se.UserID, se.CSRF, se.Bearer, se.Created, se.Expires)
	switch pgCode(err) {
	case "":
	case uniqueViolation:
		return planner.Errorf(planner.ECONFLICT, "session exists")
	case foreignKeyViolation:
		return planner.Errorf(planner.ENOTFOUND, "user %d does not exist", se.UserID)
	}
	if err != nil {
		return dbFail(ctx, "create session", err)
	}
	return nil
}

// SessionByID returns session id and its user; ENOTFOUND if there is none
// or it expired at or before at.
func (s *Store) SessionByID(ctx context.Context, id string, at time.Time) (planner.Session, planner.User, error) {
	var se planner.Session
	var u planner.User
	err := s.pool.QueryRow(ctx, `SELECT s.id, s.user_id, s.csrf, s.bearer, s.created, s.expires,
			u.id, u.name, u.role, u.password_hash, u.disabled, u.created, u.version
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id = $1 AND s.expires > $2`, id, at).
		Scan(&se.ID, &se.UserID, &se.CSRF, &se.Bearer, &se.Created, &se.Expires,
			&u.ID, &u.Name, &u.Role, &u.PasswordHash, &u.Disabled, &u.Created, &u.Version)
	if errors.Is(err, pgx.ErrNoRows) {
		return planner.Session{}, planner.User{}, planner.Errorf(planner.ENOTFOUND, "no such session, or it expired")
	} else if err != nil {
		return planner.Session{}, planner.User{}, dbFail(ctx, "session", err)
	}
	se.Created, se.Expires, u.Created = dbTime(se.Created), dbTime(se.Expires), dbTime(u.Created)
	return se, u, nil
}

// DeleteSession ends session id; a missing one is not an error.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	if _, err := s.pool.Exec(ctx, `DELETE FROM sessions WHERE id = $1`, id); err != nil {
		return dbFail(ctx, "delete session", err)
	}
	return nil
}

// AppendAudit appends e (its ID is assigned, At set to now if zero);
// Before and After must be JSON or empty (EINVALID otherwise).
func (s *Store) AppendAudit(ctx context.Context, e planner.AuditEntry) error {
	if err := appendAudit(ctx, s.pool, e); err != nil {
		return dbFail(ctx, "append audit", err)
	}
	return nil
}

// Audit returns up to limit entries, newest first, with ID < before
// (before ≤ 0: from the newest). Before and After are the JSON as
// PostgreSQL's jsonb keeps it (equal in meaning, keys possibly in another
// order), nil when absent.
func (s *Store) Audit(ctx context.Context, before int64, limit int) ([]planner.AuditEntry, error) {
	if limit <= 0 {
		return []planner.AuditEntry{}, nil
	}
	if before <= 0 {
		before = math.MaxInt64
	}
	rows, _ := s.pool.Query(ctx, `SELECT id, at, actor, action, kind, record_id, before, after
		FROM audit WHERE id < $1 ORDER BY id DESC LIMIT $2`, before, limit)
	es, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (e planner.AuditEntry, err error) {
		var b, a []byte
		err = row.Scan(&e.ID, &e.At, &e.Actor, &e.Action, &e.Kind, &e.RecordID, &b, &a)
		e.At = dbTime(e.At)
		if b != nil {
			e.Before = b
		}
		if a != nil {
			e.After = a
		}
		return e, err
	})
	if err != nil {
		return nil, dbFail(ctx, "audit", err)
	}
	return es, nil
}

// SavePlan stores p; ECONFLICT if its ID exists.
func (s *Store) SavePlan(ctx context.Context, p planner.PlanDoc) error {
	if p.ID == "" {
		return planner.Errorf(planner.EINVALID, "plan id is required")
	}
	body := p.Body
	if body == nil {
		body = []byte{}
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO plans (id, owner, created, body) VALUES ($1, $2, $3, $4)`, p.ID, p.Owner, p.Created, body)
	if pgCode(err) == uniqueViolation {
		return planner.Errorf(planner.ECONFLICT, "plan %q already exists", p.ID)
	} else if err != nil {
		return dbFail(ctx, "save plan", err)
	}
	return nil
}

// PlanDoc returns plan id; ENOTFOUND if none.
func (s *Store) PlanDoc(ctx context.Context, id string) (planner.PlanDoc, error) {
	var p planner.PlanDoc
	err := s.pool.QueryRow(ctx, `SELECT id, owner, created, body FROM plans WHERE id = $1`, id).Scan(&p.ID, &p.Owner, &p.Created, &p.Body)
	if errors.Is(err, pgx.ErrNoRows) {
		return planner.PlanDoc{}, planner.Errorf(planner.ENOTFOUND, "no plan %q", id)
	} else if err != nil {
		return planner.PlanDoc{}, dbFail(ctx, "plan", err)
	}
	p.Created = dbTime(p.Created)
	return p, nil
}

const shareCols = `id, plan_id, unit, created, expires, revoked`

func scanShare(row pgx.Row) (l planner.ShareLink, err error) {
	err = row.Scan(&l.ID, &l.PlanID, &l.Unit, &l.Created, &l.Expires, &l.Revoked)
	l.Created, l.Expires = dbTime(l.Created), dbTime(l.Expires)
	return l, err
}

// CreateShare stores l; ECONFLICT if its ID exists, ENOTFOUND if its plan
// does not.
func (s *Store) CreateShare(ctx context.Context, l planner.ShareLink) error {
	if l.ID == "" {
		return planner.Errorf(planner.EINVALID, "share id is required")
	}
	_, err := s.pool.Exec(ctx, `INSERT INTO shares (`+shareCols+`) VALUES ($1, $2, $3, $4, $5, $6)`,
		l.ID, l.PlanID, l.Unit, l.Created, l.Expires, l.Revoked)
	switch pgCode(err) {
	case "":
	case uniqueViolation:
		return planner.Errorf(planner.ECONFLICT, "share link exists")
	case foreignKeyViolation:
		return planner.Errorf(planner.ENOTFOUND, "no plan %q", l.PlanID)
	}
	if err != nil {
		return dbFail(ctx, "create share", err)
	}
	return nil
}

// ShareByID returns link id; ENOTFOUND if none, if it was revoked or if it
// expired at or before at.
func (s *Store) ShareByID(ctx context.Context, id string, at time.Time) (planner.ShareLink, error) {
	l, err := scanShare(s.pool.QueryRow(ctx, `SELECT `+shareCols+` FROM shares WHERE id = $1 AND NOT revoked AND expires > $2`, id, at))
	if errors.Is(err, pgx.ErrNoRows) {
		return planner.ShareLink{}, planner.Errorf(planner.ENOTFOUND, "no such share link, or it was revoked or expired")
	} else if err != nil {
		return planner.ShareLink{}, dbFail(ctx, "share", err)
	}
	return l, nil
}

// SharesOfPlan lists a plan's links, revoked and expired ones too, oldest
// first.
func (s *Store) SharesOfPlan(ctx context.Context, planID string) ([]planner.ShareLink, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+shareCols+` FROM shares WHERE plan_id = $1 ORDER BY created, unit, id`, planID)
	ls, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (planner.ShareLink, error) { return scanShare(row) })
	if err != nil {
		return nil, dbFail(ctx, "shares", err)
	}
	return ls, nil
}

// RevokeShare revokes link id for good; ENOTFOUND if none. It appends a
// "share revoke" audit entry.
func (s *Store) RevokeShare(ctx context.Context, id string) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return dbFail(ctx, "begin", err)
	}
	defer tx.Rollback(context.Background())
	old, err := scanShare(tx.QueryRow(ctx, `SELECT `+shareCols+` FROM shares WHERE id = $1 FOR UPDATE`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return planner.Errorf(planner.ENOTFOUND, "no such share link")
	} else if err != nil {
		return dbFail(ctx, "share", err)
	}
	if _, err := tx.Exec(ctx, `UPDATE shares SET revoked = true WHERE id = $1`, id); err != nil {
		return dbFail(ctx, "revoke share", err)
	}
	nl := old
	nl.Revoked = true
	if err := appendAudit(ctx, tx, planner.AuditEntry{Actor: planner.ActorFrom(ctx), Action: "share revoke",
		Kind: "share", Before: auditJSON(old), After: auditJSON(nl)}); err != nil {
		return dbFail(ctx, "audit", err)
	}
	return commit(ctx, tx, "revoke share")
}

const scenarioCols = `id, name, owner, edits, created, updated, version`

func scanScenario(row pgx.Row) (sc planner.Scenario, err error) {
	var edits []byte
	if err = row.Scan(&sc.ID, &sc.Name, &sc.Owner, &edits, &sc.Created, &sc.Updated, &sc.Version); err != nil {
		return sc, err
	}
	sc.Created, sc.Updated = dbTime(sc.Created), dbTime(sc.Updated)
	if err := json.Unmarshal(edits, &sc.Edits); err != nil {
		return sc, fmt.Errorf("scenario %d edits: %w", sc.ID, err)
	}
	return sc, nil
}

// checkScenario validates sc's name and edits and returns the edits as
// they are stored (validated copies, defaults filled in) and their JSON.
func checkScenario(sc *planner.Scenario) (string, error) {
	if strings.TrimSpace(sc.Name) == "" {
		return "", planner.Errorf(planner.EINVALID, "scenario name is required")
	}
	sc.Edits = cloneEdits(sc.Edits)
	for i := range sc.Edits {
		if err := sc.Edits[i].Validate(); err != nil {
			return "", fmt.Errorf("edit %d: %w", i+1, err)
		}
	}
	b, err := json.Marshal(sc.Edits)
	if err != nil {
		return "", planner.Errorf(planner.EINVALID, "scenario edits: %v", err)
	}
	return string(b), nil
}

// CreateScenario stores sc with a new ID, Version 1 and Created and
// Updated now; EINVALID for an empty name or an invalid edit. It appends a
// "scenario create" audit entry.
func (s *Store) CreateScenario(ctx context.Context, sc planner.Scenario) (planner.Scenario, error) {
	edits, err := checkScenario(&sc)
	if err != nil {
		return planner.Scenario{}, err
	}
	sc.Created, sc.Version = now(), 1
	sc.Updated = sc.Created
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return planner.Scenario{}, dbFail(ctx, "begin", err)
	}
	defer tx.Rollback(context.Background())
	if err := tx.QueryRow(ctx, `INSERT INTO scenarios (name, owner, edits, created, updated, version)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`, sc.Name, sc.Owner, edits, sc.Created, sc.Updated, sc.Version).Scan(&sc.ID); err != nil {
		return planner.Scenario{}, dbFail(ctx, "create scenario", err)
	}
	if err := appendAudit(ctx, tx, planner.AuditEntry{Actor: planner.ActorFrom(ctx), Action: "scenario create",
		Kind: "scenario", RecordID: sc.ID, After: auditJSON(sc)}); err != nil {
		return planner.Scenario{}, dbFail(ctx, "audit", err)
	}
	if err := commit(ctx, tx, "create scenario"); err != nil {
		return planner.Scenario{}, err
	}
	return sc, nil
}

// Scenario returns scenario id; ENOTFOUND if none.
func (s *Store) Scenario(ctx context.Context, id int64) (planner.Scenario, error) {
	sc, err := scanScenario(s.pool.QueryRow(ctx, `SELECT `+scenarioCols+` FROM scenarios WHERE id = $1`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return planner.Scenario{}, planner.Errorf(planner.ENOTFOUND, "scenario %d does not exist", id)
	} else if err != nil {
		return planner.Scenario{}, dbFail(ctx, "scenario", err)
	}
	return sc, nil
}

// Scenarios lists every scenario by ID.
func (s *Store) Scenarios(ctx context.Context) ([]planner.Scenario, error) {
	rows, _ := s.pool.Query(ctx, `SELECT `+scenarioCols+` FROM scenarios ORDER BY id`)
	scs, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (planner.Scenario, error) { return scanScenario(row) })
	if err != nil {
		return nil, dbFail(ctx, "scenarios", err)
	}
	return scs, nil
}

// lockScenario reads scenario id for update inside tx and checks that
// version is current.
func lockScenario(ctx context.Context, tx pgx.Tx, id, version int64) (planner.Scenario, error) {
	old, err := scanScenario(tx.QueryRow(ctx, `SELECT `+scenarioCols+` FROM scenarios WHERE id = $1 FOR UPDATE`, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return old, planner.Errorf(planner.ENOTFOUND, "scenario %d does not exist", id)
	} else if err != nil {
		return old, dbFail(ctx, "scenario", err)
	}
	if old.Version != version {
		return old, planner.Errorf(planner.ECONFLICT,
			"scenario %d was changed by someone else (version %d, you edited version %d); reload and edit again", id, old.Version, version)
	}
	return old, nil
}

// UpdateScenario replaces name and edits of sc.ID if sc.Version is
// current (ECONFLICT otherwise; ENOTFOUND if missing) and returns it with
// the next Version and Updated now. It appends a "scenario update" audit
// entry.
func (s *Store) UpdateScenario(ctx context.Context, sc planner.Scenario) (planner.Scenario, error) {
	edits, err := checkScenario(&sc)
	if err != nil {
		return planner.Scenario{}, err
	}
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return planner.Scenario{}, dbFail(ctx, "begin", err)
	}
	defer tx.Rollback(context.Background())
	old, err := lockScenario(ctx, tx, sc.ID, sc.Version)
	if err != nil {
		return planner.Scenario{}, err
	}
	nsc := old
	nsc.Name, nsc.Edits, nsc.Updated, nsc.Version = sc.Name, sc.Edits, now(), old.Version+1
	if _, err := tx.Exec(ctx, `UPDATE scenarios SET name = $2, edits = $3, updated = $4, version = $5 WHERE id = $1`,
		nsc.ID, nsc.Name, edits, nsc.Updated, nsc.Version); err != nil {
		return planner.Scenario{}, dbFail(ctx, "update scenario", err)
	}
	if err := appendAudit(ctx, tx, planner.AuditEntry{Actor: planner.ActorFrom(ctx), Action: "scenario update",
		Kind: "scenario", RecordID: nsc.ID, Before: auditJSON(old), After: auditJSON(nsc)}); err != nil {
		return planner.Scenario{}, dbFail(ctx, "audit", err)
	}
	if err := commit(ctx, tx, "update scenario"); err != nil {
		return planner.Scenario{}, err
	}
	return nsc, nil
}

// DeleteScenario deletes scenario id if version is current (ECONFLICT
// otherwise; ENOTFOUND if missing). It appends a "scenario delete" audit
// entry.
func (s *Store) DeleteScenario(ctx context.Context, id, version int64) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return dbFail(ctx, "begin", err)
	}
	defer tx.Rollback(context.Background())
	old, err := lockScenario(ctx, tx, id, version)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `DELETE FROM scenarios WHERE id = $1`, id); err != nil {
		return dbFail(ctx, "delete scenario", err)
	}
	if err := appendAudit(ctx, tx, planner.AuditEntry{Actor: planner.ActorFrom(ctx), Action: "scenario delete",
		Kind: "scenario", RecordID: id, Before: auditJSON(old)}); err != nil {
		return dbFail(ctx, "audit", err)
	}
	return commit(ctx, tx, "delete scenario")
}
