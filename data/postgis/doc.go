// Package postgis is Tidewatch's shared planner.Store: a PostgreSQL +
// PostGIS database that several servers of one city bureau use at once,
// and whose tables GIS staff open directly in QGIS. pgx/v5 lives here
// only; Open takes a postgres:// URL and keeps a pgxpool.
//
// Schema: one table per layer (roads, grids, cameras, kiosks, incidents,
// sites, units + unit_shifts, buildings) plus the workspace row, each
// layer with a geometry column in SRID 4326 (lon,lat WGS84) —
// geometry(LineString|Polygon|Point, 4326) — and a GiST index on it. The
// schema is versioned: migrations/NNNN_*.sql are embedded and applied in
// order, each in its own transaction under a transaction-level advisory
// lock (servers starting together apply each step once), and recorded in
// schema_migrations. A database whose schema is newer than this build is
// an EINVALID error. Tables go in the first schema of the connection's
// search_path (add ?search_path=tidewatch to the URL to keep them apart).
//
// Exact values: PostGIS rejects shapes a workspace may hold (a line of one
// point, an unclosed ring, an empty ring) and GiST boxes are float4, so the
// geometry columns are derived copies and Tidewatch never reads them:
//   - positions are lon, lat float8 columns (float64 bits exact: -0,
//     subnormals, ±Inf); geom is GENERATED ALWAYS AS
//     ST_SetSRID(ST_MakePoint(lon, lat), 4326), so it can never disagree;
//   - lines and polygons are a wkb bytea column (2D little-endian WKB, the
//     codec shared with data/sqlite in data/internal/wkb); the store writes
//     geom in the same row as that WKB with SRID 4326 (EWKB), or NULL when
//     PostGIS would reject the shape or a coordinate is not finite;
//   - times are timestamptz (microseconds, what SQL and QGIS see) plus
//     time_ns, the 0–999 nanoseconds after it;
//   - Camera.Defaulted and Notes are text[]; a travel direction a mode may
//     not use is NULL.
//
// Round trip: LoadWorkspace returns a workspace equal, bit for bit, to
// storetest.Normalized of what ReplaceWorkspace stored (slices in order,
// empty slices as nil, times in UTC, negative travel costs as NoAccess).
// Unlike data/sqlite, NaN floats are stored as they are. Text must be
// valid UTF-8 without NUL bytes, and times must lie within PostgreSQL's
// timestamptz range (4713 BC – 294276 AD); anything else is EINVALID.
//
// Writes: ReplaceWorkspace runs in ONE transaction: an advisory lock
// serialises writers on every server, DELETE empties the tables (not
// TRUNCATE, which is not MVCC-safe for readers holding older snapshots),
// and COPY (pgx CopyFrom) fills them. On any error, including a cancelled
// context, the database is unchanged. A duplicate ID within a slice
// violates a primary key (SQLSTATE 23505) and is EINVALID.
//
// Reads: LoadWorkspace reads every table in one read-only REPEATABLE READ
// transaction, so it sees exactly one committed workspace even while
// another server replaces it; ENOTFOUND when none was stored. Editing the
// tables in QGIS is not supported: the next ReplaceWorkspace overwrites
// them, and a derived geometry edited there is not read back.
package postgis
