package planner

import (
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/tidewatch/tidewatch/geo"
)

// editBase is a small workspace as a store loads it at revision 4.
func editBase() *Workspace {
	return &Workspace{
		Name:     "base",
		Revision: 4,
		Cameras: []Camera{
			{ID: 3, Name: "c3", Location: geo.Point{Lon: 114.3, Lat: 30.5}, Kind: CameraFixed, DirectionDeg: 90, FOVDeg: 60, RangeM: 40, Defaulted: []string{"fov"}, Version: 2},
			{ID: 9, Name: "c9", Location: geo.Point{Lon: 114.4, Lat: 30.6}, Kind: CameraDome, FOVDeg: 360, RangeM: 30, Version: 4},
			{ID: 5, Name: "c5", Location: geo.Point{Lon: 114.5, Lat: 30.7}, Kind: CameraPTZ, FOVDeg: 360, RangeM: 60, Version: 1},
		},
		Kiosks: []Kiosk{{ID: -2, Name: "k-2", Location: geo.Point{Lon: 114.3, Lat: 30.5}, Staff: 2, Version: 4}},
		Units:  []Unit{{ID: 7, Name: "u7", Kind: UnitCar, HomeKiosk: -2, Shifts: []Shift{{Start: 480, End: 1200}}, Version: 3}},
	}
}

// clone deep-copies the parts of ws ApplyEdits may touch.
func clone(ws *Workspace) *Workspace {
	cp := *ws
	cp.Cameras = append([]Camera(nil), ws.Cameras...)
	for i := range cp.Cameras {
		cp.Cameras[i].Defaulted = append([]string(nil), ws.Cameras[i].Defaulted...)
	}
	cp.Kiosks = append([]Kiosk(nil), ws.Kiosks...)
	cp.Units = append([]Unit(nil), ws.Units...)
	for i := range cp.Units {
		cp.Units[i].Shifts = append([]Shift(nil), ws.Units[i].Shifts...)
	}
	return &cp
}

func TestApplyEdits(t *testing.T) {
	ws := editBase()
	orig := clone(ws)
	const rev = 5
	newCam := Camera{ID: 999, Version: 77, Name: "new", Location: geo.Point{Lon: 114.31, Lat: 30.51}, FOVDeg: 60, RangeM: 40}
	moved := ws.Cameras[0]
	moved.ID, moved.Version = 12345, 0 // ignored: the edit's ID and the new revision win
	moved.Location.Lon += 0.001
	moved.Name = "moved"
	newKiosk := Kiosk{Name: "k-new", Location: geo.Point{Lon: 114.32, Lat: 30.52}, Staff: 1}
	unit := Unit{Name: "u7 night", Kind: UnitFoot, HomeKiosk: 1, Shifts: []Shift{{Start: 1320, End: 120}}}
	edits := []Edit{
		{Op: OpCreate, Kind: KindCamera, Camera: &newCam},
		{Op: OpUpdate, Kind: KindCamera, ID: 3, Version: 2, Camera: &moved},
		{Op: OpDelete, Kind: KindCamera, ID: 9, Version: 4},
		{Op: OpCreate, Kind: KindKiosk, Kiosk: &newKiosk},
		{Op: OpUpdate, Kind: KindUnit, ID: 7, Version: 3, Unit: &unit},
		{Op: OpCreate, Kind: KindCamera, Camera: &Camera{Location: geo.Point{Lon: 114.33, Lat: 30.53}, FOVDeg: 90, RangeM: 20}},
	}
	got, applied, err := ApplyEdits(ws, rev, edits)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ws, orig) {
		t.Fatal("ApplyEdits modified its input workspace")
	}

	// Cameras: 3 updated in place, 9 gone, 5 kept, then the two new ones,
	// each under one more than the largest ID at its turn: 10 (before 9
	// is deleted) and 11.
	var ids []int64
	for _, c := range got.Cameras {
		ids = append(ids, c.ID)
	}
	if !reflect.DeepEqual(ids, []int64{3, 5, 10, 11}) {
		t.Fatalf("camera IDs %v, want [3 5 10 11]", ids)
	}
	c3 := got.Cameras[0]
	if c3.Name != "moved" || c3.Version != rev || c3.Location != moved.Location {
		t.Errorf("updated camera = %+v", c3)
	}
	if !reflect.DeepEqual(got.Cameras[1], orig.Cameras[2]) {
		t.Errorf("untouched camera changed: %+v", got.Cameras[1])
	}
	if c := got.Cameras[2]; c.Name != "new" || c.Version != rev || c.Kind != CameraFixed {
		t.Errorf("created camera = %+v (want version %d, empty kind made fixed)", c, rev)
	}
	// Kiosks: only negative IDs before, so the new kiosk is 1.
	if len(got.Kiosks) != 2 || got.Kiosks[1].ID != 1 || got.Kiosks[1].Version != rev || got.Kiosks[0].Version != 4 {
		t.Errorf("kiosks = %+v", got.Kiosks)
	}
	if u := got.Units[0]; u.ID != 7 || u.Name != "u7 night" || u.Version != rev || !reflect.DeepEqual(u.Shifts, unit.Shifts) {
		t.Errorf("updated unit = %+v", u)
	}
	if got.Revision != ws.Revision || got.Name != "base" {
		t.Errorf("workspace header changed: %q revision %d", got.Name, got.Revision)
	}

	want := []Applied{
		{Op: OpCreate, Kind: KindCamera, ID: 10, Version: rev},
		{Op: OpUpdate, Kind: KindCamera, ID: 3, Version: rev},
		{Op: OpDelete, Kind: KindCamera, ID: 9, Version: rev},
		{Op: OpCreate, Kind: KindKiosk, ID: 1, Version: rev},
		{Op: OpUpdate, Kind: KindUnit, ID: 7, Version: rev},
		{Op: OpCreate, Kind: KindCamera, ID: 11, Version: rev},
	}
	if len(applied) != len(want) {
		t.Fatalf("%d applied, want %d", len(applied), len(want))
	}
	for i, a := range applied {
		w := want[i]
		if a.Op != w.Op || a.Kind != w.Kind || a.ID != w.ID || a.Version != w.Version {
			t.Errorf("applied[%d] = %s %s %d v%d, want %s %s %d v%d", i, a.Op, a.Kind, a.ID, a.Version, w.Op, w.Kind, w.ID, w.Version)
		}
		hasRecord := a.Camera != nil || a.Kiosk != nil || a.Unit != nil
		if hasRecord != (a.Op != OpDelete) {
			t.Errorf("applied[%d] (%s) carries a record: %v", i, a.Op, hasRecord)
		}
	}
	if applied[0].Camera.ID != 10 || applied[0].Camera.Version != rev || applied[3].Kiosk.ID != 1 || applied[4].Unit.Name != "u7 night" {
		t.Errorf("applied records: %+v %+v %+v", applied[0].Camera, applied[3].Kiosk, applied[4].Unit)
	}
}

