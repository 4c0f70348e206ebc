-- Tidewatch schema version 2: record versions and the store revision;
-- users, sessions, the audit log, plans, share links and scenarios.
--
-- Revisions: store_revision holds the one revision counter. Every writing
-- transaction (an import, a batch of edits) locks its row first (UPDATE
-- or SELECT ... FOR UPDATE), so writers on every server serialise on it,
-- and raises it by one. cameras, kiosks and units carry the revision that
-- last wrote each row in version.
--
-- Times are timestamptz (microseconds; the store truncates the times it
-- sets itself so what it returns equals what it later reads).

-- A workspace imported under schema version 1 becomes revision 1, so its
-- records have a version editors can quote.
ALTER TABLE cameras ADD COLUMN version bigint NOT NULL DEFAULT 1;
ALTER TABLE cameras ALTER COLUMN version DROP DEFAULT;
ALTER TABLE kiosks ADD COLUMN version bigint NOT NULL DEFAULT 1;
ALTER TABLE kiosks ALTER COLUMN version DROP DEFAULT;
ALTER TABLE units ADD COLUMN version bigint NOT NULL DEFAULT 1;
ALTER TABLE units ALTER COLUMN version DROP DEFAULT;

-- Edits append records after the last one (seq order = slice order).
CREATE INDEX cameras_seq_idx ON cameras (seq);
CREATE INDEX kiosks_seq_idx ON kiosks (seq);
CREATE INDEX units_seq_idx ON units (seq);

CREATE TABLE store_revision (
	id       integer PRIMARY KEY CHECK (id = 1),
	revision bigint NOT NULL CHECK (revision >= 0) -- 0: nothing written yet
);
INSERT INTO store_revision (id, revision)
	SELECT 1, CASE WHEN EXISTS (SELECT 1 FROM workspace) THEN 1 ELSE 0 END;

-- Accounts. Names are unique and compared exactly (byte-wise collation).
CREATE TABLE users (
	id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name          text COLLATE "C" NOT NULL UNIQUE,
	role          text NOT NULL,
	password_hash text NOT NULL, -- argon2id, PHC string format
	disabled      boolean NOT NULL,
	created       timestamptz NOT NULL,
	version       bigint NOT NULL
);

-- Signed-in browsers and bearer tokens. id is the hex SHA-256 of the
-- secret token, never the token itself.
CREATE TABLE sessions (
	id      text PRIMARY KEY,
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	csrf    text NOT NULL,
	bearer  boolean NOT NULL,
	created timestamptz NOT NULL,
	expires timestamptz NOT NULL
);
CREATE INDEX sessions_user_idx ON sessions (user_id);

-- The append-only audit log; id ascends with every entry.
CREATE TABLE audit (
	id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	at        timestamptz NOT NULL,
	actor     text NOT NULL,
	action    text NOT NULL, -- "import", "update camera", "user create", ...
	kind      text NOT NULL, -- camera, kiosk, unit, user, share, scenario or ''
	record_id bigint NOT NULL, -- 0 when the record has no numeric id
	before    jsonb,           -- the record before, NULL when absent
	after     jsonb            -- the record after, NULL when absent
);

-- Stored patrol plans: the API's JSON, kept opaque.
CREATE TABLE plans (
	id      text PRIMARY KEY,
	owner   text NOT NULL,
	created timestamptz NOT NULL,
	body    bytea NOT NULL
);

-- Share links to one unit's route of a plan. id is the hex SHA-256 of
-- the token.
CREATE TABLE shares (
	id      text PRIMARY KEY,
	plan_id text NOT NULL REFERENCES plans (id) ON DELETE CASCADE,
	unit    integer NOT NULL, -- index into the plan's units
	created timestamptz NOT NULL,
	expires timestamptz NOT NULL,
	revoked boolean NOT NULL
);
CREATE INDEX shares_plan_idx ON shares (plan_id);

-- What-if scenarios: named lists of edits (planner.Edit JSON).
CREATE TABLE scenarios (
	id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	name    text NOT NULL,
	owner   text NOT NULL,
	edits   jsonb NOT NULL,
	created timestamptz NOT NULL,
	updated timestamptz NOT NULL,
	version bigint NOT NULL
);
