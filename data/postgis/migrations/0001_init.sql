-- Tidewatch workspace schema for PostgreSQL + PostGIS, version 1.
--
-- Every layer is one table with a geometry column in SRID 4326 (lon,lat
-- WGS84 degrees) and a GiST index, so QGIS and other GIS tools read the
-- tables directly. The geometry columns are DERIVED and never read back by
-- Tidewatch; the exact values live next to them:
--   * points: lon, lat float8 (exact float64 bits, -0 and ±Inf kept); geom
--     is a generated column ST_SetSRID(ST_MakePoint(lon, lat), 4326);
--   * lines and polygons: wkb bytea, 2D little-endian WKB with the exact
--     coordinates (empty and unclosed rings included); geom is the same
--     WKB with SRID 4326, written by the store in the same row, or NULL
--     when PostGIS would reject the shape (a line of < 2 points, a ring of
--     < 4 points or not closed, a non-finite coordinate).
-- Edit through Tidewatch, not in QGIS: the store replaces whole workspaces.
-- seq is the record's position in its workspace slice; id its unique ID.
-- Lengths metres, travel costs seconds, shifts minutes after midnight.

CREATE EXTENSION IF NOT EXISTS postgis;

CREATE TABLE workspace (
	id      integer PRIMARY KEY CHECK (id = 1),
	name    text NOT NULL,
	min_lon float8 NOT NULL, -- degrees; ±Infinity for an empty bound
	min_lat float8 NOT NULL,
	max_lon float8 NOT NULL,
	max_lat float8 NOT NULL,
	notes   text[] NOT NULL
);

CREATE TABLE roads (
	id          bigint PRIMARY KEY,
	seq         integer NOT NULL,
	way_id      bigint NOT NULL,
	from_node   bigint NOT NULL,
	to_node     bigint NOT NULL,
	wkb         bytea NOT NULL,             -- exact LineString, from_node → to_node
	geom        geometry(LineString, 4326), -- derived from wkb
	highway     text NOT NULL,
	name        text NOT NULL,
	length_m    float8 NOT NULL,
	-- seconds per direction and mode; NULL = the mode may not go that way
	car_fwd_s   float8,
	car_bwd_s   float8,
	ebike_fwd_s float8,
	ebike_bwd_s float8,
	foot_fwd_s  float8,
	foot_bwd_s  float8
);
CREATE INDEX roads_geom_idx ON roads USING gist (geom);

CREATE TABLE grids (
	id         bigint PRIMARY KEY,
	seq        integer NOT NULL,
	name       text NOT NULL,
	wkb        bytea NOT NULL,          -- exact Polygon
	geom       geometry(Polygon, 4326), -- derived from wkb
	population float8,                  -- NULL when unknown
	risk       float8,                  -- NULL when unset
	generated  boolean NOT NULL
);
CREATE INDEX grids_geom_idx ON grids USING gist (geom);

CREATE TABLE cameras (
	id            bigint PRIMARY KEY,
	seq           integer NOT NULL,
	ref           text NOT NULL,
	name          text NOT NULL,
	lon           float8 NOT NULL,
	lat           float8 NOT NULL,
	geom          geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED,
	kind          text NOT NULL,
	direction_deg float8 NOT NULL,
	fov_deg       float8 NOT NULL,
	range_m       float8 NOT NULL,
	defaulted     text[] NOT NULL, -- fields that came from documented defaults
	source        text NOT NULL
);
CREATE INDEX cameras_geom_idx ON cameras USING gist (geom);

CREATE TABLE kiosks (
	id       bigint PRIMARY KEY,
	seq      integer NOT NULL,
	ref      text NOT NULL,
	name     text NOT NULL,
	lon      float8 NOT NULL,
	lat      float8 NOT NULL,
	geom     geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED,
	staff    bigint NOT NULL,
	vehicles bigint NOT NULL,
	source   text NOT NULL
);
CREATE INDEX kiosks_geom_idx ON kiosks USING gist (geom);

CREATE TABLE incidents (
	id       bigint PRIMARY KEY,
	seq      integer NOT NULL,
	ref      text NOT NULL,
	lon      float8 NOT NULL,
	lat      float8 NOT NULL,
	geom     geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED,
	time     timestamptz NOT NULL, -- the instant, to the microsecond
	time_ns  smallint NOT NULL CHECK (time_ns BETWEEN 0 AND 999), -- nanoseconds after time
	category text NOT NULL,
	weight   float8 NOT NULL,
	source   text NOT NULL
);
CREATE INDEX incidents_geom_idx ON incidents USING gist (geom);

CREATE TABLE sites (
	id        bigint PRIMARY KEY,
	seq       integer NOT NULL,
	ref       text NOT NULL,
	name      text NOT NULL,
	category  text NOT NULL,
	lon       float8 NOT NULL,
	lat       float8 NOT NULL,
	geom      geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED,
	area_wkb  bytea,                   -- exact Polygon; NULL when the site has no outline
	area_geom geometry(Polygon, 4326), -- derived from area_wkb
	tier      bigint NOT NULL,         -- minutes
	source    text NOT NULL
);
CREATE INDEX sites_geom_idx ON sites USING gist (geom);
CREATE INDEX sites_area_geom_idx ON sites USING gist (area_geom);

CREATE TABLE units (
	id         bigint PRIMARY KEY,
	seq        integer NOT NULL,
	name       text NOT NULL,
	kind       text NOT NULL,
	home_kiosk bigint NOT NULL -- kiosks.id (not enforced: imports may be partial)
);

CREATE TABLE unit_shifts (
	unit_id   bigint NOT NULL REFERENCES units (id) ON DELETE CASCADE,
	seq       integer NOT NULL,
	start_min bigint NOT NULL, -- minutes after local midnight
	end_min   bigint NOT NULL, -- may be < start_min across midnight
	PRIMARY KEY (unit_id, seq)
);

CREATE TABLE buildings (
	id       bigint PRIMARY KEY,
	seq      integer NOT NULL,
	osm_id   bigint NOT NULL,
	wkb      bytea NOT NULL,          -- exact Polygon
	geom     geometry(Polygon, 4326), -- derived from wkb
	levels_m float8 NOT NULL          -- metres, 0 when unknown
);
CREATE INDEX buildings_geom_idx ON buildings USING gist (geom);