func TestApplyEditsNone(t *testing.T) {
	ws := editBase()
	got, applied, err := ApplyEdits(ws, 5, nil)
	if err != nil || len(applied) != 0 || !reflect.DeepEqual(got, ws) || got == ws {
		t.Fatalf("ApplyEdits(no edits) = %p %v %v; want an equal copy", got, applied, err)
	}
}

func TestApplyEditsSeesEarlierEdits(t *testing.T) {
	// Later edits in a batch see earlier ones: a record created at rev can
	// be updated at rev, and a deleted one is gone.
	ws := editBase()
	const rev = 5
	k := Kiosk{Name: "k", Location: geo.Point{Lon: 1, Lat: 1}}
	k2 := k
	k2.Staff = 4
	got, _, err := ApplyEdits(ws, rev, []Edit{
		{Op: OpCreate, Kind: KindKiosk, Kiosk: &k},
		{Op: OpUpdate, Kind: KindKiosk, ID: 1, Version: rev, Kiosk: &k2},
	})
	if err != nil || len(got.Kiosks) != 2 || got.Kiosks[1].Staff != 4 {
		t.Fatalf("create then update: %+v, %v", got, err)
	}
	_, _, err = ApplyEdits(ws, rev, []Edit{
		{Op: OpDelete, Kind: KindUnit, ID: 7, Version: 3},
		{Op: OpDelete, Kind: KindUnit, ID: 7, Version: 3},
	})
	if ErrorCode(err) != ENOTFOUND || !strings.Contains(err.Error(), "edit 2") {
		t.Fatalf("second delete of one unit = %v, want %s in edit 2", err, ENOTFOUND)
	}
}

