package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/tidewatch/tidewatch/api"
	"github.com/tidewatch/tidewatch/planner"
)

// PasswordEnv is the environment variable "user add" and "user passwd"
// read the password from; without it they read one line from stdin.
// Passwords are never taken as flags (flags show in ps and shell history).
const PasswordEnv = "TIDEWATCH_PASSWORD"

const userUsage = `tidewatch user — accounts of the web map and the API

  tidewatch user add    --db DB --name NAME --role admin|commander|planner|viewer|volunteer
  tidewatch user passwd --db DB --name NAME
  tidewatch user list   --db DB
  tidewatch user token  --db DB --name NAME [--days 30]

add and passwd read the password from $TIDEWATCH_PASSWORD or else one line of
stdin (never from a flag); it needs at least 10 characters. token prints a
bearer token for scripts ("Authorization: Bearer TOKEN"), valid at most 90 days.
`

func (m *Main) runUser(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(m.Stderr, userUsage)
		return usageError{"user: want add, passwd, list or token"}
	}
	ctx = planner.WithActor(ctx, "cli")
	switch args[0] {
	case "add":
		return m.userAdd(ctx, args[1:])
	case "passwd":
		return m.userPasswd(ctx, args[1:])
	case "list":
		return m.userList(ctx, args[1:])
	case "token":
		return m.userToken(ctx, args[1:])
	case "-h", "--help", "help":
		fmt.Fprint(m.Stdout, userUsage)
		return nil
	}
	fmt.Fprint(m.Stderr, userUsage)
	return usageError{fmt.Sprintf("user: unknown command %q", args[0])}
}

// readPassword returns $TIDEWATCH_PASSWORD or the first line of stdin.
func (m *Main) readPassword() (string, error) {
	if pw, ok := os.LookupEnv(PasswordEnv); ok && pw != "" {
		return pw, nil
	}
	if m.Stdin == nil {
		return "", usageError{"no password: set " + PasswordEnv + " or pipe it to stdin"}
	}
	line, err := bufio.NewReader(m.Stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", err
	}
	pw := strings.TrimRight(line, "\r\n")
	if pw == "" {
		return "", usageError{"no password: set " + PasswordEnv + " or pipe it to stdin"}
	}
	return pw, nil
}

