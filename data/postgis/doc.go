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
// Reads: LoadWorkspace reads every table and the revision in one
// read-only REPEATABLE READ transaction, so it sees exactly one committed
// workspace even while another server replaces or edits it; ENOTFOUND
// when none was stored. Editing the tables in QGIS is not supported: the
// next ReplaceWorkspace overwrites them, and a derived geometry edited
// there is not read back.
//
// Revisions and edits (schema version 2): store_revision holds the one
// revision counter (0 for an empty store); cameras, kiosks and units carry
// the revision that last wrote them in version. ReplaceWorkspace raises the
// revision right after its advisory lock (UPDATE, which locks the row);
// ApplyEdits starts with SELECT ... FOR UPDATE on the same row. So every
// writer on every server runs one at a time, and because each later
// statement of a READ COMMITTED transaction takes a new snapshot, an edit
// batch checks versions against whatever the previous writer committed:
// no update is lost. Each edit is a few indexed statements (read the row,
// check its version, UPDATE/INSERT/DELETE it and append its audit row); a
// create takes max(id)+1 of its kind and the next seq, so seq keeps the
// workspace order (with gaps after deletes; loads order rows by seq).
// Camera and kiosk geom columns are generated from lon, lat, so QGIS sees
// edits at once. A workspace stored under schema version 1 becomes
// revision 1 with every version 1.
//
// Accounts and the audit log: users (names unique, byte-wise), sessions
// (id = hex SHA-256 of the token; expired at or after their expiry time),
// audit (identity id, before/after jsonb: equal in meaning to what was
// appended, though jsonb may reorder keys and respace), plans (body bytea,
// kept byte for byte), shares (referencing plans) and scenarios (edits as
// jsonb). Writes that are audited append their entry in the same
// transaction. Times the store sets itself are UTC whole microseconds
// (timestamptz precision), so what it returns equals what it reads later;
// every time is read back in UTC. Unique violations are ECONFLICT, a
// missing referenced user or plan ENOTFOUND, and values PostgreSQL cannot
// hold (a NUL byte, invalid audit JSON) EINVALID.
package postgis