func TestApplyEditsErrors(t *testing.T) {
	cam := editBase().Cameras[0]
	for name, tc := range map[string]struct {
		edits []Edit
		code  string
		msg   string
	}{
		"stale update": {[]Edit{{Op: OpUpdate, Kind: KindCamera, ID: 3, Version: 1, Camera: &cam}}, ECONFLICT,
			"camera 3 was changed by someone else (version 2, you edited version 1)"},
		"stale delete": {[]Edit{{Op: OpDelete, Kind: KindUnit, ID: 7, Version: 2}}, ECONFLICT, "unit 7 was changed"},
		"missing update": {[]Edit{{Op: OpUpdate, Kind: KindCamera, ID: 4, Version: 2, Camera: &cam}}, ENOTFOUND,
			"camera 4 does not exist"},
		"missing delete":    {[]Edit{{Op: OpDelete, Kind: KindKiosk, ID: 2, Version: 4}}, ENOTFOUND, "kiosk 2 does not exist"},
		"invalid":           {[]Edit{{Op: OpCreate, Kind: KindKiosk, Kiosk: &Kiosk{Location: geo.Point{Lon: 200}}}}, EINVALID, "not a valid lon,lat"},
		"valid then stale":  {[]Edit{{Op: OpDelete, Kind: KindCamera, ID: 9, Version: 4}, {Op: OpDelete, Kind: KindCamera, ID: 5, Version: 2}}, ECONFLICT, "edit 2"},
		"valid then broken": {[]Edit{{Op: OpDelete, Kind: KindCamera, ID: 9, Version: 4}, {Op: "move", Kind: KindCamera}}, EINVALID, "edit 2"},
	} {
		ws := editBase()
		orig := clone(ws)
		got, applied, err := ApplyEdits(ws, 5, tc.edits)
		if ErrorCode(err) != tc.code || !strings.Contains(err.Error(), tc.msg) {
			t.Errorf("%s: err = %v, want %s containing %q", name, err, tc.code, tc.msg)
		}
		if got != nil || applied != nil {
			t.Errorf("%s: returned a workspace or results with an error", name)
		}
		if !reflect.DeepEqual(ws, orig) {
			t.Errorf("%s: the input workspace changed", name)
		}
	}
}

