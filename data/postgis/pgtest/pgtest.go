package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// installHint says how to get what Start needs on Debian/Ubuntu.
const installHint = "apt-get install postgresql-15 postgresql-15-postgis-3 (or run .ci/deps.sh)"

// templateDB is the database every fresh database is copied from; it has
// the postgis extension.
const templateDB = "tidewatch_template"

// dirPrefix names cluster directories; the owning test process's pid
// follows, so Start can remove directories whose process is gone.
const dirPrefix = "tidewatch-pgtest-"

// Cluster is a running throw-away PostgreSQL server.
type Cluster struct {
	dir  string // temporary directory: data/, sock/, postgres.log
	port int    // TCP port on 127.0.0.1
	proc *os.Process
	done chan struct{} // closed when the server has exited
	dbs  atomic.Int64  // databases created so far, for unique names
}

// missingError reports that PostgreSQL or PostGIS is not installed.
type missingError struct{ what string }

func (e *missingError) Error() string { return e.what + " is not installed: " + installHint }

var shared struct {
	once sync.Once
	c    *Cluster
	err  error
}

// Start returns the DSN (postgres:// URL, TCP on 127.0.0.1) of a new, empty
// database with the postgis extension, on the test binary's shared cluster,
// starting the cluster on first use. The database is dropped when t ends.
// Without PostgreSQL 15 + PostGIS, t is skipped (failed when CI=true).
func Start(t testing.TB) (dsn string) {
	t.Helper()
	shared.once.Do(func() { shared.c, shared.err = NewCluster(context.Background()) })
	if shared.err != nil {
		unavailable(t, shared.err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	name, err := shared.c.CreateDatabase(ctx)
	if err != nil {
		t.Fatalf("pgtest: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := shared.c.DropDatabase(ctx, name); err != nil {
			t.Logf("pgtest: %v", err)
		}
	})
	return shared.c.DSN(name)
}

// unavailable skips t for a missing installation (fails it under CI=true)
// and fails it for any other error.
func unavailable(t testing.TB, err error) {
	t.Helper()
	var me *missingError
	if errors.As(err, &me) && os.Getenv("CI") != "true" {
		t.Skipf("pgtest: %v", err)
	}
	t.Fatalf("pgtest: %v", err)
}

// Main runs the tests and then stops the shared cluster and removes its
// directory. Use it as the package's TestMain:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	if shared.c != nil {
		if err := shared.c.Stop(); err != nil {
			fmt.Fprintln(os.Stderr, "pgtest:", err)
		}
	}
	os.Exit(code)
}

// NewCluster initialises and starts a new cluster with fsync off and a
// template database holding postgis. The caller must Stop it. The error is
// a *missingError (see Start) when PostgreSQL or PostGIS is not installed.
func NewCluster(ctx context.Context) (*Cluster, error) {
	bindir, err := findBindir()
	if err != nil {
		return nil, err
	}
	cred, err := serverUser()
	if err != nil {
		return nil, err
	}
	removeStale()
	dir, err := os.MkdirTemp("", dirPrefix+strconv.Itoa(os.Getpid())+"-")
	if err != nil {
		return nil, err
	}
	c := &Cluster{dir: dir}
	if err := c.init(ctx, bindir, cred); err != nil {
		c.Stop()
		return nil, err
	}
	return c, nil
}

// init runs initdb, starts the server and creates the template database.
func (c *Cluster) init(ctx context.Context, bindir string, cred *syscall.Credential) error {
	sock := filepath.Join(c.dir, "sock")
	if err := os.Mkdir(sock, 0o700); err != nil {
		return err
	}
	if cred != nil {
		for _, p := range []string{c.dir, sock} {
			if err := os.Chown(p, int(cred.Uid), int(cred.Gid)); err != nil {
				return err
			}
		}
	}
	data := filepath.Join(c.dir, "data")
	initdb := exec.CommandContext(ctx, filepath.Join(bindir, "initdb"), "-D", data, "-U", "postgres",
		"--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		return fmt.Errorf("initdb: %v\n%s", err, out)
	}
	var err error
	for range 3 { // a free port can be taken between probing and binding
		if err = c.start(ctx, bindir, data, sock, cred); err == nil {
			break
		}
	}
	if err != nil {
		return err
	}
	return c.createTemplate(ctx)
}

// start launches postgres on a free port and waits until it accepts
// connections.
func (c *Cluster) start(ctx context.Context, bindir, data, sock string, cred *syscall.Credential) error {
	port, err := freePort()
	if err != nil {
		return err
	}
	logPath := filepath.Join(c.dir, "postgres.log")
	logf, err := os.OpenFile(logPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o644)
	if err != nil {
		return err
	}
	defer logf.Close()
	cmd := exec.Command(filepath.Join(bindir, "postgres"), "-D", data, "-k", sock, "-p", strconv.Itoa(port),
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
		"-c", "full_page_writes=off", "-c", "max_connections=100", "-c", "shared_buffers=64MB")
	cmd.Stdout, cmd.Stderr = logf, logf
	// Pdeathsig: if the test process dies, the server gets SIGQUIT (an
	// immediate shutdown). The signal follows the thread that forked, so
	// that thread stays locked to a goroutine that lives as long as the
	// server.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT, Setpgid: true}
	started := make(chan error, 1)
	done := make(chan struct{})
	go func() {
		runtime.LockOSThread() // never unlocked: the thread exits with this goroutine
		if err := cmd.Start(); err != nil {
			started <- err
			return
		}
		started <- nil
		cmd.Wait()
		close(done)
	}()
	if err := <-started; err != nil {
		return fmt.Errorf("start postgres: %w", err)
	}
	c.proc, c.done, c.port = cmd.Process, done, port
	if err := c.waitReady(ctx); err != nil {
		c.kill()
		log, _ := os.ReadFile(logPath)
		return fmt.Errorf("%w\npostgres.log:\n%s", err, log)
	}
	return nil
}

