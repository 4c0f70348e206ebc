package postgis

import (
	"context"
	"embed"
	mig "github.com/tidewatch/tidewatch/data/internal/migration"
	"io/fs"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/tidewatch/tidewatch/planner"
)

//go:embed migrations/*.sql
var migrationFS embed.FS

// migrateLockKey is the pg_advisory_xact_lock key that serialises schema
// migrations between servers sharing a database ("tidewatch-migrate").
const migrateLockKey int64 = 0x7469_6465_6d69_6772

// migration is one embedded schema step.
type migration = mig.Step

// loadMigrations reads the embedded migrations (see data/internal/migration).
func loadMigrations(fsys fs.FS) ([]migration, error) { return mig.Load(fsys, "postgis") }

// SchemaVersion is the newest schema version this build knows.
func SchemaVersion() int {
	ms, err := loadMigrations(migrationFS)
	if err != nil {
		panic(err) // the embedded files are fixed at build time
	}
	return len(ms)
}

// migrate brings the database up to the newest of ms. Each step runs in its
// own transaction together with its schema_migrations row, under a
// transaction-level advisory lock, so servers starting at once apply every
// step exactly once and a failed step leaves the previous version intact.
// A database whose schema is newer than ms is refused with EINVALID.
func migrate(ctx context.Context, pool *pgxpool.Pool, ms []migration) error {
	for {
		done, err := migrateStep(ctx, pool, ms)
		if err != nil || done {
			return err
		}
	}
}

// migrateStep applies the next pending migration, reporting done when
// there is none.
func migrateStep(ctx context.Context, pool *pgxpool.Pool, ms []migration) (done bool, err error) {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return false, fail(ctx, "migrate", err)
	}
	defer tx.Rollback(context.Background())
	// The lock comes first: CREATE TABLE IF NOT EXISTS itself races when
	// two sessions run it at once.
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", migrateLockKey); err != nil {
		return false, fail(ctx, "migrate: lock", err)
	}
	if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer PRIMARY KEY,
		name       text NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`); err != nil {
		return false, fail(ctx, "create schema_migrations", err)
	}
	var cur int
	if err := tx.QueryRow(ctx, `SELECT coalesce(max(version), 0) FROM schema_migrations`).Scan(&cur); err != nil {
		return false, fail(ctx, "read schema version", err)
	}
	if cur > len(ms) {
		return false, planner.Errorf(planner.EINVALID,
			"database schema version %d is newer than this build of Tidewatch supports (%d): upgrade Tidewatch", cur, len(ms))
	}
	if cur == len(ms) {
		return true, tx.Commit(ctx)
	}
	m := ms[cur]
	// Simple protocol: a migration is several statements.
	if _, err := tx.Exec(ctx, m.SQL, pgx.QueryExecModeSimpleProtocol); err != nil {
		return false, fail(ctx, "migration "+m.Name, err)
	}
	if _, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
		return false, fail(ctx, "record migration "+m.Name, err)
	}
	if err := tx.Commit(ctx); err != nil {
		return false, fail(ctx, "commit migration "+m.Name, err)
	}
	return false, nil
}
