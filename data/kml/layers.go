package kml

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// Layer colours, the web map's (webmap/src/layers.ts, response.ts,
// coverage.ts, patrol.ts), so an export looks like the screen.
var (
	cameraRGB = map[planner.CameraKind]string{planner.CameraFixed: "#7b3fa0", planner.CameraDome: "#0f8b8d", planner.CameraPTZ: "#c76f00"}
	ringRGB   = []string{"#0f3b7a", "#2f6fc1", "#7fb0ea"}
	// UnitRGB colours the routes of a plan, unit i in UnitRGB[i % len].
	UnitRGB = []string{"#1f5fbf", "#d62f7b", "#1b9e5a", "#7a3fc4", "#e0650f", "#0b8fa3", "#8c5a2b", "#c21f1f", "#5b7a12", "#46566b"}
)

// Styles returns the shared styles the layer builders refer to: road,
// grid, camera-fixed|dome|ptz, kiosk, incident, site, ring-1|2|3 (smallest
// tier first), footprint, stop and route-0 … route-9.
func Styles() []Style {
	st := []Style{
		{ID: "road", LineColor: Color("#5f6b7a", 0.9), LineWidth: 1.5},
		{ID: "grid", LineColor: Color("#3566a8", 1), LineWidth: 1.5, PolyColor: Color("#3566a8", 0.1)},
		{ID: "camera-fixed", IconColor: Color(cameraRGB[planner.CameraFixed], 1), IconScale: 0.7},
		{ID: "camera-dome", IconColor: Color(cameraRGB[planner.CameraDome], 1), IconScale: 0.7},
		{ID: "camera-ptz", IconColor: Color(cameraRGB[planner.CameraPTZ], 1), IconScale: 0.7},
		{ID: "kiosk", IconColor: Color("#1f4fb5", 1), IconScale: 1.1},
		{ID: "incident", IconColor: Color("#d32f2f", 0.8), IconScale: 0.5},
		{ID: "site", IconColor: Color("#2e7d32", 1), IconScale: 0.9},
		{ID: "footprint", LineColor: Color("#6a3fb0", 0.8), LineWidth: 1, PolyColor: Color("#6a3fb0", 0.22)},
		{ID: "stop", IconColor: Color("#e8590c", 1), IconScale: 0.8},
	}
	for i, c := range ringRGB {
		st = append(st, Style{ID: "ring-" + strconv.Itoa(i+1), LineColor: Color(c, 1), LineWidth: 1.5, PolyColor: Color(c, 0.25)})
	}
	for i, c := range UnitRGB {
		st = append(st, Style{ID: "route-" + strconv.Itoa(i), LineColor: Color(c, 0.95), LineWidth: 4})
	}
	return st
}

func f64(x float64) string { return strconv.FormatFloat(x, 'f', -1, 64) }
func i64(x int64) string   { return strconv.FormatInt(x, 10) }

// label returns name, else "prefix id".
func label(name, prefix string, id int64) string {
	if strings.TrimSpace(name) != "" {
		return name
	}
	return prefix + " " + i64(id)
}

// Roads is a folder of road LineStrings with id, way_id, highway, name,
// length_m, car and foot access.
func Roads(roads []planner.Road) Folder {
	f := Folder{Name: "道路 Roads"}
	for i := range roads {
		r := &roads[i]
		if len(r.Geometry) < 2 {
			continue
		}
		car := r.TravelFor(planner.ModeCar)
		f.Placemarks = append(f.Placemarks, Placemark{Name: label(r.Name, r.Highway, r.ID), StyleURL: "#road",
			Data: []Data{{"id", i64(r.ID)}, {"way_id", i64(r.WayID)}, {"highway", r.Highway}, {"name", r.Name},
				{"length_m", f64(r.LengthM)}, {"car_forward", strconv.FormatBool(car.Forward >= 0)},
				{"car_backward", strconv.FormatBool(car.Backward >= 0)}, {"foot", strconv.FormatBool(r.TravelFor(planner.ModeFoot).Allowed())}},
			Geometry: r.Geometry})
	}
	return f
}