// waitReady polls until the server accepts a connection, exits, or a
// minute passes.
func (c *Cluster) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	for {
		conn, err := c.connect(ctx, "postgres")
		if err == nil {
			return conn.Close(ctx)
		}
		select {
		case <-c.done:
			return fmt.Errorf("postgres exited during start-up")
		case <-ctx.Done():
			return fmt.Errorf("postgres not ready: %v", err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// createTemplate makes the template database with postgis, or reports a
// missingError when the extension is not available.
func (c *Cluster) createTemplate(ctx context.Context) error {
	conn, err := c.connect(ctx, "postgres")
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	var n int
	if err := conn.QueryRow(ctx, `SELECT count(*) FROM pg_available_extensions WHERE name = 'postgis'`).Scan(&n); err != nil {
		return err
	}
	if n == 0 {
		return &missingError{what: "PostGIS"}
	}
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+templateDB); err != nil {
		return err
	}
	tconn, err := c.connect(ctx, templateDB)
	if err != nil {
		return err
	}
	_, err = tconn.Exec(ctx, "CREATE EXTENSION postgis")
	tconn.Close(ctx)
	if err != nil {
		return fmt.Errorf("create extension postgis: %w", err)
	}
	_, err = conn.Exec(ctx, "ALTER DATABASE "+templateDB+" WITH is_template true ALLOW_CONNECTIONS false")
	return err
}

// connect opens an admin connection to database db.
func (c *Cluster) connect(ctx context.Context, db string) (*pgx.Conn, error) {
	cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	return pgx.Connect(cctx, c.DSN(db))
}

// DSN returns the postgres:// URL of database db (superuser postgres,
// trust authentication, TCP on 127.0.0.1).
func (c *Cluster) DSN(db string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, db)
}

// CreateDatabase creates a new database with postgis and returns its name.
func (c *Cluster) CreateDatabase(ctx context.Context) (string, error) {
	name := fmt.Sprintf("t%d", c.dbs.Add(1))
	conn, err := c.connect(ctx, "postgres")
	if err != nil {
		return "", err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name+" TEMPLATE "+templateDB); err != nil {
		return "", fmt.Errorf("create database %s: %w", name, err)
	}
	return name, nil
}

// DropDatabase drops database name, disconnecting its sessions.
func (c *Cluster) DropDatabase(ctx context.Context, name string) error {
	conn, err := c.connect(ctx, "postgres")
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err != nil {
		return fmt.Errorf("drop database %s: %w", name, err)
	}
	return nil
}

// Stop shuts the server down immediately (SIGQUIT, as pg_ctl stop -m
// immediate does) and removes the cluster's directory.
func (c *Cluster) Stop() error {
	c.kill()
	return os.RemoveAll(c.dir)
}

// kill sends SIGQUIT and waits for the server to exit, escalating to
// SIGKILL after ten seconds.
func (c *Cluster) kill() {
	if c.proc == nil {
		return
	}
	c.proc.Signal(syscall.SIGQUIT)
	select {
	case <-c.done:
	case <-time.After(10 * time.Second):
		c.proc.Kill()
		<-c.done
	}
	c.proc = nil
}

// findBindir returns the first directory holding initdb and postgres:
// pg_config --bindir, /usr/lib/postgresql/15/bin, then PATH.
func findBindir() (string, error) {
	var dirs []string
	if out, err := exec.Command("pg_config", "--bindir").Output(); err == nil {
		dirs = append(dirs, strings.TrimSpace(string(out)))
	}
	dirs = append(dirs, "/usr/lib/postgresql/15/bin")
	if p, err := exec.LookPath("initdb"); err == nil {
		dirs = append(dirs, filepath.Dir(p))
	}
	for _, d := range dirs {
		if isExec(filepath.Join(d, "initdb")) && isExec(filepath.Join(d, "postgres")) {
			return d, nil
		}
	}
	return "", &missingError{what: "PostgreSQL 15 (initdb, postgres)"}
}

func isExec(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && !fi.IsDir() && fi.Mode()&0o111 != 0
}

// serverUser returns the credentials to run the server with: the postgres
// OS user when running as root (PostgreSQL refuses root), else nil.
func serverUser() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	u, err := user.Lookup("postgres")
	if err != nil {
		return nil, &missingError{what: "the postgres OS user (needed to run PostgreSQL as root)"}
	}
	uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
	gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
	if err := errors.Join(err1, err2); err != nil {
		return nil, fmt.Errorf("postgres user: %w", err)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
}

// freePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}

// removeStale deletes cluster directories whose test process has exited
// (their servers got SIGQUIT when it did).
func removeStale() {
	matches, _ := filepath.Glob(filepath.Join(os.TempDir(), dirPrefix+"*"))
	for _, m := range matches {
		pidStr, _, _ := strings.Cut(strings.TrimPrefix(filepath.Base(m), dirPrefix), "-")
		pid, err := strconv.Atoi(pidStr)
		if err != nil || pid == os.Getpid() {
			continue
		}
		if err := syscall.Kill(pid, 0); errors.Is(err, syscall.ESRCH) {
			os.RemoveAll(m)
		}
	}
}
