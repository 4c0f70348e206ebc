package planner

import (
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/tidewatch/tidewatch/geo"
)

// Attrs is one record's loosely typed attributes as a file gives them (a
// GeoJSON feature's properties, a CSV row): lower-case trimmed keys to
// trimmed text values. An empty value counts as absent. The *FromAttrs
// builders turn Attrs into domain records the same way for every format;
// callers set ID, Source and the location.
type Attrs map[string]string

// Get returns the first non-empty value among keys (lower-case) and the
// key that held it; both are "" when none has a value.
func (a Attrs) Get(keys ...string) (key, val string) {
	for _, k := range keys {
		if v := a[k]; v != "" {
			return k, v
		}
	}
	return "", ""
}

// Float returns the first non-empty value among keys as a finite number;
// ok is false when none has a value, and err names the key of a value that
// is not a number.
func (a Attrs) Float(keys ...string) (v float64, ok bool, err error) {
	k, s := a.Get(keys...)
	if k == "" {
		return 0, false, nil
	}
	v, err = strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, false, Errorf(EINVALID, "%s %q is not a number", k, s)
	}
	return v, true, nil
}

// count returns a non-negative whole number from keys, 0 when absent.
func (a Attrs) count(keys ...string) (int, error) {
	v, ok, err := a.Float(keys...)
	if err != nil || !ok {
		return 0, err
	}
	if v < 0 || v != math.Trunc(v) || v > 1e6 {
		k, s := a.Get(keys...)
		return 0, Errorf(EINVALID, "%s %q is not a whole number >= 0", k, s)
	}
	return int(v), nil
}

// nameKeys hold a record's display name.
var nameKeys = []string{"name", "cameraname", "camera_name", "title", "名称"}

// ParseCameraKind maps a camera type to a kind: fixed (also bullet, box,
// static, 枪机), dome (also panoramic, fisheye, 半球, 全景) or ptz (also
// panning, speed dome, 球机, 云台); ok is false for anything else.
func ParseCameraKind(s string) (k CameraKind, ok bool) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "fixed", "bullet", "box", "static", "枪机", "固定":
		return CameraFixed, true
	case "dome", "panoramic", "fisheye", "半球", "全景":
		return CameraDome, true
	case "ptz", "panning", "speed dome", "speed_dome", "球机", "云台":
		return CameraPTZ, true
	}
	return "", false
}

var compass = []string{"n", "nne", "ne", "ene", "e", "ese", "se", "sse", "s", "ssw", "sw", "wsw", "w", "wnw", "nw", "nnw"}

// direction parses a bearing in degrees clockwise from north, or a
// 16-point compass name (N, NNE, ... NNW), normalised to [0, 360).
func direction(a Attrs) (v float64, ok bool, err error) {
	keys := []string{"direction_deg", "direction", "camera:direction", "bearing"}
	k, s := a.Get(keys...)
	for i, c := range compass {
		if strings.EqualFold(s, c) {
			return float64(i) * 22.5, true, nil
		}
	}
	if v, ok, err = a.Float(keys...); err != nil {
		return 0, false, Errorf(EINVALID, "%s %q is neither degrees nor a compass point", k, s)
	}
	if v < 0 || v >= 360 {
		v = math.Mod(math.Mod(v, 360)+360, 360)
	}
	return v, ok, nil
}

// CameraFromAttrs builds a camera at loc (lon,lat) from attributes:
// kind|type|camera:type|camera_type, direction_deg|direction|
// camera:direction|bearing (degrees clockwise from north or a compass
// point), fov_deg|fov (degrees, 0 < fov <= 360), range_m|range (metres,
// > 0), ref|id, name|cameraname|title, and defaulted (a list such as
// ["kind","range"] marking fields a previous export had defaulted).
//
// Missing fields take the documented defaults and are listed in
// Defaulted: kind is fixed when a direction is given, else dome; direction
// DefaultDirection; a fixed camera's fov DefaultFixedFOV; range by kind.
// Dome and PTZ cameras always get FullCircle as their field of view.
func CameraFromAttrs(a Attrs, loc geo.Point) (Camera, error) {
	c := Camera{Ref: refOf(a), Location: loc}
	_, c.Name = a.Get(nameKeys...)
	defaulted := map[string]bool{}
	dir, hasDir, err := direction(a)
	if err != nil {
		return c, err
	}
	c.DirectionDeg = dir
	if !hasDir {
		c.DirectionDeg, defaulted["direction"] = DefaultDirection, true
	}
	switch k, s := a.Get("kind", "type", "camera:type", "camera_type"); {
	case k == "" && hasDir:
		c.Kind, defaulted["kind"] = CameraFixed, true
	case k == "":
		c.Kind, defaulted["kind"] = CameraDome, true
	default:
		var ok bool
		if c.Kind, ok = ParseCameraKind(s); !ok {
			return c, Errorf(EINVALID, "%s %q is not a camera kind (want fixed, dome or ptz)", k, s)
		}
	}
	fov, hasFOV, err := a.Float("fov_deg", "fov")
	if err != nil {
		return c, err
	}
	if hasFOV && (fov <= 0 || fov > FullCircle) {
		return c, Errorf(EINVALID, "fov %g is not in (0, 360] degrees", fov)
	}
	rng, hasRange, err := a.Float("range_m", "range")
	if err != nil {
		return c, err
	}
	if hasRange && rng <= 0 {
		return c, Errorf(EINVALID, "range %g is not a positive number of metres", rng)
	}
	c.FOVDeg, c.RangeM = FullCircle, rng
	defRange := DefaultDomeRange
	switch c.Kind {
	case CameraFixed:
		c.FOVDeg, defRange = fov, DefaultFixedRange
		if !hasFOV {
			c.FOVDeg, defaulted["fov"] = DefaultFixedFOV, true
		}
	case CameraPTZ:
		defRange = DefaultPTZRange
	}
	if !hasRange {
		c.RangeM, defaulted["range"] = defRange, true
	}
	if err := markDefaulted(a["defaulted"], defaulted); err != nil {
		return c, err
	}
	for _, f := range []string{"kind", "direction", "fov", "range"} {
		if defaulted[f] {
			c.Defaulted = append(c.Defaulted, f)
		}
	}
	return c, nil
}

