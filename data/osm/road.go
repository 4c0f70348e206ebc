package osm

import (
	"strconv"
	"strings"

	posm "github.com/paulmach/osm"
	"github.com/tidewatch/tidewatch/planner"
)

// CarSpeedKmh is the default car speed in km/h per routable highway class,
// urban Chinese-city values; 0 means cars may not use the class. Every key
// is a routable class (see the package doc for the per-mode rules).
var CarSpeedKmh = map[string]float64{
	"motorway": 80, "trunk": 60, "primary": 50, "secondary": 40, "tertiary": 35,
	"unclassified": 30, "residential": 25, "living_street": 10, "service": 15,
	"motorway_link": 30, "trunk_link": 30, "primary_link": 30, "secondary_link": 30, "tertiary_link": 30,
	"track": 0, "path": 0, "footway": 0, "pedestrian": 0, "steps": 0, "cycleway": 0, "bridleway": 0,
}

// Speeds outside the car table, km/h.
const (
	EBikeMaxKmh   = 25.0 // e-bike cap on car roads
	EBikePathKmh  = 15.0 // e-bike on tracks, paths and cycleways
	FootKmh       = 5.0
	FootStepsKmh  = 4.5
	mphToKmh      = 1.609344
	modeCar       = 0
	modeEBike     = 1
	modeFoot      = 2
	accessUnknown = 0
	accessYes     = 1
	accessNo      = -1
)

// profile is how each mode may use one way: kmh 0 = not at all.
type profile struct {
	highway, name string
	kmh           [planner.NumModes]float64
	fwd, bwd      [planner.NumModes]bool
}

// travel returns seconds per direction and mode for a segment of lengthM
// metres on a way with this profile.
func (p *profile) travel(lengthM float64) [planner.NumModes]planner.Travel {
	var t [planner.NumModes]planner.Travel
	for m := range t {
		t[m] = planner.Travel{Forward: planner.NoAccess, Backward: planner.NoAccess}
		if p.kmh[m] <= 0 {
			continue
		}
		s := lengthM / (p.kmh[m] / 3.6)
		if p.fwd[m] {
			t[m].Forward = s
		}
		if p.bwd[m] {
			t[m].Backward = s
		}
	}
	return t
}

// accessOf maps an access-type tag value to allow/deny/unknown.
func accessOf(v string) int {
	switch v {
	case "yes", "designated", "permissive", "destination", "delivery", "customers", "official":
		return accessYes
	case "no", "private", "agricultural", "forestry", "use_sidepath", "dismount":
		return accessNo
	}
	return accessUnknown
}

// allowed applies the mode tags (most specific first) then the
// restricting access tag to a class default.
func allowed(tags posm.Tags, def bool, keys ...string) bool {
	for _, k := range keys {
		switch accessOf(tags.Find(k)) {
		case accessYes:
			return true
		case accessNo:
			return false
		}
	}
	if accessOf(tags.Find("access")) == accessNo {
		return false
	}
	return def
}

// onewayOf returns 1 (drawing direction only), -1 (against it), 0 (both)
// or 2 (reversible: closed) for a oneway-type value; implied applies when
// the value is empty.
func onewayOf(v string, implied bool) int {
	switch v {
	case "yes", "true", "1":
		return 1
	case "-1", "reverse":
		return -1
	case "reversible", "alternating":
		return 2
	case "":
		if implied {
			return 1
		}
	}
	return 0
}

// ParseMaxspeed parses an OSM maxspeed value in km/h: a plain number
// ("50", "37.5") or a number in mph ("30 mph", "30mph"). ok is false for
// anything else (zones such as CN:urban, none, walk, lists).
func ParseMaxspeed(s string) (kmh float64, ok bool) {
	s = strings.TrimSpace(s)
	f := 1.0
	if t, found := strings.CutSuffix(s, "mph"); found {
		s, f = strings.TrimSpace(t), mphToKmh
	} else if t, found := strings.CutSuffix(s, "km/h"); found {
		s = strings.TrimSpace(t)
	}
	if s == "" {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !(v > 0) || v > 300 {
		return 0, false
	}
	return v * f, true
}

// roadProfile derives a way's per-mode access, direction and speed from
// its tags; ok is false when no mode may use it.
func roadProfile(tags posm.Tags) (p profile, ok bool) {
	hw := tags.Find("highway")
	car, known := CarSpeedKmh[hw]
	if !known || tags.Find("area") == "yes" {
		return p, false
	}
	p.highway, p.name = hw, name(tags)
	motorway := hw == "motorway" || hw == "motorway_link"
	pathLike := car == 0
	ebikeDef := !motorway && (car > 0 || hw == "track" || hw == "path" || hw == "cycleway")
	footDef := !motorway
	if tags.Find("motorroad") == "yes" {
		ebikeDef, footDef = false, false
	}
	if car > 0 && allowed(tags, true, "motorcar", "motor_vehicle", "vehicle") {
		if ms, ok := ParseMaxspeed(tags.Find("maxspeed")); ok && ms < car {
			car = ms
		}
		p.kmh[modeCar] = car
	}
	if allowed(tags, ebikeDef, "moped", "bicycle", "vehicle") {
		if pathLike {
			p.kmh[modeEBike] = EBikePathKmh
		} else {
			p.kmh[modeEBike] = min(car, EBikeMaxKmh)
		}
	}
	if allowed(tags, footDef, "foot") {
		p.kmh[modeFoot] = FootKmh
		if hw == "steps" {
			p.kmh[modeFoot] = FootStepsKmh
		}
	}
	j := tags.Find("junction")
	dir := onewayOf(tags.Find("oneway"), j == "roundabout" || j == "circular" || hw == "motorway")
	ebikeDir := dir
	if v := tags.Find("oneway:bicycle"); v != "" {
		ebikeDir = onewayOf(v, false)
	}
	for m, d := range [planner.NumModes]int{dir, ebikeDir, 0} {
		p.fwd[m] = d == 0 || d == 1
		p.bwd[m] = d == 0 || d == -1
		if d == 2 {
			p.kmh[m] = 0
		}
	}
	return p, p.kmh != [planner.NumModes]float64{}
}
