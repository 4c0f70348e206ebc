package main

import (
	"context"
	"fmt"

	"github.com/tidewatch/tidewatch/data/postgis"
	"github.com/tidewatch/tidewatch/data/sqlite"
)

// runMigrate brings a store's schema up to date (what every command does
// on open) and prints the schema version; operators run it once before
// rolling out a new build to several servers.
func (m *Main) runMigrate(ctx context.Context, args []string) error {
	fs := m.newFlagSet("migrate")
	db := fs.String("db", "", "workspace store: a SQLite file path or a postgres:// URL")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *db == "" {
		return usageError{"migrate: --db is required"}
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	kind, version := "sqlite", sqlite.SchemaVersion()
	if isPostgresURL(*db) {
		kind, version = "postgis", postgis.SchemaVersion()
	}
	fmt.Fprintf(m.Stdout, "%s schema version %d (up to date)\n", kind, version)
	return nil
}