// markDefaulted adds the field names of a "defaulted" attribute (a JSON
// array or a comma-separated list) to set.
func markDefaulted(s string, set map[string]bool) error {
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return strings.ContainsRune(`[]", `, r) }) {
		switch f {
		case "kind", "direction", "fov", "range":
			set[f] = true
		default:
			return Errorf(EINVALID, "defaulted %q: unknown field %q (want kind, direction, fov or range)", s, f)
		}
	}
	return nil
}

// refOf returns the ref attribute, else the id attribute; a ref key
// that is present but empty still wins, so an exported record without a
// ref reads back without one.
func refOf(a Attrs) string {
	if v, ok := a["ref"]; ok {
		return v
	}
	return a["id"]
}

// KioskFromAttrs builds a kiosk at loc (lon,lat) from attributes ref|id,
// name, staff and vehicles (whole numbers >= 0; 0 when absent).
func KioskFromAttrs(a Attrs, loc geo.Point) (Kiosk, error) {
	k := Kiosk{Ref: refOf(a), Location: loc}
	_, k.Name = a.Get(nameKeys...)
	var err error
	if k.Staff, err = a.count("staff"); err != nil {
		return k, err
	}
	k.Vehicles, err = a.count("vehicles")
	return k, err
}

// IncidentFromAttrs builds an incident at loc (lon,lat) from attributes:
// a full date-time (see ParseIncidentTime) in datetime|timestamp|
// occurred|occurred_at|time, else date (YYYY-MM-DD, MM/DD/YYYY or epoch ms)
// plus time (HH:MM[:SS]), else a full date-time in date; category|description|
// crime_code|type|source (lower-cased); weight (>= 0, default 1); ref|id.
func IncidentFromAttrs(a Attrs, loc geo.Point) (Incident, error) {
	in := Incident{Ref: refOf(a), Location: loc, Weight: 1}
	_, cat := a.Get("category", "description", "crime_code", "type", "source")
	in.Category = strings.ToLower(cat)
	if w, ok, err := a.Float("weight"); err != nil {
		return in, err
	} else if ok {
		if w < 0 {
			return in, Errorf(EINVALID, "weight %g is negative", w)
		}
		in.Weight = w
	}
	var err error
	in.Time, err = incidentTime(a)
	return in, err
}

func incidentTime(a Attrs) (time.Time, error) {
	for _, k := range []string{"datetime", "timestamp", "occurred", "occurred_at", "time"} {
		if t, err := ParseIncidentTime(a[k]); a[k] != "" && err == nil {
			return t, nil
		}
	}
	date, clock := a["date"], a["time"]
	switch {
	case date == "" && clock == "":
		return time.Time{}, Errorf(EINVALID, "no time (want a datetime, timestamp or time attribute, or date and time)")
	case clock == "":
		return ParseIncidentTime(date)
	case date == "":
		return time.Time{}, Errorf(EINVALID, "time %q without a date", clock)
	}
	d, err := parseDate(date)
	if err != nil {
		return time.Time{}, err
	}
	c, err := parseLayouts(clock, "15:04:05", "15:04", "3:04:05 PM", "3:04 PM")
	if err != nil {
		return time.Time{}, Errorf(EINVALID, "time %q is not HH:MM[:SS]", clock)
	}
	return d.Add(time.Duration(c.Hour())*time.Hour + time.Duration(c.Minute())*time.Minute + time.Duration(c.Second())*time.Second), nil
}