// Grids is a folder of grid Polygons with id, name, population, risk
// (empty when unknown) and generated.
func Grids(grids []planner.Grid) Folder {
	f := Folder{Name: "网格 Grids"}
	opt := func(p *float64) string {
		if p == nil {
			return ""
		}
		return f64(*p)
	}
	for i := range grids {
		g := &grids[i]
		f.Placemarks = append(f.Placemarks, Placemark{Name: label(g.Name, "网格 Grid", g.ID), StyleURL: "#grid",
			Data: []Data{{"id", i64(g.ID)}, {"name", g.Name}, {"population", opt(g.Population)}, {"risk", opt(g.Risk)},
				{"generated", strconv.FormatBool(g.Generated)}},
			Geometry: g.Polygon})
	}
	return f
}

// Cameras is a folder of camera Points with id, ref, name, kind,
// direction_deg, fov_deg, range_m, source and defaulted.
func Cameras(cams []planner.Camera) Folder {
	f := Folder{Name: "天网 Cameras"}
	for i := range cams {
		c := &cams[i]
		style := "#camera-dome"
		if _, ok := cameraRGB[c.Kind]; ok {
			style = "#camera-" + string(c.Kind)
		}
		f.Placemarks = append(f.Placemarks, Placemark{Name: label(c.Name, "天网 Camera", c.ID), StyleURL: style,
			Description: fmt.Sprintf("%s, %g°, %g m", c.Kind, c.FOVDeg, c.RangeM),
			Data: []Data{{"id", i64(c.ID)}, {"ref", c.Ref}, {"name", c.Name}, {"kind", string(c.Kind)},
				{"direction_deg", f64(c.DirectionDeg)}, {"fov_deg", f64(c.FOVDeg)}, {"range_m", f64(c.RangeM)},
				{"source", c.Source}, {"defaulted", strings.Join(c.Defaulted, ",")}},
			Geometry: c.Location})
	}
	return f
}

// Kiosks is a folder of kiosk Points with id, ref, name, staff, vehicles
// and source.
func Kiosks(kiosks []planner.Kiosk) Folder {
	f := Folder{Name: "警务站 Kiosks"}
	for i := range kiosks {
		k := &kiosks[i]
		f.Placemarks = append(f.Placemarks, Placemark{Name: label(k.Name, "警务站 Kiosk", k.ID), StyleURL: "#kiosk",
			Data: []Data{{"id", i64(k.ID)}, {"ref", k.Ref}, {"name", k.Name}, {"staff", strconv.Itoa(k.Staff)},
				{"vehicles", strconv.Itoa(k.Vehicles)}, {"source", k.Source}},
			Geometry: k.Location})
	}
	return f
}

// Incidents is a folder of incident Points named by category and time,
// with id, ref, time (RFC 3339 of the stored wall-clock time), category,
// weight and source. The time is data, not a KML TimeStamp: viewers would
// otherwise add a time slider that hides most incidents.
func Incidents(incidents []planner.Incident) Folder {
	f := Folder{Name: "警情 Incidents"}
	for i := range incidents {
		in := &incidents[i]
		ts := in.Time.Format(time.RFC3339)
		name := strings.TrimSpace(in.Category + " " + in.Time.Format("2006-01-02 15:04"))
		f.Placemarks = append(f.Placemarks, Placemark{Name: name, StyleURL: "#incident",
			Data: []Data{{"id", i64(in.ID)}, {"ref", in.Ref}, {"time", ts}, {"category", in.Category},
				{"weight", f64(in.Weight)}, {"source", in.Source}},
			Geometry: in.Location})
	}
	return f
}

// Sites is a folder of key-site Points (at Site.Location) with id, ref,
// name, category, tier (minutes) and source.
func Sites(sites []planner.Site) Folder {
	f := Folder{Name: "重点部位 Key sites"}
	for i := range sites {
		s := &sites[i]
		f.Placemarks = append(f.Placemarks, Placemark{Name: label(s.Name, "重点部位 Site", s.ID), StyleURL: "#site",
			Description: fmt.Sprintf("%s, %d 分钟 min", s.Category, s.Tier),
			Data: []Data{{"id", i64(s.ID)}, {"ref", s.Ref}, {"name", s.Name}, {"category", string(s.Category)},
				{"tier", strconv.Itoa(s.Tier)}, {"source", s.Source}},
			Geometry: s.Location})
	}
	return f
}

