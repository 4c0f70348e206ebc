-- Tidewatch schema, version 2: record versions and the store revision,
-- users and sessions, the audit log, plans and share links, scenarios.
--
-- Conventions as in version 1; times are fixed-width UTC text with
-- nanoseconds (2006-01-02T15:04:05.000000000Z), so they sort
-- chronologically; flags are 0/1 integers.

-- The store revision: one row, raised by one by every writing transaction
-- of the workspace (an import, a batch of edits); 0 for an empty store. A
-- workspace imported by an earlier build counts as revision 1.
CREATE TABLE revision (
	id    INTEGER PRIMARY KEY CHECK (id = 1),
	value INTEGER NOT NULL CHECK (value >= 0)
) STRICT;
INSERT INTO revision (id, value) VALUES (1, (SELECT count(*) FROM workspace));

-- version: the revision that last wrote the record.
ALTER TABLE cameras ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE kiosks ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
ALTER TABLE units ADD COLUMN version INTEGER NOT NULL DEFAULT 0;
UPDATE cameras SET version = 1;
UPDATE kiosks SET version = 1;
UPDATE units SET version = 1;

CREATE TABLE users (
	id            INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused
	name          TEXT NOT NULL UNIQUE,              -- compared exactly (BINARY)
	role          TEXT NOT NULL,                     -- planner.Role, checked by the store
	password_hash TEXT NOT NULL,                     -- PHC argon2id string
	disabled      INTEGER NOT NULL CHECK (disabled IN (0, 1)),
	created       TEXT NOT NULL,
	version       INTEGER NOT NULL CHECK (version > 0)
) STRICT;

CREATE TABLE sessions (
	id      TEXT PRIMARY KEY, -- hex SHA-256 of the token, never the token
	user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	csrf    TEXT NOT NULL,    -- '' for bearer tokens
	bearer  INTEGER NOT NULL CHECK (bearer IN (0, 1)),
	created TEXT NOT NULL,
	expires TEXT NOT NULL
) STRICT;
CREATE INDEX sessions_user ON sessions (user_id);

-- Append-only; id grows with every entry and is never reused.
CREATE TABLE audit (
	id        INTEGER PRIMARY KEY AUTOINCREMENT,
	at        TEXT NOT NULL,
	actor     TEXT NOT NULL,
	action    TEXT NOT NULL,    -- "update camera", "import", "user create", ...
	kind      TEXT NOT NULL,    -- record kind, '' when none
	record_id INTEGER NOT NULL, -- 0 when none
	before    TEXT,             -- JSON, NULL when absent
	after     TEXT              -- JSON, NULL when absent
) STRICT;

CREATE TABLE plans (
	id      TEXT PRIMARY KEY,
	owner   TEXT NOT NULL,
	created TEXT NOT NULL,
	body    BLOB NOT NULL -- the API's JSON rendering, kept opaque
) STRICT;

CREATE TABLE shares (
	id      TEXT PRIMARY KEY, -- hex SHA-256 of the token, never the token
	plan_id TEXT NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
	unit    INTEGER NOT NULL CHECK (unit >= 0), -- index into the plan's units
	created TEXT NOT NULL,
	expires TEXT NOT NULL,
	revoked INTEGER NOT NULL CHECK (revoked IN (0, 1))
) STRICT;
CREATE INDEX shares_plan ON shares (plan_id);

CREATE TABLE scenarios (
	id      INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused
	name    TEXT NOT NULL,
	owner   TEXT NOT NULL,
	edits   TEXT NOT NULL, -- JSON array of planner.Edit
	created TEXT NOT NULL,
	updated TEXT NOT NULL,
	version INTEGER NOT NULL CHECK (version > 0)
) STRICT;
