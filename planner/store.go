package planner

import (
	"context"
	"time"
)

// Store persists one workspace and everything the people who work on it
// keep: record edits with versions, users and their sessions, the audit
// log, plans and their share links, and scenarios. Implementations:
// data/sqlite (embedded, the default) and data/postgis; both pass
// planner/storetest. Every method is safe for concurrent use, by several
// processes on one database too: a store never caches.
//
// Revisions: the store keeps one revision counter that every writing
// transaction (an import, a batch of edits) raises by one. A camera, kiosk
// or unit's Version is the revision that last wrote it, so versions never
// repeat, not even across imports. Servers compare Revision with the one
// they loaded to notice another server's writes.
//
// Audit: ReplaceWorkspace and ApplyEdits append their own audit entries in
// the same transaction, naming the actor carried by ctx (see WithActor).
type Store interface {
	// ReplaceWorkspace stores ws in one transaction, replacing whatever
	// was there, at a new revision that becomes every camera's, kiosk's and
	// unit's Version; on error the store is left exactly as before. It
	// appends one audit entry (action "import", After: the Counts).
	ReplaceWorkspace(ctx context.Context, ws *Workspace) error
	// LoadWorkspace reads the whole workspace in one consistent snapshot,
	// with its Revision; ENOTFOUND if none was imported.
	LoadWorkspace(ctx context.Context) (*Workspace, error)
	// Revision returns the current revision, 0 for an empty store.
	Revision(ctx context.Context) (int64, error)
	// ApplyEdits applies edits in order in one transaction at a new
	// revision and returns the revision and what each edit did, with the
	// same semantics as the in-memory ApplyEdits (next free ID per kind;
	// ENOTFOUND for a missing record; ECONFLICT, nothing written, when an
	// update or delete carries a Version other than the stored one; edits
	// are validated with Edit.Validate). Each edit appends one audit
	// entry with the record before and after. ENOTFOUND if no workspace
	// was imported.
	ApplyEdits(ctx context.Context, edits []Edit) (int64, []Applied, error)

	UserStore
	AuditStore
	PlanStore
	ScenarioStore

	// Close releases the store.
	Close() error
}

// UserStore keeps accounts and sessions. User names are unique and
// compared exactly.
type UserStore interface {
	// CreateUser stores u with a new ID, Version 1 and Created now (when
	// zero); ECONFLICT if the name is taken; EINVALID for an empty name
	// or unknown role. It appends an audit entry ("user create", no hash).
	CreateUser(ctx context.Context, u User) (User, error)
	// UserByName returns the user called name; ENOTFOUND if none.
	UserByName(ctx context.Context, name string) (User, error)
	// Users lists every user by ID.
	Users(ctx context.Context) ([]User, error)
	// UpdateUser replaces role, password hash and disabled flag of user
	// u.ID if its Version is current (ECONFLICT otherwise) and returns it
	// with the next Version. It appends an audit entry ("user update").
	UpdateUser(ctx context.Context, u User) (User, error)
	// CreateSession stores s (s.ID is the SHA-256 of the token, never the
	// token itself).
	CreateSession(ctx context.Context, s Session) error
	// SessionByID returns the session with the given ID and its user;
	// ENOTFOUND if there is none or it has expired (Expires ≤ now).
	SessionByID(ctx context.Context, id string, now time.Time) (Session, User, error)
	// DeleteSession ends a session; deleting a missing one is not an error.
	DeleteSession(ctx context.Context, id string) error
}

// AuditStore is the append-only log of who changed what.
type AuditStore interface {
	// AppendAudit appends e (its ID is assigned, At set to now if zero).
	AppendAudit(ctx context.Context, e AuditEntry) error
	// Audit returns up to limit entries, newest first, with ID < before
	// (before ≤ 0 means from the newest).
	Audit(ctx context.Context, before int64, limit int) ([]AuditEntry, error)
}

// PlanStore keeps patrol plans and the share links to their routes, so
// that every server behind one database serves them.
type PlanStore interface {
	// SavePlan stores a plan document; ECONFLICT if its ID exists.
	SavePlan(ctx context.Context, p PlanDoc) error
	// PlanDoc returns the plan with the given ID; ENOTFOUND if none.
	PlanDoc(ctx context.Context, id string) (PlanDoc, error)
	// CreateShare stores a share link (l.ID is the SHA-256 of the token).
	CreateShare(ctx context.Context, l ShareLink) error
	// ShareByID returns the link; ENOTFOUND if none, if it was revoked or
	// if it has expired (Expires ≤ now).
	ShareByID(ctx context.Context, id string, now time.Time) (ShareLink, error)
	// SharesOfPlan lists a plan's links (revoked and expired ones too).
	SharesOfPlan(ctx context.Context, planID string) ([]ShareLink, error)
	// RevokeShare revokes a link for good; ENOTFOUND if none. It appends
	// an audit entry ("share revoke").
	RevokeShare(ctx context.Context, id string) error
}

// ScenarioStore keeps what-if scenarios: named lists of edits over the
// workspace. Create, update and delete each append an audit entry
// ("scenario create", "scenario update", "scenario delete") with the
// scenario before and after.
type ScenarioStore interface {
	// CreateScenario stores sc with a new ID, Version 1 and Created and
	// Updated now; EINVALID for an empty name or an invalid edit.
	CreateScenario(ctx context.Context, sc Scenario) (Scenario, error)
	// Scenario returns one scenario; ENOTFOUND if none.
	Scenario(ctx context.Context, id int64) (Scenario, error)
	// Scenarios lists every scenario by ID.
	Scenarios(ctx context.Context) ([]Scenario, error)
	// UpdateScenario replaces name and edits of sc.ID if sc.Version is
	// current (ECONFLICT otherwise) and returns it with the next Version.
	UpdateScenario(ctx context.Context, sc Scenario) (Scenario, error)
	// DeleteScenario deletes scenario id if version is current
	// (ECONFLICT otherwise; ENOTFOUND if missing).
	DeleteScenario(ctx context.Context, id, version int64) error
}

type actorKey struct{}

// WithActor returns ctx carrying the name of the user (or "system",
// "cli") on whose behalf store writes are made; stores record it in the
// audit log.
func WithActor(ctx context.Context, name string) context.Context {
	return context.WithValue(ctx, actorKey{}, name)
}

// ActorFrom returns the actor carried by ctx, or "system".
func ActorFrom(ctx context.Context) string {
	if s, ok := ctx.Value(actorKey{}).(string); ok && s != "" {
		return s
	}
	return "system"
}
