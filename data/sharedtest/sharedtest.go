// Package sharedtest finds the project's read-only test data for tests:
// the public data sets in ../shared/data next to the repository, and the
// Delaware OSM extract shipped inside the Go module github.com/paulmach/osm.
// When the data is missing a test skips with a message, except under
// CI=true, where it fails: CI must never pass by skipping.
package sharedtest

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Path returns the path of rel (e.g. "osm/baltimore_downtown.osm.pbf")
// under shared/data, found by walking up from the working directory.
func Path(t testing.TB, rel string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for d := dir; ; d = filepath.Dir(d) {
		p := filepath.Join(d, "shared", "data", rel)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		if d == filepath.Dir(d) {
			break
		}
	}
	missing(t, "shared/data/"+rel+" not found above "+dir)
	return ""
}

// Delaware returns the path of testdata/delaware-latest.osm.pbf in the Go
// module cache's copy of github.com/paulmach/osm.
func Delaware(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "github.com/paulmach/osm").Output()
	if err == nil {
		p := filepath.Join(strings.TrimSpace(string(out)), "testdata", "delaware-latest.osm.pbf")
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	missing(t, "the Delaware extract of github.com/paulmach/osm is not in the module cache (go mod download github.com/paulmach/osm)")
	return ""
}

func missing(t testing.TB, why string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("%s (CI=true: test data is required)", why)
	}
	t.Skip(why + "; skipping")
}
