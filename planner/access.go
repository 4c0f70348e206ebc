package planner

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"
)

// Role is what a user may do. Roles are not nested except that an admin
// may do everything.
type Role string

// Roles.
const (
	RoleAdmin     Role = "admin"     // users, audit log, imports, and everything below
	RoleCommander Role = "commander" // plans, units, share links; reads every layer
	RolePlanner   Role = "planner"   // cameras, kiosks, siting, scenarios; reads every layer
	RoleViewer    Role = "viewer"    // reads every layer and report
	RoleVolunteer Role = "volunteer" // nothing but the routes shared with them
)

// Roles lists every role, most powerful first.
var Roles = []Role{RoleAdmin, RoleCommander, RolePlanner, RoleViewer, RoleVolunteer}

// ParseRole returns the role named s; EINVALID for an unknown name.
func ParseRole(s string) (Role, error) {
	for _, r := range Roles {
		if string(r) == s {
			return r, nil
		}
	}
	return "", Errorf(EINVALID, "role %q: want admin, commander, planner, viewer or volunteer", s)
}

// User is an account. PasswordHash is a PHC-format argon2id string (see
// HashPassword); it never leaves the server.
type User struct {
	ID           int64     `json:"id"`
	Name         string    `json:"name"`
	Role         Role      `json:"role"`
	PasswordHash string    `json:"-"`
	Disabled     bool      `json:"disabled"`
	Created      time.Time `json:"created"`
	Version      int64     `json:"version"`
}

// Session is a signed-in browser or a script's bearer token. ID is the
// hex SHA-256 of the secret token, so a copy of the database holds no
// usable session. CSRF is the token a browser must echo in the
// X-CSRF-Token header of every unsafe request (empty for bearer tokens,
// which are not sent automatically by browsers).
type Session struct {
	ID      string    `json:"-"`
	UserID  int64     `json:"user_id"`
	CSRF    string    `json:"-"`
	Bearer  bool      `json:"bearer"`
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
}

// AuditEntry is one line of the audit log: who did what to which record,
// with the record before and after as JSON (null when absent).
type AuditEntry struct {
	ID       int64           `json:"id"`
	At       time.Time       `json:"at"`
	Actor    string          `json:"actor"`
	Action   string          `json:"action"` // "create camera", "update kiosk", "delete unit", "import", "login", ...
	Kind     string          `json:"kind,omitempty"`
	RecordID int64           `json:"record_id,omitempty"`
	Before   json.RawMessage `json:"before"`
	After    json.RawMessage `json:"after"`
}

// PlanDoc is a stored patrol plan: the API's JSON rendering of a Plan, kept
// opaque by stores.
type PlanDoc struct {
	ID      string    `json:"id"`
	Owner   string    `json:"owner"`
	Created time.Time `json:"created"`
	Body    []byte    `json:"-"`
}

// ShareLink gives one unit's route of one plan to whoever holds its token
// (a volunteer group leader's phone), and nothing else. ID is the hex
// SHA-256 of the token.
type ShareLink struct {
	ID      string    `json:"-"`
	PlanID  string    `json:"plan_id"`
	Unit    int       `json:"unit"` // index into the plan's units
	Created time.Time `json:"created"`
	Expires time.Time `json:"expires"`
	Revoked bool      `json:"revoked"`
}

// Scenario is a named what-if: edits (add, move, delete cameras and
// kiosks; change units) applied in memory over the current workspace with
// ApplyEdits. The stored workspace is never changed by a scenario.
type Scenario struct {
	ID      int64     `json:"id"`
	Name    string    `json:"name"`
	Owner   string    `json:"owner"`
	Edits   []Edit    `json:"edits"`
	Created time.Time `json:"created"`
	Updated time.Time `json:"updated"`
	Version int64     `json:"version"`
}

// Argon2id parameters (RFC 9106's second recommended option, with 64 MiB
// memory): about 60 ms per hash on one core.
const (
	argonTime    = 3
	argonMemory  = 64 * 1024 // KiB
	argonThreads = 2
	argonKeyLen  = 32
	argonSaltLen = 16
)

// MinPasswordLen is the shortest password accepted, in characters.
const MinPasswordLen = 10

// HashPassword returns an argon2id hash of pw in PHC string format
// ($argon2id$v=19$m=65536,t=3,p=2$salt$key); EINVALID when pw is shorter
// than MinPasswordLen characters.
func HashPassword(pw string) (string, error) {
	if len([]rune(pw)) < MinPasswordLen {
		return "", Errorf(EINVALID, "password too short: want at least %d characters", MinPasswordLen)
	}
	salt := make([]byte, argonSaltLen)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pw), salt, argonTime, argonMemory, argonThreads, argonKeyLen)
	b64 := base64.RawStdEncoding
	return fmt.Sprintf("$argon2id$v=%d$m=%d,t=%d,p=%d$%s$%s", argon2.Version, argonMemory, argonTime, argonThreads,
		b64.EncodeToString(salt), b64.EncodeToString(key)), nil
}

// CheckPassword reports whether pw matches hash (from HashPassword), in
// time independent of where they differ. A malformed hash never matches.
func CheckPassword(hash, pw string) bool {
	parts := strings.Split(hash, "$")
	if len(parts) != 6 || parts[0] != "" || parts[1] != "argon2id" {
		return false
	}
	var v int
	var m uint32
	var t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "v=%d", &v); err != nil || v != argon2.Version {
		return false
	}
	if _, err := fmt.Sscanf(parts[3], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m == 0 || t == 0 || p == 0 || m > 1<<20 || t > 20 {
		return false
	}
	b64 := base64.RawStdEncoding
	salt, err1 := b64.DecodeString(parts[4])
	key, err2 := b64.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(key) == 0 || len(key) > 128 {
		return false
	}
	got := argon2.IDKey([]byte(pw), salt, t, m, p, uint32(len(key)))
	return subtle.ConstantTimeCompare(got, key) == 1
}