func TestEditValidate(t *testing.T) {
	okCam := func() *Camera {
		return &Camera{Location: geo.Point{Lon: 114.3, Lat: 30.5}, Kind: CameraFixed, DirectionDeg: 0, FOVDeg: 60, RangeM: 40}
	}
	cam := func(f func(c *Camera)) *Camera { c := okCam(); f(c); return c }
	okKiosk := &Kiosk{Location: geo.Point{Lon: 114.3, Lat: 30.5}}
	okUnit := func() *Unit { return &Unit{Name: "u", Kind: UnitMotorbike, Shifts: []Shift{{Start: 0, End: 1439}}} }
	unit := func(f func(u *Unit)) *Unit { u := okUnit(); f(u); return u }
	valid := map[string]Edit{
		"create camera":        {Op: OpCreate, Kind: KindCamera, Camera: okCam()},
		"create camera no id":  {Op: OpCreate, Kind: KindCamera, ID: 0, Version: 0, Camera: okCam()},
		"update kiosk":         {Op: OpUpdate, Kind: KindKiosk, ID: 1, Version: 1, Kiosk: okKiosk},
		"negative record id":   {Op: OpCreate, Kind: KindUnit, ID: -5, Unit: okUnit()},
		"delete unit":          {Op: OpDelete, Kind: KindUnit, ID: 1, Version: 1},
		"full circle":          {Op: OpCreate, Kind: KindCamera, Camera: cam(func(c *Camera) { c.Kind, c.FOVDeg, c.DirectionDeg = CameraDome, 360, 359.9 })},
		"range 1000":           {Op: OpCreate, Kind: KindCamera, Camera: cam(func(c *Camera) { c.RangeM = 1000 })},
		"shift across night":   {Op: OpCreate, Kind: KindUnit, Unit: unit(func(u *Unit) { u.Shifts = []Shift{{Start: 1320, End: 120}} })},
		"unit without shifts":  {Op: OpCreate, Kind: KindUnit, Unit: unit(func(u *Unit) { u.Shifts = nil })},
		"kiosk with no staff":  {Op: OpCreate, Kind: KindKiosk, Kiosk: &Kiosk{Location: geo.Point{Lon: -180, Lat: 90}}},
		"camera on a boundary": {Op: OpCreate, Kind: KindCamera, Camera: cam(func(c *Camera) { c.Location = geo.Point{Lon: 180, Lat: -90} })},
	}
	for name, e := range valid {
		if err := e.Validate(); err != nil {
			t.Errorf("%s: Validate = %v, want nil", name, err)
		}
	}
	c := cam(func(c *Camera) { c.Kind = "" })
	if err := (&Edit{Op: OpCreate, Kind: KindCamera, Camera: c}).Validate(); err != nil || c.Kind != CameraFixed {
		t.Errorf("empty camera kind: %v, kind %q; want it made fixed", err, c.Kind)
	}
	invalid := map[string]Edit{
		"unknown op":            {Op: "move", Kind: KindCamera, Camera: okCam()},
		"empty op":              {Kind: KindCamera, Camera: okCam()},
		"unknown kind":          {Op: OpCreate, Kind: "site"},
		"update without id":     {Op: OpUpdate, Kind: KindKiosk, Version: 1, Kiosk: okKiosk},
		"update without ver":    {Op: OpUpdate, Kind: KindKiosk, ID: 1, Kiosk: okKiosk},
		"delete negative id":    {Op: OpDelete, Kind: KindKiosk, ID: -1, Version: 1},
		"delete negative ver":   {Op: OpDelete, Kind: KindKiosk, ID: 1, Version: -1},
		"delete with record":    {Op: OpDelete, Kind: KindKiosk, ID: 1, Version: 1, Kiosk: okKiosk},
		"delete with other":     {Op: OpDelete, Kind: KindKiosk, ID: 1, Version: 1, Camera: okCam()},
		"create without record": {Op: OpCreate, Kind: KindCamera},
		"create wrong record":   {Op: OpCreate, Kind: KindCamera, Kiosk: okKiosk},
		"create two records":    {Op: OpCreate, Kind: KindCamera, Camera: okCam(), Kiosk: okKiosk},
		"bad camera position":   {Op: OpCreate, Kind: KindCamera, Camera: cam(func(c *Camera) { c.Location.Lat = 91 })},
		"NaN camera position":   {Op: OpCreate, Kind: KindCamera, Camera: cam(func(c *Camera) { c.Location.Lon = math.NaN() })},
		"bad camera kind":       {Op: OpCreate, Kind: KindCamera, Camera: cam(func(c *Camera) { c.Kind = "bullet" })},
		"direction 360":         {Op: OpCreate, Kind: KindCamera, Camera: cam(func(c *Camera) { c.DirectionDeg = 360 })},
		"negative direction":    {Op: OpCreate, Kind: KindCamera, Camera: cam(func(c *Camera) { c.DirectionDeg = -1 })},
		"NaN direction":         {Op: OpCreate, Kind: KindCamera, Camera: cam(func(c *Camera) { c.DirectionDeg = math.NaN() })},
		"zero fov":              {Op: OpCreate, Kind: KindCamera, Camera: cam(func(c *Camera) { c.FOVDeg = 0 })},
		"fov over 360":          {Op: OpCreate, Kind: KindCamera, Camera: cam(func(c *Camera) { c.FOVDeg = 361 })},
		"zero range":            {Op: OpCreate, Kind: KindCamera, Camera: cam(func(c *Camera) { c.RangeM = 0 })},
		"range over 1000":       {Op: OpCreate, Kind: KindCamera, Camera: cam(func(c *Camera) { c.RangeM = 1000.5 })},
		"infinite range":        {Op: OpCreate, Kind: KindCamera, Camera: cam(func(c *Camera) { c.RangeM = math.Inf(1) })},
		"bad kiosk position":    {Op: OpCreate, Kind: KindKiosk, Kiosk: &Kiosk{Location: geo.Point{Lon: 181}}},
		"negative staff":        {Op: OpCreate, Kind: KindKiosk, Kiosk: &Kiosk{Location: geo.Point{Lon: 1, Lat: 1}, Staff: -1}},
		"negative vehicles":     {Op: OpCreate, Kind: KindKiosk, Kiosk: &Kiosk{Location: geo.Point{Lon: 1, Lat: 1}, Vehicles: -1}},
		"bad unit kind":         {Op: OpCreate, Kind: KindUnit, Unit: unit(func(u *Unit) { u.Kind = "horse" })},
		"blank unit name":       {Op: OpCreate, Kind: KindUnit, Unit: unit(func(u *Unit) { u.Name = " \t" })},
		"empty shift":           {Op: OpCreate, Kind: KindUnit, Unit: unit(func(u *Unit) { u.Shifts = []Shift{{Start: 600, End: 600}} })},
		"shift past midnight":   {Op: OpCreate, Kind: KindUnit, Unit: unit(func(u *Unit) { u.Shifts = []Shift{{Start: 600, End: 1440}} })},
		"negative shift":        {Op: OpCreate, Kind: KindUnit, Unit: unit(func(u *Unit) { u.Shifts = []Shift{{Start: -1, End: 60}} })},
	}
	for name, e := range invalid {
		if err := e.Validate(); ErrorCode(err) != EINVALID {
			t.Errorf("%s: Validate = %v, want %s", name, err, EINVALID)
		}
	}
}

func TestEditRecord(t *testing.T) {
	c, k, u := &Camera{}, &Kiosk{}, &Unit{}
	for _, tc := range []struct {
		e    Edit
		want any
	}{
		{Edit{Kind: KindCamera, Camera: c}, c},
		{Edit{Kind: KindKiosk, Kiosk: k}, k},
		{Edit{Kind: KindUnit, Unit: u}, u},
		{Edit{Kind: KindCamera, Kiosk: k}, nil},
		{Edit{Kind: KindUnit}, nil},
	} {
		if got := tc.e.Record(); got != tc.want {
			t.Errorf("Record(%s) = %v, want %v", tc.e.Kind, got, tc.want)
		}
	}
}
