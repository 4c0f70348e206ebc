package sqlite

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/tidewatch/tidewatch/planner"
)

// failKeyed is fail for everything but a workspace import: the context's
// error when it ended, a *planner.Error unchanged, ECONFLICT for a
// duplicate key, EINVALID for any other constraint violation, else a
// wrapped internal error.
func failKeyed(ctx context.Context, op string, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return fmt.Errorf("sqlite: %s: %w", op, cerr)
	}
	var pe *planner.Error
	if errors.As(err, &pe) {
		return err
	}
	var se *sqlite.Error
	if errors.As(err, &se) && se.Code()&0xff == sqlite3.SQLITE_CONSTRAINT {
		switch se.Code() {
		case sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY, sqlite3.SQLITE_CONSTRAINT_UNIQUE:
			return planner.Errorf(planner.ECONFLICT, "%s: already exists", op)
		}
		return planner.Errorf(planner.EINVALID, "%s rejected: %v", op, err)
	}
	return fmt.Errorf("sqlite: %s: %w", op, err)
}

// decodeTime parses a time column (timeLayout); the result is in UTC.
func decodeTime(s string) (time.Time, error) { return time.Parse(timeLayout, s) }

// nowIfZero returns t in UTC, or the current time when t is zero.
func nowIfZero(t time.Time) time.Time {
	if t.IsZero() {
		t = time.Now()
	}
	return t.UTC()
}

// isTokenHash reports whether id looks like a hex SHA-256 (64 lower-case
// hex digits), the only kind of secret-derived ID the store keeps.
func isTokenHash(id string) bool {
	if len(id) != 64 {
		return false
	}
	for _, c := range id {
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f') {
			return false
		}
	}
	return true
}

// flag is the 0/1 column value of b.
func flag(b bool) int {
	if b {
		return 1
	}
	return 0
}

// ---- Users and sessions ----

const userCols = "id, name, role, password_hash, disabled, created, version"

// scanUser scans one users row (userCols order) into u.
func scanUser(sc scanner, u *planner.User) error {
	var created string
	if err := sc(&u.ID, &u.Name, &u.Role, &u.PasswordHash, &u.Disabled, &created, &u.Version); err != nil {
		return err
	}
	var err error
	u.Created, err = decodeTime(created)
	return err
}

// userByID reads user id inside tx; ENOTFOUND if there is none.
func userByID(ctx context.Context, tx *sql.Tx, id int64) (planner.User, error) {
	var u planner.User
	err := scanUser(tx.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE id = ?`, id).Scan, &u)
	if errors.Is(err, sql.ErrNoRows) {
		return u, planner.Errorf(planner.ENOTFOUND, "user %d does not exist", id)
	}
	return u, err
}

// checkUser validates the name and role of u.
func checkUser(u *planner.User) error {
	if strings.TrimSpace(u.Name) == "" {
		return planner.Errorf(planner.EINVALID, "user name is required")
	}
	_, err := planner.ParseRole(string(u.Role))
	return err
}

// CreateUser stores u with a new ID, Version 1 and Created now (when zero;
// times are kept in UTC). ECONFLICT if the name is taken (names are
// compared exactly, byte for byte); EINVALID for a blank name or an
// unknown role. It appends an audit entry ("user create", kind "user",
// After: the user without its password hash).
func (s *Store) CreateUser(ctx context.Context, u planner.User) (planner.User, error) {
	if err := checkUser(&u); err != nil {
		return planner.User{}, err
	}
	u.Created, u.Version = nowIfZero(u.Created), 1
	created, err := encodeTime(u.Created)
	if err != nil {
		return planner.User{}, err
	}
	err = s.write(ctx, "create user", func(tx *sql.Tx) error {
		var taken bool
		if err := tx.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users WHERE name = ?)`, u.Name).Scan(&taken); err != nil {
			return failKeyed(ctx, "create user", err)
		}
		if taken {
			return planner.Errorf(planner.ECONFLICT, "user name %q is taken", u.Name)
		}
		if err := tx.QueryRowContext(ctx, `INSERT INTO users (name, role, password_hash, disabled, created, version)
			VALUES (?, ?, ?, ?, ?, ?) RETURNING id`, u.Name, string(u.Role), u.PasswordHash, flag(u.Disabled), created, u.Version).
			Scan(&u.ID); err != nil {
			return failKeyed(ctx, "create user", err)
		}
		return auditChange(ctx, tx, "user create", "user", u.ID, nil, u)
	})
	if err != nil {
		return planner.User{}, err
	}
	return u, nil
}

