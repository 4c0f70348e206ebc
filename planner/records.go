package planner

import (
	"fmt"
	"math"
	"strings"
)

// RecordKind names a kind of editable workspace record.
type RecordKind string

// The editable record kinds. Roads, grids, incidents, sites and buildings
// change only by a whole import.
const (
	KindCamera RecordKind = "camera"
	KindKiosk  RecordKind = "kiosk"
	KindUnit   RecordKind = "unit"
)

// EditOp is what an Edit does to its record.
type EditOp string

// Edit operations.
const (
	OpCreate EditOp = "create"
	OpUpdate EditOp = "update"
	OpDelete EditOp = "delete"
)

// Edit is one change to one editable record: a camera, kiosk or unit.
//
// Create takes the new record in the field of its kind (its ID and Version
// are ignored and assigned). Update replaces record ID with the given one;
// Delete removes it. Update and Delete must carry the Version the editor
// last saw: a store refuses the edit with ECONFLICT when the record has
// changed since, so no edit is ever lost.
type Edit struct {
	Op      EditOp     `json:"op"`
	Kind    RecordKind `json:"kind"`
	ID      int64      `json:"id,omitempty"`
	Version int64      `json:"version,omitempty"`
	Camera  *Camera    `json:"camera,omitempty"`
	Kiosk   *Kiosk     `json:"kiosk,omitempty"`
	Unit    *Unit      `json:"unit,omitempty"`
}

// Applied is the outcome of one Edit: the record's ID and new Version
// (after a delete, the revision that deleted it) and, for create and
// update, the record as stored.
type Applied struct {
	Op      EditOp     `json:"op"`
	Kind    RecordKind `json:"kind"`
	ID      int64      `json:"id"`
	Version int64      `json:"version"`
	Camera  *Camera    `json:"camera,omitempty"`
	Kiosk   *Kiosk     `json:"kiosk,omitempty"`
	Unit    *Unit      `json:"unit,omitempty"`
}

// Record returns the record an Edit or Applied carries (nil for a delete).
func (e *Edit) Record() any {
	switch e.Kind {
	case KindCamera:
		if e.Camera != nil {
			return e.Camera
		}
	case KindKiosk:
		if e.Kiosk != nil {
			return e.Kiosk
		}
	case KindUnit:
		if e.Unit != nil {
			return e.Unit
		}
	}
	return nil
}

// Validate checks an edit's shape and the record it carries, before any
// store sees it: known op and kind, an ID and Version for update and
// delete, exactly the record field of its kind for create and update, and
// a valid record (see ValidateCamera, ValidateKiosk, ValidateUnit).
func (e *Edit) Validate() error {
	switch e.Op {
	case OpCreate, OpUpdate, OpDelete:
	default:
		return Errorf(EINVALID, "edit op %q: want create, update or delete", e.Op)
	}
	switch e.Kind {
	case KindCamera, KindKiosk, KindUnit:
	default:
		return Errorf(EINVALID, "edit kind %q: want camera, kiosk or unit", e.Kind)
	}
	if e.Op != OpCreate {
		if e.ID <= 0 {
			return Errorf(EINVALID, "%s %s: a positive record id is required", e.Op, e.Kind)
		}
		if e.Version <= 0 {
			return Errorf(EINVALID, "%s %s %d: the version last seen (If-Match) is required", e.Op, e.Kind, e.ID)
		}
	}
	n := 0
	for _, p := range []bool{e.Camera != nil, e.Kiosk != nil, e.Unit != nil} {
		if p {
			n++
		}
	}
	if e.Op == OpDelete {
		if n != 0 {
			return Errorf(EINVALID, "delete %s %d carries a record", e.Kind, e.ID)
		}
		return nil
	}
	if n != 1 || e.Record() == nil {
		return Errorf(EINVALID, "%s %s: want exactly the %s record", e.Op, e.Kind, e.Kind)
	}
	switch e.Kind {
	case KindCamera:
		return ValidateCamera(e.Camera)
	case KindKiosk:
		return ValidateKiosk(e.Kiosk)
	default:
		return ValidateUnit(e.Unit)
	}
}

// ValidateCamera checks a camera an editor supplies and fills its one
// default (an empty kind becomes fixed): a valid lon,lat, a
// known kind, a bearing in [0,360) degrees, a field of view in (0,360]
// degrees and a range in (0,1000] metres. An empty kind becomes fixed.
func ValidateCamera(c *Camera) error {
	if !c.Location.Valid() {
		return Errorf(EINVALID, "camera position %v is not a valid lon,lat", c.Location)
	}
	switch c.Kind {
	case "":
		c.Kind = CameraFixed
	case CameraFixed, CameraDome, CameraPTZ:
	default:
		return Errorf(EINVALID, "camera kind %q: want fixed, dome or ptz", c.Kind)
	}
	if !finite(c.DirectionDeg) || c.DirectionDeg < 0 || c.DirectionDeg >= 360 {
		return Errorf(EINVALID, "camera direction %v: want degrees in [0,360)", c.DirectionDeg)
	}
	if !finite(c.FOVDeg) || c.FOVDeg <= 0 || c.FOVDeg > 360 {
		return Errorf(EINVALID, "camera field of view %v: want degrees in (0,360]", c.FOVDeg)
	}
	if !finite(c.RangeM) || c.RangeM <= 0 || c.RangeM > 1000 {
		return Errorf(EINVALID, "camera range %v: want metres in (0,1000]", c.RangeM)
	}
	return nil
}

