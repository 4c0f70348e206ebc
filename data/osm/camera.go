package osm

import (
	"math"
	"strconv"
	"strings"

	posm "github.com/paulmach/osm"
	"github.com/tidewatch/tidewatch/planner"
)

// isCamera reports whether a node is a surveillance camera Tidewatch keeps:
// man_made=surveillance with surveillance:type absent, camera or ALPR, and
// not surveillance=indoor.
func isCamera(tags posm.Tags) bool {
	if tags.Find("man_made") != "surveillance" || tags.Find("surveillance") == "indoor" {
		return false
	}
	switch strings.ToLower(tags.Find("surveillance:type")) {
	case "", "camera", "alpr":
		return true
	}
	return false
}

var compass = map[string]float64{
	"N": 0, "NNE": 22.5, "NE": 45, "ENE": 67.5, "E": 90, "ESE": 112.5, "SE": 135, "SSE": 157.5,
	"S": 180, "SSW": 202.5, "SW": 225, "WSW": 247.5, "W": 270, "WNW": 292.5, "NW": 315, "NNW": 337.5,
}

// ParseDirection parses an OSM direction value (camera:direction,
// direction): degrees clockwise from north, any real number (normalised
// to [0,360)), or a 16-point compass name such as "N" or "SSW".
func ParseDirection(s string) (deg float64, ok bool) {
	s = strings.TrimSpace(s)
	if d, ok := compass[strings.ToUpper(s)]; ok {
		return d, true
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false
	}
	v = math.Mod(v, 360)
	if v < 0 {
		v += 360
	}
	return v, true
}

// camera builds a camera from a surveillance node's tags (see the package
// doc for the rules and defaults). ID and Location are set by the caller.
func camera(tags posm.Tags) planner.Camera {
	c := planner.Camera{Name: name(tags), Source: "osm"}
	if c.Name == "" {
		if z := tags.Find("surveillance:zone"); z != "" {
			c.Name = z + " camera"
		}
	}
	dir, hasDir := ParseDirection(tags.Find("camera:direction"))
	switch strings.ToLower(tags.Find("camera:type")) {
	case "fixed":
		c.Kind = planner.CameraFixed
	case "dome":
		c.Kind = planner.CameraDome
	case "panning", "ptz":
		c.Kind = planner.CameraPTZ
	default:
		c.Kind = planner.CameraDome
		if hasDir {
			c.Kind = planner.CameraFixed
		}
		c.Defaulted = append(c.Defaulted, "kind")
	}
	c.DirectionDeg = dir
	if !hasDir {
		c.DirectionDeg = planner.DefaultDirection
		c.Defaulted = append(c.Defaulted, "direction")
	}
	switch c.Kind {
	case planner.CameraFixed:
		c.FOVDeg, c.RangeM = planner.DefaultFixedFOV, planner.DefaultFixedRange
		c.Defaulted = append(c.Defaulted, "fov")
	case planner.CameraDome:
		c.FOVDeg, c.RangeM = planner.FullCircle, planner.DefaultDomeRange
	default:
		c.FOVDeg, c.RangeM = planner.FullCircle, planner.DefaultPTZRange
	}
	c.Defaulted = append(c.Defaulted, "range")
	return c
}
