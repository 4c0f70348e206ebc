// Package sqlite is Tidewatch's embedded planner.Store: one SQLite file
// (modernc.org/sqlite, pure Go, driver name "sqlite") in WAL mode with a
// busy timeout and foreign keys on.
//
// The schema is versioned: migrations/NNNN_*.sql are embedded and applied
// in order, each in its own transaction, and recorded in schema_migrations.
// Opening a file whose schema is newer than this build is an EINVALID error.
//
// Storage: positions are lon,lat WGS84 degrees in two columns; lines and
// polygons are little-endian 2D WKB (lon,lat), readable by GDAL/QGIS and
// PostGIS's ST_GeomFromWKB; float64 values keep their exact bits (STRICT
// tables, ANY columns); times are fixed-width UTC text with nanoseconds
// ("2006-01-02T15:04:05.000000000Z"); a travel direction a mode may not use
// is NULL. Lengths are metres, travel costs seconds, shifts minutes after
// local midnight.
//
// Revisions: a one-row table holds the store revision (0 for a new file),
// raised by one in every writing transaction of the workspace
// (ReplaceWorkspace, ApplyEdits with at least one edit); cameras, kiosks
// and units keep the revision that last wrote them in a version column.
// Writes run in BEGIN IMMEDIATE transactions, queued within the process
// and behind the file's write lock across processes, so a version read
// inside one stays current until it commits: concurrent editors of one
// record never lose an update. ApplyEdits reads and writes only the rows
// its edits touch. A file from schema version 1 that holds a workspace
// migrates to revision 1, every record at version 1.
//
// Alongside the workspace the file keeps users (unique names, exactly
// compared), sessions and share links (keyed by the hex SHA-256 of their
// tokens), the append-only audit log (before/after as JSON text, NULL when
// absent), plan documents (opaque BLOBs) and scenarios (edits as JSON).
// ReplaceWorkspace replaces only the workspace tables.
//
// Round trip: LoadWorkspace returns a workspace reflect.DeepEqual to
// storetest.Normalized of what ReplaceWorkspace stored, apart from
// Revision and the record Versions (the revision of the import):
//   - slices keep their order; an empty slice at any level (Roads, Notes,
//     Camera.Defaulted, Unit.Shifts, Site.Area, polygon rings, ring and line
//     points) loads as nil;
//   - times load in UTC (the same instant, nanoseconds kept, no monotonic
//     reading); years must lie in 0000–9999;
//   - any negative (or NaN) travel cost loads as planner.NoAccess;
//   - NaN cannot be stored: in a required float field it is rejected
//     (EINVALID), in Grid.Population/Risk it loads as nil.
//
// A duplicate ID within one slice violates a primary key: ReplaceWorkspace
// returns EINVALID and the previous workspace stays as it was.
package sqlite
