package planner

import (
	"time"

	"github.com/tidewatch/tidewatch/geo"
)

// Workspace is everything one station plans with: the road network, grids,
// cameras, kiosks, incidents, key sites, units and buildings, all in WGS84
// (lon,lat). IDs are unique within their own slice and stable across a
// store round trip.
type Workspace struct {
	Name      string
	Bound     geo.Bound // the area of interest (the import bbox or the data's extent)
	Roads     []Road
	Grids     []Grid
	Cameras   []Camera
	Kiosks    []Kiosk
	Incidents []Incident
	Sites     []Site
	Units     []Unit
	Buildings []Building
	// Notes are human-readable provenance lines ("roads: OSM ©
	// OpenStreetMap contributors", "cameras: synthetic demo data").
	Notes []string
	// Revision is the store's revision when the workspace was loaded (0
	// for one not loaded from a store); it grows with every write.
	Revision int64
}

// Road is one routable stretch of street between two junctions or ends,
// cut from an OSM way. From and To are OSM node ids; Geometry runs From→To.
type Road struct {
	ID       int64
	WayID    int64 // OSM way id
	From, To int64 // OSM node ids at the ends
	Geometry geo.LineString
	Highway  string // OSM highway class: primary, residential, footway, ...
	Name     string
	LengthM  float64 // geodesic length of Geometry, metres
	// Travel holds seconds per direction for each mode, indexed by
	// Mode.Index(); negative = not allowed.
	Travel [NumModes]Travel
}

// TravelFor returns the segment's cost in mode m.
func (r *Road) TravelFor(m Mode) Travel {
	i := m.Index()
	if i < 0 {
		return Travel{NoAccess, NoAccess}
	}
	return r.Travel[i]
}

// Grid is one cell of the jurisdiction (网格).
type Grid struct {
	ID         int64
	Name       string
	Polygon    geo.Polygon
	Population *float64 // optional residents
	Risk       *float64 // optional risk weight set by the station
	Generated  bool     // true when Tidewatch generated the cell (no grids file)
}

// CameraKind is the mount/optics of a camera.
type CameraKind string

// Camera kinds: a fixed (bullet/box) camera sees a sector; dome and PTZ
// cameras are modelled as discs (a PTZ can turn to any bearing).
const (
	CameraFixed CameraKind = "fixed"
	CameraDome  CameraKind = "dome"
	CameraPTZ   CameraKind = "ptz"
)

// Documented defaults for camera parameters a source leaves out (metres,
// degrees). Range is the distance at which a person is still
// recognisable in street lighting, not the optical maximum.
const (
	DefaultFixedFOV   = 60.0  // degrees, typical 4 mm lens on a 1/2.8" sensor
	DefaultFixedRange = 40.0  // metres
	DefaultDomeRange  = 30.0  // metres, wide-angle dome
	DefaultPTZRange   = 60.0  // metres, with optical zoom in reach
	DefaultDirection  = 0.0   // degrees clockwise from north, when unknown
	FullCircle        = 360.0 // degrees: dome/PTZ field of view
)

// Camera is a public-security video camera (天网).
type Camera struct {
	ID           int64
	Ref          string // the source's id or name
	Name         string
	Location     geo.Point
	Kind         CameraKind
	DirectionDeg float64 // bearing of the optical axis, degrees clockwise from north
	FOVDeg       float64 // horizontal field of view, degrees (360 for dome/PTZ)
	RangeM       float64 // useful range, metres
	// Defaulted lists which of kind, direction, fov and range came from the
	// documented defaults rather than the source.
	Defaulted []string
	Source    string // "osm", "file:<name>", "synthetic"
	// Version is the store revision that last wrote the camera (see
	// Store.ApplyEdits); 0 for a camera no store has written.
	Version int64
}

// Kiosk is a street police post (警务站) where units start and end.
type Kiosk struct {
	ID       int64
	Ref      string
	Name     string
	Location geo.Point
	Staff    int
	Vehicles int
	Source   string
	Version  int64 // the store revision that last wrote it (see Camera.Version)
}

