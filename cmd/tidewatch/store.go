package main

import (
	"context"
	"strings"

	"github.com/tidewatch/tidewatch/data/sqlite"
	"github.com/tidewatch/tidewatch/planner"
)

// openStore opens the store a --db value names: a file path is the
// embedded SQLite store; postgres:// URLs are the PostGIS store.
func openStore(ctx context.Context, db string) (planner.Store, error) {
	switch {
	case db == "":
		return nil, usageError{"--db is required (a file path such as ws.db)"}
	case strings.HasPrefix(db, "postgres://"), strings.HasPrefix(db, "postgresql://"):
		return nil, planner.Errorf(planner.ENOTIMPLEMENTED, "the PostGIS store is not in this build yet; use a file path for --db")
	}
	return sqlite.Open(ctx, db)
}
