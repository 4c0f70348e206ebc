package storetest

import (
	"fmt"
	"math"
	"reflect"
	"time"

	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// Normalized returns a deep copy of ws in the form a conforming store loads
// it back (see the package documentation).
func Normalized(ws *planner.Workspace) *planner.Workspace {
	out := *ws
	out.Notes = mapSlice(ws.Notes, same)
	out.Roads = mapSlice(ws.Roads, func(r planner.Road) planner.Road {
		r.Geometry = mapSlice(r.Geometry, same)
		for m, t := range r.Travel {
			r.Travel[m] = planner.Travel{Forward: cost(t.Forward), Backward: cost(t.Backward)}
		}
		return r
	})
	out.Grids = mapSlice(ws.Grids, func(g planner.Grid) planner.Grid {
		g.Polygon = polygon(g.Polygon)
		g.Population, g.Risk = clonePtr(g.Population), clonePtr(g.Risk)
		return g
	})
	out.Cameras = mapSlice(ws.Cameras, func(c planner.Camera) planner.Camera {
		c.Defaulted = mapSlice(c.Defaulted, same)
		return c
	})
	out.Kiosks = mapSlice(ws.Kiosks, same)
	out.Incidents = mapSlice(ws.Incidents, func(x planner.Incident) planner.Incident {
		x.Time = x.Time.UTC()
		return x
	})
	out.Sites = mapSlice(ws.Sites, func(s planner.Site) planner.Site {
		s.Area = polygon(s.Area)
		return s
	})
	out.Units = mapSlice(ws.Units, func(u planner.Unit) planner.Unit {
		u.Shifts = mapSlice(u.Shifts, same)
		return u
	})
	out.Buildings = mapSlice(ws.Buildings, func(b planner.Building) planner.Building {
		b.Polygon = polygon(b.Polygon)
		return b
	})
	return &out
}

// mapSlice returns f applied to every element of xs in a new slice, or nil
// when xs is empty.
func mapSlice[S ~[]T, T any](xs S, f func(T) T) S {
	if len(xs) == 0 {
		return nil
	}
	out := make(S, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

func same[T any](x T) T { return x }

func polygon(pg geo.Polygon) geo.Polygon {
	return mapSlice(pg, func(r geo.Ring) geo.Ring { return mapSlice(r, same) })
}

func clonePtr(p *float64) *float64 {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// cost maps any negative (or NaN) travel cost to NoAccess.
func cost(s float64) float64 {
	if !(s >= 0) {
		return planner.NoAccess
	}
	return s
}

// Diff returns "" when got and want are identical, float bits and nil vs
// empty slices included, else a description of the first difference.
// Revision and record Versions are not compared (see Unversioned); the
// suite checks them on their own.
func Diff(got, want *planner.Workspace) string {
	return diff("Workspace", reflect.ValueOf(Unversioned(got)), reflect.ValueOf(Unversioned(want)))
}

// Unversioned returns a copy of ws with Revision and every camera, kiosk
// and unit Version zero.
func Unversioned(ws *planner.Workspace) *planner.Workspace {
	if ws == nil {
		return nil
	}
	cp := *ws
	cp.Revision = 0
	cp.Cameras = mapSlice(ws.Cameras, func(c planner.Camera) planner.Camera { c.Version = 0; return c })
	cp.Kiosks = mapSlice(ws.Kiosks, func(k planner.Kiosk) planner.Kiosk { k.Version = 0; return k })
	cp.Units = mapSlice(ws.Units, func(u planner.Unit) planner.Unit { u.Version = 0; return u })
	return &cp
}

var timeType = reflect.TypeFor[time.Time]()

func diff(path string, a, b reflect.Value) string {
	if a.Type() == timeType {
		if !reflect.DeepEqual(a.Interface(), b.Interface()) {
			return fmt.Sprintf("%s: got %v, want %v", path, a.Interface(), b.Interface())
		}
		return ""
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Slice:
		if a.IsNil() != b.IsNil() {
			return fmt.Sprintf("%s: got nil=%v, want nil=%v", path, a.IsNil(), b.IsNil())
		}
		if a.Kind() == reflect.Pointer {
			if a.IsNil() {
				return ""
			}
			return diff("*"+path, a.Elem(), b.Elem())
		}
		fallthrough
	case reflect.Array:
		if a.Len() != b.Len() {
			return fmt.Sprintf("%s: got len %d, want %d", path, a.Len(), b.Len())
		}
		for i := 0; i < a.Len(); i++ {
			if d := diff(fmt.Sprintf("%s[%d]", path, i), a.Index(i), b.Index(i)); d != "" {
				return d
			}
		}
	case reflect.Struct:
		for i := 0; i < a.NumField(); i++ {
			if d := diff(path+"."+a.Type().Field(i).Name, a.Field(i), b.Field(i)); d != "" {
				return d
			}
		}
	case reflect.Float32, reflect.Float64:
		if math.Float64bits(a.Float()) != math.Float64bits(b.Float()) {
			return fmt.Sprintf("%s: got %v (bits %#x), want %v (bits %#x)", path,
				a.Float(), math.Float64bits(a.Float()), b.Float(), math.Float64bits(b.Float()))
		}
	default:
		if !a.Equal(b) {
			return fmt.Sprintf("%s: got %v, want %v", path, a, b)
		}
	}
	return ""
}
