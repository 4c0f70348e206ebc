package main

import (
	"context"
	"strings"

	"github.com/tidewatch/tidewatch/data/postgis"
	"github.com/tidewatch/tidewatch/data/sqlite"
	"github.com/tidewatch/tidewatch/planner"
)

// openStore opens the store a --db value names: a file path is the
// embedded SQLite store; postgres:// URLs are the PostGIS store. Either is
// migrated to the newest schema this build knows.
func openStore(ctx context.Context, db string) (planner.Store, error) {
	switch {
	case db == "":
		return nil, usageError{"--db is required (a file path such as ws.db, or a postgres:// URL)"}
	case isPostgresURL(db):
		return postgis.Open(ctx, db)
	}
	return sqlite.Open(ctx, db)
}

// isPostgresURL reports whether a --db value names a PostgreSQL database.
func isPostgresURL(db string) bool {
	return strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://")
}