func (m *Main) userAdd(ctx context.Context, args []string) error {
	fs := m.newFlagSet("user add")
	db := fs.String("db", "", "workspace store: a SQLite file path or a postgres:// URL")
	name := fs.String("name", "", "user name")
	roleName := fs.String("role", "", "admin, commander, planner, viewer or volunteer")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *name == "" || *roleName == "" {
		return usageError{"user add: --name and --role are required"}
	}
	if err := api.ValidUserName(*name); err != nil {
		return usageError{"user add: " + planner.ErrorMessage(err)}
	}
	role, err := planner.ParseRole(*roleName)
	if err != nil {
		return usageError{"user add: " + planner.ErrorMessage(err)}
	}
	pw, err := m.readPassword()
	if err != nil {
		return err
	}
	hash, err := planner.HashPassword(pw)
	if err != nil {
		return errors.New(planner.ErrorMessage(err))
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := st.CreateUser(ctx, planner.User{Name: *name, Role: role, PasswordHash: hash})
	if err != nil {
		return storeError(err)
	}
	fmt.Fprintf(m.Stdout, "user %q (%s) added, id %d\n", u.Name, u.Role, u.ID)
	return nil
}

func (m *Main) userPasswd(ctx context.Context, args []string) error {
	fs := m.newFlagSet("user passwd")
	db := fs.String("db", "", "workspace store: a SQLite file path or a postgres:// URL")
	name := fs.String("name", "", "user name")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return usageError{"user passwd: --name is required"}
	}
	pw, err := m.readPassword()
	if err != nil {
		return err
	}
	hash, err := planner.HashPassword(pw)
	if err != nil {
		return errors.New(planner.ErrorMessage(err))
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := st.UserByName(ctx, *name)
	if err != nil {
		return storeError(err)
	}
	u.PasswordHash = hash
	if _, err := st.UpdateUser(ctx, u); err != nil {
		return storeError(err)
	}
	fmt.Fprintf(m.Stdout, "password of %q changed\n", u.Name)
	return nil
}

func (m *Main) userList(ctx context.Context, args []string) error {
	fs := m.newFlagSet("user list")
	db := fs.String("db", "", "workspace store: a SQLite file path or a postgres:// URL")
	if err := parse(fs, args); err != nil {
		return err
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	us, err := st.Users(ctx)
	if err != nil {
		return storeError(err)
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tROLE\tSTATE\tCREATED")
	for _, u := range us {
		state := "enabled"
		if u.Disabled {
			state = "disabled"
		}
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\n", u.ID, u.Name, u.Role, state, u.Created.Local().Format("2006-01-02 15:04"))
	}
	return tw.Flush()
}

func (m *Main) userToken(ctx context.Context, args []string) error {
	fs := m.newFlagSet("user token")
	db := fs.String("db", "", "workspace store: a SQLite file path or a postgres:// URL")
	name := fs.String("name", "", "user the token signs in as")
	days := fs.Int("days", 30, "days the token is valid (1 to 90)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *name == "" {
		return usageError{"user token: --name is required"}
	}
	if *days < 1 || *days > int(api.MaxTokenTTL/(24*time.Hour)) {
		return usageError{fmt.Sprintf("user token: --days %d: want 1 to %d", *days, int(api.MaxTokenTTL/(24*time.Hour)))}
	}
	st, err := openStore(ctx, *db)
	if err != nil {
		return err
	}
	defer st.Close()
	u, err := st.UserByName(ctx, *name)
	if err != nil {
		return storeError(err)
	}
	if u.Disabled {
		return fmt.Errorf("user %q is disabled", u.Name)
	}
	tok, se, err := api.NewBearerToken(ctx, st, u, time.Duration(*days)*24*time.Hour)
	if err != nil {
		return storeError(err)
	}
	_ = st.AppendAudit(ctx, planner.AuditEntry{Actor: "cli", Action: "token create", Kind: "user", RecordID: u.ID})
	fmt.Fprintln(m.Stdout, tok)
	fmt.Fprintf(m.Stderr, "bearer token for %q (%s), valid until %s; send it as \"Authorization: Bearer TOKEN\"\n",
		u.Name, u.Role, se.Expires.Local().Format("2006-01-02 15:04"))
	return nil
}

// storeError turns a coded store error into its user-facing message.
func storeError(err error) error {
	if planner.ErrorCode(err) == planner.EINTERNAL {
		return err
	}
	return errors.New(planner.ErrorMessage(err))
}

// ensureAdmin makes user "admin" with a random password when the store has
// no enabled admin, and returns the password ("" when an admin exists).
func ensureAdmin(ctx context.Context, st planner.Store) (string, error) {
	us, err := st.Users(ctx)
	if err != nil {
		return "", err
	}
	for _, u := range us {
		if u.Role == planner.RoleAdmin && !u.Disabled {
			return "", nil
		}
	}
	pw := randomPassword(16)
	hash, err := planner.HashPassword(pw)
	if err != nil {
		return "", err
	}
	if _, err := st.CreateUser(planner.WithActor(ctx, "cli"), planner.User{Name: "admin", Role: planner.RoleAdmin, PasswordHash: hash}); err != nil {
		return "", storeError(err)
	}
	return pw, nil
}

// randomPassword returns n characters from an alphabet without look-alikes
// (no 0/O, 1/l/I), about 5.7 bits each.
func randomPassword(n int) string {
	const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	b := make([]byte, n)
	for i := range b {
		k, err := rand.Int(rand.Reader, big.NewInt(int64(len(alphabet))))
		if err != nil {
			panic(err)
		}
		b[i] = alphabet[k.Int64()]
	}
	return string(b)
}
