package storetest

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"

	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// Sample returns a deterministic synthetic workspace around Tianjin with
// every field of every record kind set: roads roads (IDs in shuffled
// order) and roads/2 buildings of about ten vertices each (so 200000 roads
// come with ~1M building vertices), plus a few dozen grids, cameras,
// kiosks, incidents, sites and units. It covers unicode names, polygons
// with holes, shifts across midnight, -0 and subnormal floats, times in
// +08:00 with nanoseconds, nil vs empty slices and nil vs zero pointers.
// Coordinates are lon,lat degrees, lengths metres, costs seconds.
func Sample(seed uint64, roads int) *planner.Workspace {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	origin := geo.Point{Lon: 117.18 + r.Float64()*0.01, Lat: 39.10 + r.Float64()*0.01}
	at := func(span float64) geo.Point {
		return geo.Point{Lon: origin.Lon + r.Float64()*span, Lat: origin.Lat + r.Float64()*span}
	}
	ws := &planner.Workspace{
		Name:  fmt.Sprintf("和平区 南市街 #%d", seed),
		Bound: geo.Bound{Min: origin, Max: geo.Point{Lon: origin.Lon + 0.05, Lat: origin.Lat + 0.05}},
		Notes: []string{"roads: OSM © OpenStreetMap contributors", "cameras: 合成演示数据 (synthetic)", ""},
	}
	names := []string{"人民路", "解放北路", "", "Nanjing Road", "滨江道 🚓"}
	highways := []string{"primary", "secondary", "residential", "footway", "service"}
	for i, id := range r.Perm(roads) {
		geom := geo.LineString{at(0.05)}
		for range 1 + r.IntN(4) {
			p := geom[len(geom)-1]
			geom = append(geom, geo.Point{Lon: p.Lon + (r.Float64()-0.5)*0.002, Lat: p.Lat + (r.Float64()-0.5)*0.002})
		}
		length := geom.Length()
		road := planner.Road{
			ID: int64(id) + 1, WayID: 1e9 + int64(i/3), From: int64(2 * i), To: int64(2*i + 1),
			Geometry: geom, Highway: highways[i%len(highways)], Name: names[i%len(names)], LengthM: length,
		}
		road.Travel[planner.ModeCar.Index()] = planner.Travel{Forward: length / 13.9, Backward: planner.NoAccess}
		road.Travel[planner.ModeEBike.Index()] = planner.Travel{Forward: length / 6.9, Backward: length / 6.9}
		road.Travel[planner.ModeFoot.Index()] = planner.Travel{Forward: length / 1.4, Backward: length / 1.4}
		if i%7 == 3 {
			road.Travel[planner.ModeCar.Index()] = planner.Travel{Forward: planner.NoAccess, Backward: -7.5} // normalised to NoAccess
		}
		ws.Roads = append(ws.Roads, road)
	}
	box := func(c geo.Point, h float64) geo.Ring {
		return geo.Ring{{Lon: c.Lon - h, Lat: c.Lat - h}, {Lon: c.Lon + h, Lat: c.Lat - h},
			{Lon: c.Lon + h, Lat: c.Lat + h}, {Lon: c.Lon - h, Lat: c.Lat + h}, {Lon: c.Lon - h, Lat: c.Lat - h}}
	}
	for i := range 24 {
		c := at(0.05)
		g := planner.Grid{ID: int64(100 + i), Name: fmt.Sprintf("南市街第%d网格", i+1),
			Polygon: geo.Polygon{box(c, 0.004)}, Generated: i%2 == 0}
		if i%3 == 0 {
			g.Polygon = append(g.Polygon, box(c, 0.001)) // a hole (e.g. a park)
		}
		if i%4 != 0 {
			pop := float64(r.IntN(5000))
			g.Population = &pop
		}
		if i%5 == 1 {
			risk := 0.1 + 0.2 // not exactly 0.3: the bits must survive
			g.Risk = &risk
		} else if i%5 == 2 {
			zero := 0.0
			g.Risk = &zero
		}
		ws.Grids = append(ws.Grids, g)
	}
	kinds := []planner.CameraKind{planner.CameraFixed, planner.CameraDome, planner.CameraPTZ}
	defaulted := [][]string{nil, {}, {"direction", "fov"}, {"kind", "direction", "fov", "range"}}
	for i := range 40 {
		k := kinds[i%len(kinds)]
		c := planner.Camera{ID: int64(5000 - i), Ref: fmt.Sprintf("TW-%04d", i), Name: fmt.Sprintf("天网 %d 号", i),
			Location: at(0.05), Kind: k, DirectionDeg: r.Float64() * 360, FOVDeg: planner.DefaultFixedFOV,
			RangeM: planner.DefaultFixedRange, Defaulted: defaulted[i%len(defaulted)], Source: []string{"osm", "file:天网.csv", "synthetic"}[i%3]}
		if k != planner.CameraFixed {
			c.FOVDeg, c.RangeM = planner.FullCircle, planner.DefaultPTZRange
		}
		switch i {
		case 1:
			c.DirectionDeg = math.Copysign(0, -1)
		case 2:
			c.RangeM = 5e-324 // the smallest subnormal
		}
		ws.Cameras = append(ws.Cameras, c)
	}
	kioskNames := []string{"人民路派出所", "南市警务站", "滨江道警务站", "鞍山道警务站"}
	for i, name := range kioskNames {
		ws.Kiosks = append(ws.Kiosks, planner.Kiosk{ID: int64(i + 1), Ref: fmt.Sprintf("JWZ-%d", i), Name: name,
			Location: at(0.05), Staff: 2 + i, Vehicles: i % 3, Source: "file:警务站.csv"})
	}
	cst := time.FixedZone("CST", 8*3600)
	categories := []string{"盗窃", "纠纷", "交通事故", "theft"}
	for i := range 60 {
		t := time.Date(2023+i%3, time.Month(1+i%12), 1+i%28, i%24, i%60, i%60, r.IntN(1e9), cst)
		if i%2 == 0 {
			t = t.UTC()
		}
		ws.Incidents = append(ws.Incidents, planner.Incident{ID: int64(900000 + i), Ref: fmt.Sprintf("JQ%08d", i),
			Location: at(0.05), Time: t, Category: categories[i%len(categories)], Weight: 1 + float64(i%3)/3, Source: "file:警情.xlsx"})
	}
	siteCats := []planner.SiteCategory{planner.SiteSchool, planner.SiteHospital, planner.SiteBank,
		planner.SiteStation, planner.SiteMarket, planner.SiteOther}
	for i := range 18 {
		cat := siteCats[i%len(siteCats)]
		s := planner.Site{ID: int64(-i - 1), Ref: fmt.Sprintf("way/%d", 7000+i), Name: fmt.Sprintf("第%d中学", i+1),
			Category: cat, Location: at(0.05), Tier: planner.DefaultTier(cat), Source: "osm"}
		switch i % 3 {
		case 0:
			s.Area = geo.Polygon{box(s.Location, 0.0008), box(s.Location, 0.0002)}
		case 1:
			s.Area = geo.Polygon{} // empty, normalised to nil
		}
		ws.Sites = append(ws.Sites, s)
	}
	unitKinds := []planner.UnitKind{planner.UnitCar, planner.UnitMotorbike, planner.UnitFoot, planner.UnitVolunteer}
	shifts := [][]planner.Shift{{{Start: 1320, End: 120}}, {{Start: 480, End: 1200}, {Start: 1200, End: 480}}, nil, {}}
	for i := range 12 {
		ws.Units = append(ws.Units, planner.Unit{ID: int64(300 - i), Name: fmt.Sprintf("巡逻%d组", i+1),
			Kind: unitKinds[i%len(unitKinds)], HomeKiosk: int64(1 + i%len(kioskNames)), Shifts: shifts[i%len(shifts)]})
	}
	for i := range roads / 2 {
		c := at(0.05)
		outer := geo.Ring{}
		n := 8 + r.IntN(3)
		for k := range n {
			a := 2 * math.Pi * float64(k) / float64(n)
			outer = append(outer, geo.Point{Lon: c.Lon + 1e-4*math.Cos(a), Lat: c.Lat + 1e-4*math.Sin(a)})
		}
		outer = append(outer, outer[0])
		b := planner.Building{ID: int64(i + 1), OSMID: int64(4e8 + i), Polygon: geo.Polygon{outer}}
		if i%10 == 0 {
			b.OSMID = -b.OSMID // a multipolygon relation
			b.Polygon = append(b.Polygon, box(c, 2e-5))
		}
		if i%2 == 0 {
			b.LevelsM = 3 * float64(1+i%30)
		}
		ws.Buildings = append(ws.Buildings, b)
	}
	return ws
}