// ParseIncidentTime parses a full date-time: RFC 3339 / ISO 8601
// ("2014-01-01T15:20:00+08:00", "2014-01-01 15:20[:05]"), US style
// ("01/01/2014 03:20:00 PM", "01/01/2014 15:20"), or epoch milliseconds
// (12 or more digits). The wall-clock time is kept and returned with a
// UTC location, as Incident.Time is stored; epoch milliseconds are read
// as UTC.
func ParseIncidentTime(s string) (time.Time, error) {
	s = strings.TrimSpace(s)
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil && len(s) >= 12 {
		return time.UnixMilli(ms).UTC(), nil
	}
	t, err := parseLayouts(s, time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05Z07:00",
		"2006-01-02 15:04:05", "2006-01-02 15:04", "01/02/2006 03:04:05 PM", "01/02/2006 03:04 PM",
		"01/02/2006 15:04:05", "01/02/2006 15:04")
	if err != nil {
		return time.Time{}, Errorf(EINVALID, "time %q is not an ISO 8601 date-time, MM/DD/YYYY hh:mm or epoch milliseconds", s)
	}
	return time.Date(t.Year(), t.Month(), t.Day(), t.Hour(), t.Minute(), t.Second(), t.Nanosecond(), time.UTC), nil
}

// parseDate parses YYYY-MM-DD, MM/DD/YYYY or epoch milliseconds at
// midnight UTC, returning midnight UTC of that day.
func parseDate(s string) (time.Time, error) {
	if ms, err := strconv.ParseInt(s, 10, 64); err == nil && len(s) >= 12 {
		return time.UnixMilli(ms).UTC().Truncate(24 * time.Hour), nil
	}
	t, err := parseLayouts(s, "2006-01-02", "01/02/2006", "2006/01/02")
	if err != nil {
		return t, Errorf(EINVALID, "date %q is not YYYY-MM-DD or MM/DD/YYYY", s)
	}
	return t, nil
}

func parseLayouts(s string, layouts ...string) (t time.Time, err error) {
	for _, l := range layouts {
		if t, err = time.Parse(l, s); err == nil {
			return t, nil
		}
	}
	return t, err
}

// ParseSiteCategory maps a key-site type, English or Chinese, to a
// category: school (学校, kindergarten 幼儿园, college, university 大学),
// hospital (医院, clinic 诊所), bank (银行, atm), station (车站, bus_station
// 公交站, train_station 火车站, subway 地铁站, transport hub 交通枢纽),
// market (市场, marketplace, supermarket 超市, mall 商场); anything else is
// other.
func ParseSiteCategory(s string) SiteCategory {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "school", "学校", "kindergarten", "幼儿园", "college", "university", "大学", "中学", "小学":
		return SiteSchool
	case "hospital", "医院", "clinic", "诊所":
		return SiteHospital
	case "bank", "银行", "atm":
		return SiteBank
	case "station", "车站", "bus_station", "公交站", "train_station", "railway_station", "火车站",
		"subway", "subway_station", "metro", "地铁站", "transport hub", "交通枢纽":
		return SiteStation
	case "market", "市场", "marketplace", "supermarket", "超市", "mall", "商场":
		return SiteMarket
	}
	return SiteOther
}

// SiteFromAttrs builds a site at loc (lon,lat) from attributes ref|id,
// name, category|type|amenity (see ParseSiteCategory) and tier (1, 3 or 5
// minutes; DefaultTier of the category when absent).
func SiteFromAttrs(a Attrs, loc geo.Point) (Site, error) {
	s := Site{Ref: refOf(a), Location: loc}
	_, s.Name = a.Get(nameKeys...)
	_, cat := a.Get("category", "type", "amenity")
	s.Category = ParseSiteCategory(cat)
	s.Tier = DefaultTier(s.Category)
	if t, ok, err := a.Float("tier"); err != nil {
		return s, err
	} else if ok {
		if t != 1 && t != 3 && t != 5 {
			return s, Errorf(EINVALID, "tier %g is not 1, 3 or 5 minutes", t)
		}
		s.Tier = int(t)
	}
	return s, nil
}

// GridFromAttrs builds a grid from attributes name|grid|网格|名称 and
// the optional numbers population|pop|人口 and risk|风险; the caller sets the
// polygon and ID.
func GridFromAttrs(a Attrs) (Grid, error) {
	var g Grid
	_, g.Name = a.Get("name", "grid", "网格", "名称", "title")
	for _, f := range []struct {
		dst  **float64
		keys []string
	}{{&g.Population, []string{"population", "pop", "人口"}}, {&g.Risk, []string{"risk", "风险"}}} {
		v, ok, err := a.Float(f.keys...)
		if err != nil {
			return g, err
		}
		if ok {
			*f.dst = &v
		}
	}
	if g.Population != nil && *g.Population < 0 {
		return g, Errorf(EINVALID, "population %g is negative", *g.Population)
	}
	return g, nil
}
