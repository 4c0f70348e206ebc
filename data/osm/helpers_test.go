package osm

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// missing skips the test, or fails it when CI=true.
func missing(t testing.TB, what string) {
	t.Helper()
	if os.Getenv("CI") == "true" {
		t.Fatalf("test data missing: %s", what)
	}
	t.Skipf("test data missing: %s", what)
}

// sharedFile returns shared/data/<rel>, found by walking up from the
// working directory.
func sharedFile(t testing.TB, rel string) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		p := filepath.Join(dir, "shared", "data", rel)
		if _, err := os.Stat(p); err == nil {
			return p
		}
		up := filepath.Dir(dir)
		if up == dir {
			missing(t, "shared/data/"+rel)
		}
		dir = up
	}
}

// delawareFile returns the Delaware extract shipped in paulmach/osm's
// module testdata.
func delawareFile(t testing.TB) string {
	t.Helper()
	out, err := exec.Command("go", "env", "GOMODCACHE").Output()
	if err != nil {
		t.Fatalf("go env GOMODCACHE: %v", err)
	}
	p := filepath.Join(strings.TrimSpace(string(out)), "github.com/paulmach/osm@v0.8.0/testdata/delaware-latest.osm.pbf")
	if _, err := os.Stat(p); err != nil {
		missing(t, p)
	}
	return p
}

func readFile(t testing.TB, path string, opt Options) *Extract {
	t.Helper()
	x, err := ReadFile(context.Background(), path, opt)
	if err != nil {
		t.Fatal(err)
	}
	return x
}
