-- Tidewatch workspace schema, version 1.
--
-- Conventions: positions are lon,lat WGS84 degrees; geometries are WKB
-- (little-endian, 2D, lon,lat); lengths metres, travel costs seconds.
-- Tables are STRICT. Float columns are declared ANY so SQLite keeps the
-- float64 bits exactly (a REAL column would fold -0.0 into 0).
-- seq is the record's position in the workspace slice and the rowid, so
-- inserts append and loads read in order without sorting; id is the
-- record's own (unique) ID.

CREATE TABLE workspace (
	id      INTEGER PRIMARY KEY CHECK (id = 1),
	name    TEXT NOT NULL,
	min_lon ANY NOT NULL, -- degrees; ±Inf for an empty bound
	min_lat ANY NOT NULL,
	max_lon ANY NOT NULL,
	max_lat ANY NOT NULL,
	notes   TEXT NOT NULL -- JSON array of strings
) STRICT;

CREATE TABLE roads (
	id          INTEGER NOT NULL UNIQUE,
	seq         INTEGER PRIMARY KEY,
	way_id      INTEGER NOT NULL,
	from_node   INTEGER NOT NULL,
	to_node     INTEGER NOT NULL,
	geometry    BLOB NOT NULL, -- WKB LineString, from_node → to_node
	highway     TEXT NOT NULL,
	name        TEXT NOT NULL,
	length_m    ANY NOT NULL,
	-- seconds per direction and mode; NULL = the mode may not go that way
	car_fwd_s   ANY,
	car_bwd_s   ANY,
	ebike_fwd_s ANY,
	ebike_bwd_s ANY,
	foot_fwd_s  ANY,
	foot_bwd_s  ANY
) STRICT;

CREATE TABLE grids (
	id         INTEGER NOT NULL UNIQUE,
	seq        INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	polygon    BLOB NOT NULL, -- WKB Polygon
	population ANY,           -- NULL when unknown
	risk       ANY,           -- NULL when unset
	generated  INTEGER NOT NULL CHECK (generated IN (0, 1))
) STRICT;

CREATE TABLE cameras (
	id            INTEGER NOT NULL UNIQUE,
	seq           INTEGER PRIMARY KEY,
	ref           TEXT NOT NULL,
	name          TEXT NOT NULL,
	lon           ANY NOT NULL,
	lat           ANY NOT NULL,
	kind          TEXT NOT NULL,
	direction_deg ANY NOT NULL,
	fov_deg       ANY NOT NULL,
	range_m       ANY NOT NULL,
	defaulted     TEXT NOT NULL, -- JSON array of field names
	source        TEXT NOT NULL
) STRICT;

CREATE TABLE kiosks (
	id       INTEGER NOT NULL UNIQUE,
	seq      INTEGER PRIMARY KEY,
	ref      TEXT NOT NULL,
	name     TEXT NOT NULL,
	lon      ANY NOT NULL,
	lat      ANY NOT NULL,
	staff    INTEGER NOT NULL,
	vehicles INTEGER NOT NULL,
	source   TEXT NOT NULL
) STRICT;

CREATE TABLE incidents (
	id       INTEGER NOT NULL UNIQUE,
	seq      INTEGER PRIMARY KEY,
	ref      TEXT NOT NULL,
	lon      ANY NOT NULL,
	lat      ANY NOT NULL,
	time     TEXT NOT NULL, -- UTC, 2006-01-02T15:04:05.000000000Z
	category TEXT NOT NULL,
	weight   ANY NOT NULL,
	source   TEXT NOT NULL
) STRICT;

CREATE TABLE sites (
	id       INTEGER NOT NULL UNIQUE,
	seq      INTEGER PRIMARY KEY,
	ref      TEXT NOT NULL,
	name     TEXT NOT NULL,
	category TEXT NOT NULL,
	lon      ANY NOT NULL,
	lat      ANY NOT NULL,
	area     BLOB, -- WKB Polygon, NULL when the site has no outline
	tier     INTEGER NOT NULL, -- minutes
	source   TEXT NOT NULL
) STRICT;

CREATE TABLE units (
	id         INTEGER NOT NULL UNIQUE,
	seq        INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	kind       TEXT NOT NULL,
	home_kiosk INTEGER NOT NULL -- kiosks.id (not enforced: imports may be partial)
) STRICT;

CREATE TABLE unit_shifts (
	unit_id   INTEGER NOT NULL REFERENCES units (id) ON DELETE CASCADE,
	seq       INTEGER NOT NULL,
	start_min INTEGER NOT NULL, -- minutes after local midnight
	end_min   INTEGER NOT NULL, -- may be < start_min across midnight
	PRIMARY KEY (unit_id, seq)
) STRICT, WITHOUT ROWID;

CREATE TABLE buildings (
	id       INTEGER NOT NULL UNIQUE,
	seq      INTEGER PRIMARY KEY,
	osm_id   INTEGER NOT NULL,
	polygon  BLOB NOT NULL, -- WKB Polygon
	levels_m ANY NOT NULL   -- metres, 0 when unknown
) STRICT;