// Incident is a recorded call for service or crime (警情) with a time.
type Incident struct {
	ID       int64
	Ref      string
	Location geo.Point
	Time     time.Time // local wall-clock time of the source, stored as UTC fields
	Category string
	Weight   float64 // 1 unless the source or category weights say otherwise
	Source   string
}

// SiteCategory is the kind of key site (重点部位).
type SiteCategory string

// Key site categories.
const (
	SiteSchool   SiteCategory = "school"
	SiteHospital SiteCategory = "hospital"
	SiteBank     SiteCategory = "bank"
	SiteStation  SiteCategory = "station" // rail, metro or bus station, transport hub
	SiteMarket   SiteCategory = "market"
	SiteOther    SiteCategory = "other"
)

// DefaultTier returns the required response tier in minutes for a site
// category: transport hubs 1; hospitals, schools, banks 3; markets and
// others 5 (after Tianjin's 1/3/5-minute tiering).
func DefaultTier(c SiteCategory) int {
	switch c {
	case SiteStation:
		return 1
	case SiteHospital, SiteSchool, SiteBank:
		return 3
	}
	return 5
}

// Site is a key site with a required response tier (1, 3 or 5 minutes).
type Site struct {
	ID       int64
	Ref      string
	Name     string
	Category SiteCategory
	Location geo.Point   // a representative point (centroid for areas)
	Area     geo.Polygon // optional outline
	Tier     int         // minutes: 1, 3 or 5
	Source   string
}

// UnitKind is what kind of patrol unit a unit is.
type UnitKind string

// Unit kinds.
const (
	UnitCar       UnitKind = "car"
	UnitMotorbike UnitKind = "motorbike"
	UnitFoot      UnitKind = "foot"
	UnitVolunteer UnitKind = "volunteer" // 义警 group on foot
)

// Mode returns the road network a unit kind travels on.
func (k UnitKind) Mode() Mode {
	switch k {
	case UnitCar:
		return ModeCar
	case UnitMotorbike:
		return ModeEBike
	}
	return ModeFoot
}

// Shift is a daily window in minutes after local midnight; End may be
// smaller than Start for a shift across midnight (22:00–02:00 is
// Start 1320, End 120).
type Shift struct {
	Start, End int
}

// Unit is a patrol unit: a car, a motorbike, a foot pair or a volunteer group.
type Unit struct {
	ID        int64
	Name      string
	Kind      UnitKind
	HomeKiosk int64 // Kiosk.ID
	Shifts    []Shift
	Version   int64 // the store revision that last wrote it (see Camera.Version)
}

// Building is a building footprint, kept to occlude camera views.
type Building struct {
	ID      int64
	OSMID   int64 // way id (or relation id, negated)
	Polygon geo.Polygon
	LevelsM float64 // height in metres when known, else 0
}

// Counts is the number of records of each kind; road figures are for the
// car network.
type Counts struct {
	RoadNodes int     `json:"road_nodes"`
	RoadEdges int     `json:"road_edges"`
	RoadKm    float64 `json:"road_km"`
	Grids     int     `json:"grids"`
	Cameras   int     `json:"cameras"`
	Kiosks    int     `json:"kiosks"`
	Incidents int     `json:"incidents"`
	Sites     int     `json:"sites"`
}

// Counts returns the workspace's record counts; road_nodes/edges/km cover
// the segments a car may travel in at least one direction.
func (w *Workspace) Counts() Counts {
	c := Counts{Grids: len(w.Grids), Cameras: len(w.Cameras), Kiosks: len(w.Kiosks),
		Incidents: len(w.Incidents), Sites: len(w.Sites)}
	nodes := map[int64]struct{}{}
	for i := range w.Roads {
		r := &w.Roads[i]
		if !r.TravelFor(ModeCar).Allowed() {
			continue
		}
		c.RoadEdges++
		c.RoadKm += r.LengthM / 1000
		nodes[r.From] = struct{}{}
		nodes[r.To] = struct{}{}
	}
	c.RoadNodes = len(nodes)
	return c
}
