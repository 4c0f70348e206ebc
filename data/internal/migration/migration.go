// Package migration loads a store's versioned schema steps: embedded
// files named NNNN_what.sql, applied in ascending NNNN.
package migration

import (
	"fmt"
	"io/fs"
	"sort"
	"strconv"
	"strings"
)

// Step is one schema migration.
type Step struct {
	Version int
	Name    string // the file's base name
	SQL     string
}

// Load reads fsys's migrations/*.sql, checking that versions run 1, 2,
// 3, ... without gaps; store names the store in errors.
func Load(fsys fs.FS, store string) ([]Step, error) {
	names, err := fs.Glob(fsys, "migrations/*.sql")
	if err != nil {
		return nil, err
	}
	var ms []Step
	for _, name := range names {
		base := strings.TrimPrefix(name, "migrations/")
		num, _, ok := strings.Cut(base, "_")
		v, err := strconv.Atoi(num)
		if !ok || err != nil || v <= 0 {
			return nil, fmt.Errorf("%s: migration %q: want NNNN_name.sql", store, base)
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return nil, err
		}
		ms = append(ms, Step{Version: v, Name: base, SQL: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	for i, m := range ms {
		if m.Version != i+1 {
			return nil, fmt.Errorf("%s: migration %q: version %d, want %d", store, m.Name, m.Version, i+1)
		}
	}
	return ms, nil
}
