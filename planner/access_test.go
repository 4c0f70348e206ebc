package planner

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"
)

func TestHashPassword(t *testing.T) {
	const pw = "correct horse battery"
	h, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=3,p=2$") || strings.Count(h, "$") != 5 {
		t.Fatalf("hash %q is not a PHC argon2id string with the documented parameters", h)
	}
	parts := strings.Split(h, "$")
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[4])
	key, err2 := base64.RawStdEncoding.DecodeString(parts[5])
	if err1 != nil || err2 != nil || len(salt) != argonSaltLen || len(key) != argonKeyLen {
		t.Fatalf("salt %d bytes (%v), key %d bytes (%v); want %d and %d", len(salt), err1, len(key), err2, argonSaltLen, argonKeyLen)
	}
	if strings.Contains(h, pw) {
		t.Fatal("the hash contains the password")
	}
	if !CheckPassword(h, pw) {
		t.Fatal("CheckPassword rejects the right password")
	}
	for _, wrong := range []string{"", "correct horse batter", "correct horse battery ", "Correct horse battery"} {
		if CheckPassword(h, wrong) {
			t.Errorf("CheckPassword accepts %q", wrong)
		}
	}
	h2, err := HashPassword(pw)
	if err != nil || h2 == h {
		t.Fatalf("two hashes of one password are equal (%v): the salt is not random", err)
	}
	if !CheckPassword(h2, pw) {
		t.Fatal("CheckPassword rejects the second hash")
	}
}

func TestHashPasswordLength(t *testing.T) {
	for _, pw := range []string{"", "short", "123456789", "密码密码密码密码密"} { // the last: 9 characters, 27 bytes
		if _, err := HashPassword(pw); ErrorCode(err) != EINVALID {
			t.Errorf("HashPassword(%q) = %v, want %s", pw, err, EINVALID)
		}
	}
	h, err := HashPassword("密码密码密码密码密码") // 10 characters
	if err != nil || !CheckPassword(h, "密码密码密码密码密码") {
		t.Fatalf("a 10-character password: %v", err)
	}
}

func TestCheckPasswordMalformed(t *testing.T) {
	const pw = "correct horse battery"
	h, err := HashPassword(pw)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(h, "$") // "", argon2id, v=19, m=...,t=...,p=..., salt, key
	with := func(i int, s string) string {
		p := append([]string(nil), parts...)
		p[i] = s
		return strings.Join(p, "$")
	}
	key, _ := base64.RawStdEncoding.DecodeString(parts[5])
	key[0] ^= 1
	for name, bad := range map[string]string{
		"empty":            "",
		"plain text":       pw,
		"too few parts":    strings.Join(parts[:5], "$"),
		"too many parts":   h + "$x",
		"argon2i":          with(1, "argon2i"),
		"bcrypt":           "$2a$10$abcdefghijklmnopqrstuv",
		"other version":    with(2, "v=16"),
		"no version":       with(2, "x"),
		"zero memory":      with(3, "m=0,t=3,p=2"),
		"zero time":        with(3, "m=65536,t=0,p=2"),
		"zero threads":     with(3, "m=65536,t=3,p=0"),
		"huge memory":      with(3, "m=2000000,t=3,p=2"),
		"huge time":        with(3, "m=65536,t=21,p=2"),
		"bad params":       with(3, "memory=64"),
		"other params":     with(3, "m=32768,t=3,p=2"),
		"salt not base64":  with(4, "!!!"),
		"key not base64":   with(5, "***"),
		"empty key":        with(5, ""),
		"key too long":     with(5, base64.RawStdEncoding.EncodeToString(make([]byte, 129))),
		"flipped key bit":  with(5, base64.RawStdEncoding.EncodeToString(key)),
		"padded base64":    with(5, parts[5]+"="),
		"leading garbage":  "x" + h,
		"truncated key":    with(5, parts[5][:len(parts[5])-4]),
		"other salt":       with(4, base64.RawStdEncoding.EncodeToString(make([]byte, 16))),
		"uppercase scheme": with(1, "ARGON2ID"),
	} {
		if CheckPassword(bad, pw) {
			t.Errorf("%s: CheckPassword(%q) accepted the password", name, bad)
		}
	}
}

func TestParseRole(t *testing.T) {
	for _, r := range Roles {
		got, err := ParseRole(string(r))
		if err != nil || got != r {
			t.Errorf("ParseRole(%q) = %q, %v", r, got, err)
		}
	}
	if len(Roles) != 5 || Roles[0] != RoleAdmin {
		t.Errorf("Roles = %v, want five roles, admin first", Roles)
	}
	for _, s := range []string{"", "root", "Admin", " admin", "admin ", "viewers"} {
		if r, err := ParseRole(s); ErrorCode(err) != EINVALID || r != "" {
			t.Errorf("ParseRole(%q) = %q, %v; want %s", s, r, err, EINVALID)
		}
	}
}

func TestActor(t *testing.T) {
	ctx := context.Background()
	if a := ActorFrom(ctx); a != "system" {
		t.Errorf("ActorFrom(no actor) = %q, want system", a)
	}
	if a := ActorFrom(WithActor(ctx, "")); a != "system" {
		t.Errorf("ActorFrom(empty actor) = %q, want system", a)
	}
	if a := ActorFrom(WithActor(WithActor(ctx, "cli"), "张警官")); a != "张警官" {
		t.Errorf("ActorFrom = %q, want the innermost actor", a)
	}
}

func TestUserJSONHasNoSecrets(t *testing.T) {
	b, err := json.Marshal(User{ID: 1, Name: "a", Role: RoleAdmin, PasswordHash: "$argon2id$secret"})
	if err != nil || strings.Contains(string(b), "secret") || strings.Contains(string(b), "argon2id") {
		t.Errorf("User JSON %s (%v) leaks the password hash", b, err)
	}
	b, err = json.Marshal(Session{ID: "sessionid", CSRF: "csrftoken"})
	if err != nil || strings.Contains(string(b), "sessionid") || strings.Contains(string(b), "csrftoken") {
		t.Errorf("Session JSON %s (%v) leaks its ID or CSRF token", b, err)
	}
}