// UserByName returns the user called name (exactly); ENOTFOUND if none.
func (s *Store) UserByName(ctx context.Context, name string) (planner.User, error) {
	var u planner.User
	err := scanUser(s.db.QueryRowContext(ctx, `SELECT `+userCols+` FROM users WHERE name = ?`, name).Scan, &u)
	if errors.Is(err, sql.ErrNoRows) {
		return planner.User{}, planner.Errorf(planner.ENOTFOUND, "no user is called %q", name)
	} else if err != nil {
		return planner.User{}, failKeyed(ctx, "user by name", err)
	}
	return u, nil
}

// Users lists every user by ID.
func (s *Store) Users(ctx context.Context) ([]planner.User, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+userCols+` FROM users ORDER BY id`)
	if err != nil {
		return nil, failKeyed(ctx, "users", err)
	}
	defer rows.Close()
	var out []planner.User
	for rows.Next() {
		var u planner.User
		if err := scanUser(rows.Scan, &u); err != nil {
			return nil, failKeyed(ctx, "users", err)
		}
		out = append(out, u)
	}
	if err := rows.Err(); err != nil {
		return nil, failKeyed(ctx, "users", err)
	}
	return out, nil
}

// UpdateUser replaces role, password hash and disabled flag of user u.ID
// (its name and Created stay) if u.Version is the stored one (ECONFLICT
// otherwise; ENOTFOUND if there is no such user; EINVALID for an unknown
// role) and returns the stored user with the next Version. It appends an
// audit entry ("user update", the user before and after, without password
// hashes).
func (s *Store) UpdateUser(ctx context.Context, u planner.User) (planner.User, error) {
	if _, err := planner.ParseRole(string(u.Role)); err != nil {
		return planner.User{}, err
	}
	var next planner.User
	err := s.write(ctx, "update user", func(tx *sql.Tx) error {
		old, err := userByID(ctx, tx, u.ID)
		if err != nil {
			return failKeyed(ctx, "update user", err)
		}
		if old.Version != u.Version {
			return planner.Errorf(planner.ECONFLICT, "user %q was changed by someone else (version %d, you edited version %d); reload and edit again",
				old.Name, old.Version, u.Version)
		}
		next = old
		next.Role, next.PasswordHash, next.Disabled, next.Version = u.Role, u.PasswordHash, u.Disabled, old.Version+1
		if _, err := tx.ExecContext(ctx, `UPDATE users SET role = ?, password_hash = ?, disabled = ?, version = ? WHERE id = ?`,
			string(next.Role), next.PasswordHash, flag(next.Disabled), next.Version, next.ID); err != nil {
			return failKeyed(ctx, "update user", err)
		}
		return auditChange(ctx, tx, "user update", "user", next.ID, old, next)
	})
	if err != nil {
		return planner.User{}, err
	}
	return next, nil
}