// ValidateKiosk checks a kiosk an editor supplies: a valid lon,lat and no
// negative staff or vehicles.
func ValidateKiosk(k *Kiosk) error {
	if !k.Location.Valid() {
		return Errorf(EINVALID, "kiosk position %v is not a valid lon,lat", k.Location)
	}
	if k.Staff < 0 || k.Vehicles < 0 {
		return Errorf(EINVALID, "kiosk staff and vehicles must not be negative")
	}
	return nil
}

// ValidateUnit checks a unit an editor supplies: a known kind and shifts
// within the day (minutes 0..1439 after local midnight, start ≠ end).
func ValidateUnit(u *Unit) error {
	switch u.Kind {
	case UnitCar, UnitMotorbike, UnitFoot, UnitVolunteer:
	default:
		return Errorf(EINVALID, "unit kind %q: want car, motorbike, foot or volunteer", u.Kind)
	}
	if strings.TrimSpace(u.Name) == "" {
		return Errorf(EINVALID, "unit name is required")
	}
	for _, s := range u.Shifts {
		if s.Start < 0 || s.Start >= 1440 || s.End < 0 || s.End >= 1440 || s.Start == s.End {
			return Errorf(EINVALID, "unit %q shift %d–%d: want minutes 0..1439 after midnight, start ≠ end", u.Name, s.Start, s.End)
		}
	}
	return nil
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

// ApplyEdits returns a copy of ws with the edits applied in order, as a
// store would apply them at revision rev: created records get the next
// free ID of their kind, and every created or updated record gets
// Version rev. An update or delete of a missing record is ENOTFOUND; one
// whose Version differs from the record's is ECONFLICT. On error ws is
// unchanged and nothing is returned. ws itself is never modified, so
// readers of it are unaffected. Scenarios use it to apply their edits in
// memory.
func ApplyEdits(ws *Workspace, rev int64, edits []Edit) (*Workspace, []Applied, error) {
	cp := *ws
	cp.Cameras = append([]Camera(nil), ws.Cameras...)
	cp.Kiosks = append([]Kiosk(nil), ws.Kiosks...)
	cp.Units = append([]Unit(nil), ws.Units...)
	out := make([]Applied, 0, len(edits))
	for i := range edits {
		e := edits[i]
		// Validate fills defaults into the record: work on a copy so the
		// caller's edits are not changed.
		switch {
		case e.Camera != nil:
			c := *e.Camera
			e.Camera = &c
		case e.Kiosk != nil:
			k := *e.Kiosk
			e.Kiosk = &k
		case e.Unit != nil:
			u := *e.Unit
			e.Unit = &u
		}
		if err := e.Validate(); err != nil {
			return nil, nil, fmt.Errorf("edit %d: %w", i+1, err)
		}
		var a Applied
		var err error
		switch e.Kind {
		case KindCamera:
			cp.Cameras, a, err = applyOne(cp.Cameras, e, rev, e.Camera, func(c *Camera) *int64 { return &c.ID }, func(c *Camera) *int64 { return &c.Version })
			if err == nil && a.Op != OpDelete {
				c := cp.Cameras[indexOf(cp.Cameras, a.ID, func(c *Camera) int64 { return c.ID })]
				a.Camera = &c
			}
		case KindKiosk:
			cp.Kiosks, a, err = applyOne(cp.Kiosks, e, rev, e.Kiosk, func(k *Kiosk) *int64 { return &k.ID }, func(k *Kiosk) *int64 { return &k.Version })
			if err == nil && a.Op != OpDelete {
				k := cp.Kiosks[indexOf(cp.Kiosks, a.ID, func(k *Kiosk) int64 { return k.ID })]
				a.Kiosk = &k
			}
		case KindUnit:
			cp.Units, a, err = applyOne(cp.Units, e, rev, e.Unit, func(u *Unit) *int64 { return &u.ID }, func(u *Unit) *int64 { return &u.Version })
			if err == nil && a.Op != OpDelete {
				u := cp.Units[indexOf(cp.Units, a.ID, func(u *Unit) int64 { return u.ID })]
				a.Unit = &u
			}
		}
		if err != nil {
			return nil, nil, fmt.Errorf("edit %d: %w", i+1, err)
		}
		out = append(out, a)
	}
	return &cp, out, nil
}

func indexOf[T any](xs []T, id int64, idOf func(*T) int64) int {
	for i := range xs {
		if idOf(&xs[i]) == id {
			return i
		}
	}
	return -1
}

func applyOne[T any](xs []T, e Edit, rev int64, rec *T, id, ver func(*T) *int64) ([]T, Applied, error) {
	a := Applied{Op: e.Op, Kind: e.Kind, ID: e.ID, Version: rev}
	if e.Op == OpCreate {
		var next int64
		for i := range xs {
			next = max(next, *id(&xs[i]))
		}
		r := *rec
		*id(&r) = next + 1
		*ver(&r) = rev
		a.ID = next + 1
		return append(xs, r), a, nil
	}
	i := indexOf(xs, e.ID, func(x *T) int64 { return *id(x) })
	if i < 0 {
		return xs, a, Errorf(ENOTFOUND, "%s %d does not exist", e.Kind, e.ID)
	}
	if have := *ver(&xs[i]); have != e.Version {
		return xs, a, Errorf(ECONFLICT, "%s %d was changed by someone else (version %d, you edited version %d); reload and edit again", e.Kind, e.ID, have, e.Version)
	}
	if e.Op == OpDelete {
		return append(xs[:i:i], xs[i+1:]...), a, nil
	}
	r := *rec
	*id(&r) = e.ID
	*ver(&r) = rev
	xs[i] = r
	return xs, a, nil
}
