// Package pgtest starts a throw-away PostgreSQL 15 + PostGIS cluster for
// tests that need a real database (data/postgis and its callers).
//
// Start gives each caller a fresh database (created from a template that
// already has the postgis extension) on one cluster shared by the whole
// test binary. The cluster lives in a temporary directory (data and unix
// socket), listens on a free 127.0.0.1 port, runs with fsync off, and runs
// as the postgres OS user when the tests run as root. Call Main from
// TestMain to stop it and remove the directory when the tests end; the
// server also receives SIGQUIT if the test process dies, and directories
// left by dead test processes are removed by the next Start.
//
// When PostgreSQL or PostGIS is not installed, Start skips the test with
// an install hint, or fails it when the environment has CI=true.
package pgtest