// CreateSession stores s. s.ID must be the hex SHA-256 of the token (64
// lower-case hex digits; EINVALID otherwise), never the token itself;
// ENOTFOUND if its user does not exist; ECONFLICT if the ID is taken.
// A zero Created becomes now.
func (s *Store) CreateSession(ctx context.Context, se planner.Session) error {
	if !isTokenHash(se.ID) {
		return planner.Errorf(planner.EINVALID, "session id: want the hex SHA-256 of the token")
	}
	created, err1 := encodeTime(nowIfZero(se.Created))
	expires, err2 := encodeTime(se.Expires)
	if err := errors.Join(err1, err2); err != nil {
		return err
	}
	return s.write(ctx, "create session", func(tx *sql.Tx) error {
		if _, err := userByID(ctx, tx, se.UserID); err != nil {
			return failKeyed(ctx, "create session", err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO sessions (id, user_id, csrf, bearer, created, expires) VALUES (?, ?, ?, ?, ?, ?)`,
			se.ID, se.UserID, se.CSRF, flag(se.Bearer), created, expires); err != nil {
			return failKeyed(ctx, "create session", err)
		}
		return nil
	})
}

// SessionByID returns the session with the given ID and its user, read
// together; ENOTFOUND if there is none or it has expired (a session
// stops working at the instant it expires).
func (s *Store) SessionByID(ctx context.Context, id string, now time.Time) (planner.Session, planner.User, error) {
	at, err := encodeTime(now)
	if err != nil {
		return planner.Session{}, planner.User{}, err
	}
	var se planner.Session
	var u planner.User
	var created, expires, userCreated string
	err = s.db.QueryRowContext(ctx, `SELECT s.user_id, s.csrf, s.bearer, s.created, s.expires,
		u.id, u.name, u.role, u.password_hash, u.disabled, u.created, u.version
		FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.id = ? AND s.expires > ?`, id, at).
		Scan(&se.UserID, &se.CSRF, &se.Bearer, &created, &expires,
			&u.ID, &u.Name, &u.Role, &u.PasswordHash, &u.Disabled, &userCreated, &u.Version)
	if errors.Is(err, sql.ErrNoRows) {
		return planner.Session{}, planner.User{}, planner.Errorf(planner.ENOTFOUND, "no such session, or it has expired")
	} else if err != nil {
		return planner.Session{}, planner.User{}, failKeyed(ctx, "session", err)
	}
	se.ID = id
	var e1, e2, e3 error
	se.Created, e1 = decodeTime(created)
	se.Expires, e2 = decodeTime(expires)
	u.Created, e3 = decodeTime(userCreated)
	if err := errors.Join(e1, e2, e3); err != nil {
		return planner.Session{}, planner.User{}, failKeyed(ctx, "session", err)
	}
	return se, u, nil
}

// DeleteSession ends a session; deleting a missing one is not an error.
func (s *Store) DeleteSession(ctx context.Context, id string) error {
	return s.write(ctx, "delete session", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM sessions WHERE id = ?`, id); err != nil {
			return failKeyed(ctx, "delete session", err)
		}
		return nil
	})
}

// ---- Audit log ----

// appendAudit inserts e into the audit log inside tx and returns its ID.
// A zero At becomes now; an empty or "null" Before or After is stored as
// NULL.
func appendAudit(ctx context.Context, tx *sql.Tx, e planner.AuditEntry) (int64, error) {
	at, err := encodeTime(nowIfZero(e.At))
	if err != nil {
		return 0, err
	}
	var id int64
	err = tx.QueryRowContext(ctx, `INSERT INTO audit (at, actor, action, kind, record_id, before, after)
		VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		at, e.Actor, e.Action, e.Kind, e.RecordID, jsonColumn(e.Before), jsonColumn(e.After)).Scan(&id)
	return id, err
}

// auditChange appends the audit entry of a change to record id of kind
// by the actor carried by ctx, with before and after (nil: absent)
// marshalled to JSON.
func auditChange(ctx context.Context, tx *sql.Tx, action, kind string, id int64, before, after any) error {
	e := planner.AuditEntry{Actor: planner.ActorFrom(ctx), Action: action, Kind: kind, RecordID: id}
	var err error
	if e.Before, err = jsonOrNull(before); err == nil {
		if e.After, err = jsonOrNull(after); err == nil {
			_, err = appendAudit(ctx, tx, e)
		}
	}
	if err != nil {
		return failKeyed(ctx, action+": audit", err)
	}
	return nil
}

// jsonColumn is the column value of a JSON document: NULL when absent or
// null, else its text.
func jsonColumn(m json.RawMessage) any {
	if len(m) == 0 || string(m) == "null" {
		return nil
	}
	return string(m)
}

// AppendAudit appends e: its ID is assigned, a zero At becomes now and an
// empty Actor the actor carried by ctx. EINVALID for an empty Action or a
// Before or After that is not valid JSON.
func (s *Store) AppendAudit(ctx context.Context, e planner.AuditEntry) error {
	if e.Action == "" {
		return planner.Errorf(planner.EINVALID, "audit entry without an action")
	}
	for _, m := range []json.RawMessage{e.Before, e.After} {
		if len(m) > 0 && !json.Valid(m) {
			return planner.Errorf(planner.EINVALID, "audit entry %q: before and after must be JSON", e.Action)
		}
	}
	if e.Actor == "" {
		e.Actor = planner.ActorFrom(ctx)
	}
	return s.write(ctx, "append audit", func(tx *sql.Tx) error {
		if _, err := appendAudit(ctx, tx, e); err != nil {
			return failKeyed(ctx, "append audit", err)
		}
		return nil
	})
}

// Audit returns up to limit entries, newest first, with ID < before
// (before ≤ 0 means from the newest); none for limit ≤ 0. An absent
// Before or After loads as nil (JSON null).
func (s *Store) Audit(ctx context.Context, before int64, limit int) ([]planner.AuditEntry, error) {
	if limit <= 0 {
		return nil, nil
	}
	if before <= 0 {
		before = math.MaxInt64
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, at, actor, action, kind, record_id, before, after
		FROM audit WHERE id < ? ORDER BY id DESC LIMIT ?`, before, limit)
	if err != nil {
		return nil, failKeyed(ctx, "audit", err)
	}
	defer rows.Close()
	var out []planner.AuditEntry
	for rows.Next() {
		var e planner.AuditEntry
		var at string
		var b, a []byte
		if err := rows.Scan(&e.ID, &at, &e.Actor, &e.Action, &e.Kind, &e.RecordID, &b, &a); err != nil {
			return nil, failKeyed(ctx, "audit", err)
		}
		if e.At, err = decodeTime(at); err != nil {
			return nil, failKeyed(ctx, "audit", err)
		}
		if b != nil {
			e.Before = json.RawMessage(b)
		}
		if a != nil {
			e.After = json.RawMessage(a)
		}
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, failKeyed(ctx, "audit", err)
	}
	return out, nil
}