// Rings is a folder of response rings, one (Multi)Polygon placemark per
// ring with mode, minutes, road_km and kiosk_id (0 for merged rings),
// styled ring-1, ring-2, ring-3 by tier rank among minutes (the tiers of
// the request, smallest first).
func Rings(rings []planner.Ring, mode planner.Mode, minutes []float64) Folder {
	f := Folder{Name: "快反圈 Response rings"}
	for _, r := range rings {
		if len(r.Polygon) == 0 {
			continue
		}
		rank := 0
		for i, m := range minutes {
			if r.Minutes == m {
				rank = i
			}
		}
		name := fmt.Sprintf("%g 分钟 min", r.Minutes)
		if r.KioskID != 0 {
			name = fmt.Sprintf("警务站 Kiosk %d · %s", r.KioskID, name)
		}
		f.Placemarks = append(f.Placemarks, Placemark{Name: name, StyleURL: "#ring-" + strconv.Itoa(min(rank, len(ringRGB)-1)+1),
			Data:     []Data{{"mode", string(mode)}, {"minutes", f64(r.Minutes)}, {"road_km", f64(r.RoadKm)}, {"kiosk_id", i64(r.KioskID)}},
			Geometry: r.Polygon})
	}
	return f
}

// Footprints is a folder of camera footprint Polygons (what each camera
// sees among the buildings) with id, name, kind, direction_deg, fov_deg,
// range_m and area_m2; cameras that see nothing are left out.
func Footprints(fps []planner.CameraFootprint) Folder {
	f := Folder{Name: "天网视域 Camera footprints"}
	for _, fp := range fps {
		if len(fp.Polygon) == 0 || len(fp.Polygon[0]) < 4 {
			continue
		}
		c := fp.Camera
		sec := planner.CameraSector(c)
		f.Placemarks = append(f.Placemarks, Placemark{Name: label(c.Name, "天网 Camera", c.ID), StyleURL: "#footprint",
			Data: []Data{{"id", i64(c.ID)}, {"name", c.Name}, {"kind", string(c.Kind)}, {"direction_deg", f64(c.DirectionDeg)},
				{"fov_deg", f64(sec.FOVDeg)}, {"range_m", f64(sec.RangeM)}, {"area_m2", f64(fp.AreaM2)}},
			Geometry: fp.Polygon})
	}
	return f
}

// StopKindName is the bilingual name of a stop kind: 守点 Guard point,
// 巡线 Patrol line, 休息 Break.
func StopKindName(kind string) string {
	switch kind {
	case "point":
		return "守点 Guard point"
	case "line":
		return "巡线 Patrol line"
	case "break":
		return "休息 Break"
	}
	return kind
}

// Plan returns two folders: each unit's route as a LineString (unit,
// kind, mode, group, kiosk_id, leave, return, distance_m, duration_s),
// styled route-i, and every stop as a Point named "unit #n ID HH:MM" (unit,
// seq, kind, id, street, arrive, depart). streets names targets by ID.
func Plan(p *planner.Plan, streets map[string]string) []Folder {
	routes := Folder{Name: "路线 Routes"}
	stops := Folder{Name: "停靠点 Stops"}
	for i, u := range p.Units {
		if len(u.Path) >= 2 {
			routes.Placemarks = append(routes.Placemarks, Placemark{Name: u.Unit, StyleURL: "#route-" + strconv.Itoa(i%len(UnitRGB)),
				Description: fmt.Sprintf("%s–%s, %.1f km", u.Leave, u.Return, u.DistanceM/1000),
				Data: []Data{{"unit", u.Unit}, {"kind", string(u.Kind)}, {"mode", string(u.Mode)}, {"group", u.Group},
					{"kiosk_id", i64(u.KioskID)}, {"leave", u.Leave}, {"return", u.Return},
					{"distance_m", f64(u.DistanceM)}, {"duration_s", f64(u.DurationS)}},
				Geometry: u.Path})
		}
		for k, s := range u.Stops {
			if !s.Location.Valid() || (s.Location == geo.Point{}) {
				continue
			}
			stops.Placemarks = append(stops.Placemarks, Placemark{Name: fmt.Sprintf("%s #%d %s %s", u.Unit, k+1, s.ID, s.Arrive),
				StyleURL:    "#stop",
				Description: fmt.Sprintf("%s %s %s–%s", StopKindName(s.Kind), s.ID, s.Arrive, s.Depart),
				Data: []Data{{"unit", u.Unit}, {"seq", strconv.Itoa(k + 1)}, {"kind", s.Kind}, {"id", s.ID},
					{"street", streets[s.ID]}, {"arrive", s.Arrive}, {"depart", s.Depart}},
				Geometry: s.Location})
		}
	}
	return []Folder{routes, stops}
}
