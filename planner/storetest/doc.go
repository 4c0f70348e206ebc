// Package storetest is the conformance suite every planner.Store must pass
// (data/sqlite, data/postgis): Run exercises a fresh store per subtest.
//
// The round-trip contract: LoadWorkspace returns a workspace equal, float
// bit for float bit, to Normalized of what ReplaceWorkspace stored. The
// normalisation is:
//   - slices keep their order; an empty slice at any level (the workspace's
//     slices, Notes, Camera.Defaulted, Unit.Shifts, Site.Area, polygon
//     rings, ring and line points) loads as nil;
//   - times load in UTC: the same instant with nanoseconds, no monotonic
//     clock reading;
//   - a negative travel cost (seconds) loads as planner.NoAccess.
//
// Everything else, including -0, ±Inf bounds (geo.EmptyBound), nil vs
// non-nil optional pointers and unicode text, must come back unchanged.
// A duplicate ID within one slice must be rejected with planner.EINVALID,
// leaving the previous workspace in place; a cancelled context must yield
// an error wrapping context.Canceled.
package storetest
