package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	mig "github.com/tidewatch/tidewatch/data/internal/migration"
	"io/fs"
	"time"

	"github.com/tidewatch/tidewatch/planner"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migration is one embedded schema step.
type migration = mig.Step

// loadMigrations reads the embedded migrations (see data/internal/migration).
func loadMigrations(fsys fs.FS) ([]migration, error) { return mig.Load(fsys, "sqlite") }

// SchemaVersion is the newest schema version this build knows.
func SchemaVersion() int {
	ms, err := loadMigrations(migrationFS)
	if err != nil {
		panic(err) // the embedded files are fixed at build time
	}
	return len(ms)
}

// migrate brings db up to the newest embedded schema. Each migration runs
// in its own write transaction together with its schema_migrations row, so
// a failed step leaves the previous version intact. A database whose schema
// is newer than this build is refused with an EINVALID error.
func migrate(ctx context.Context, db *sql.DB, ms []migration) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT NOT NULL,
		applied_at TEXT NOT NULL
	) STRICT`); err != nil {
		return fmt.Errorf("sqlite: create schema_migrations: %w", err)
	}
	for {
		done, err := migrateStep(ctx, db, ms)
		if err != nil || done {
			return err
		}
	}
}

// migrateStep applies the next pending migration, reporting done when
// there is none. The version is read inside the (immediate) transaction so
// two processes opening the same file do not both apply a step.
func migrateStep(ctx context.Context, db *sql.DB, ms []migration) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("sqlite: migrate: %w", err)
	}
	defer tx.Rollback()
	var cur int
	if err := tx.QueryRowContext(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&cur); err != nil {
		return false, fmt.Errorf("sqlite: read schema version: %w", err)
	}
	if cur > len(ms) {
		return false, planner.Errorf(planner.EINVALID,
			"database schema version %d is newer than this build of Tidewatch supports (%d): upgrade Tidewatch", cur, len(ms))
	}
	if cur == len(ms) {
		return true, nil
	}
	m := ms[cur]
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return false, fmt.Errorf("sqlite: migration %s: %w", m.Name, err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.Version, m.Name, time.Now().UTC().Format(time.RFC3339)); err != nil {
		return false, fmt.Errorf("sqlite: record migration %s: %w", m.Name, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("sqlite: commit migration %s: %w", m.Name, err)
	}
	return false, nil
}
