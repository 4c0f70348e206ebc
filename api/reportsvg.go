package api

// Server-side map snapshots for the printable report and route cards:
// inline SVG in Web Mercator (geo.SVGFrame), drawn from the workspace and
// the analyses' own results. No tiles, no fonts or images from anywhere:
// the browser and its PDF printer need nothing but the page. The colours
// are the web map's (webmap/src/layers.ts, response.ts, coverage.ts,
// patrol.ts).

import (
	"fmt"
	"html/template"
	"math"
	"strconv"
	"strings"

	"github.com/tidewatch/tidewatch/data/kml"
	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// Map colours.
const (
	svgRoadMajor  = "#7d8796"
	svgRoadStreet = "#a9b1bc"
	svgRoadMinor  = "#cdd2d9"
	svgGrid       = "#3566a8"
	svgKiosk      = "#1f4fb5"
	svgSite       = "#2e7d32"
	svgFail       = "#d92d20"
	svgFootprint  = "#6a3fb0"
	svgGap        = "#8b0000"
	svgNoRoad     = "#b8bcc4"
	svgBlind      = "#d7191c" // uncovered streets with the most incidents
)

var (
	svgCamera = map[planner.CameraKind]string{planner.CameraFixed: "#7b3fa0", planner.CameraDome: "#0f8b8d", planner.CameraPTZ: "#c76f00"}
	// svgRings colour the response tiers, smallest first (response.ts RING_COLORS).
	svgRings = []string{"#0f3b7a", "#2f6fc1", "#7fb0ea"}
	// svgShare is the 0–20–40–60–80 % choropleth ramp (response.ts).
	svgShare = []string{"#d7191c", "#f07c4a", "#fdd46a", "#9bd068", "#1a9641"}
)

// shareColour returns the choropleth colour of a share 0..1.
func shareColour(v float64) string {
	k := int(math.Floor(v * 5))
	return svgShare[max(0, min(len(svgShare)-1, k))]
}

// svgMap builds one SVG picture.
type svgMap struct {
	f geo.SVGFrame
	b strings.Builder
}

func newSVGMap(bound geo.Bound, maxW, maxH float64) *svgMap {
	m := &svgMap{f: geo.NewSVGFrame(bound, maxW, maxH, 8)}
	return m
}

// num formats a pixel value.
func (m *svgMap) num(x float64) string { return string(geo.AppendNum(nil, x)) }

// path adds one <path> with d and the attributes (already escaped SVG).
func (m *svgMap) path(d []byte, attrs string) {
	if len(d) == 0 {
		return
	}
	m.b.WriteString(`<path d="`)
	m.b.Write(d)
	m.b.WriteString(`" ` + attrs + `/>`)
}

// roads draws the roads up to maxRank, major classes over minor ones, as
// three paths.
func (m *svgMap) roads(ws *planner.Workspace, idx []int, maxRank int, scale float64) {
	var major, street, minor []byte
	for _, i := range idx {
		r := &ws.Roads[i]
		rank := planner.RoadRank(r.Highway)
		if rank > maxRank || !m.f.Visible(r.Geometry.Bound()) {
			continue
		}
		switch {
		case rank <= 2:
			major = m.f.AppendPath(major, r.Geometry, false)
		case rank <= 4:
			street = m.f.AppendPath(street, r.Geometry, false)
		default:
			minor = m.f.AppendPath(minor, r.Geometry, false)
		}
	}
	line := func(c string, w float64) string {
		return fmt.Sprintf(`fill="none" stroke="%s" stroke-width="%s" stroke-linecap="round" stroke-linejoin="round"`, c, m.num(w*scale))
	}
	m.path(minor, line(svgRoadMinor, 0.6))
	m.path(street, line(svgRoadStreet, 0.9))
	m.path(major, line(svgRoadMajor, 1.6))
}

// allRoads returns every road index.
func allRoads(ws *planner.Workspace) []int {
	out := make([]int, len(ws.Roads))
	for i := range out {
		out[i] = i
	}
	return out
}

// gridOutlines draws every grid's outline.
func (m *svgMap) gridOutlines(ws *planner.Workspace) {
	var d []byte
	for i := range ws.Grids {
		d = m.f.AppendPolygon(d, ws.Grids[i].Polygon)
	}
	m.path(d, `fill="none" stroke="`+svgGrid+`" stroke-width="0.7" stroke-opacity="0.7"`)
}

// dot draws a circle at p.
func (m *svgMap) dot(p geo.Point, r float64, fill, stroke string, sw float64) {
	x, y := m.f.XY(p)
	fmt.Fprintf(&m.b, `<circle cx="%s" cy="%s" r="%s" fill="%s" stroke="%s" stroke-width="%s"/>`, m.num(x), m.num(y), m.num(r), fill, stroke, m.num(sw))
}

// kiosk draws the 警 kiosk symbol at p, size s pixels.
func (m *svgMap) kiosk(p geo.Point, s float64) { m.kioskIn(p, s, svgKiosk, "#fff") }

// kioskIn draws the 警 kiosk symbol in the fill and outline colours.
func (m *svgMap) kioskIn(p geo.Point, s float64, fill, stroke string) {
	x, y := m.f.XY(p)
	fmt.Fprintf(&m.b, `<rect x="%s" y="%s" width="%s" height="%s" rx="2" fill="%s" stroke="%s" stroke-width="1.5"/>`,
		m.num(x-s/2), m.num(y-s/2), m.num(s), m.num(s), fill, stroke)
	fmt.Fprintf(&m.b, `<text x="%s" y="%s" font-size="%s" text-anchor="middle" fill="#fff" font-weight="700">警</text>`,
		m.num(x), m.num(y+s*0.33), m.num(s*0.8))
}

func (m *svgMap) kiosks(ws *planner.Workspace) {
	for _, k := range ws.Kiosks {
		m.kiosk(k.Location, 14)
	}
}

func (m *svgMap) cameras(ws *planner.Workspace, r float64) {
	for _, c := range ws.Cameras {
		col, ok := svgCamera[c.Kind]
		if !ok {
			col = svgCamera[planner.CameraDome]
		}
		m.dot(c.Location, r, col, "#fff", 0.5)
	}
}

// html returns the picture as inline SVG with an accessible label.
func (m *svgMap) html(class, label string) template.HTML {
	return template.HTML(fmt.Sprintf(`<svg class="%s" viewBox="0 0 %s %s" width="%s" height="%s" role="img" aria-label="%s" font-family="sans-serif">`,
		class, m.num(m.f.W), m.num(m.f.H), m.num(m.f.W), m.num(m.f.H), template.HTMLEscapeString(label)) +
		`<rect width="100%" height="100%" fill="#f7f8fa"/>` + m.b.String() + m.scaleBar() + `</svg>`)
}

// scaleBar draws a metric scale bar in the bottom-left corner.
func (m *svgMap) scaleBar() string {
	// Ground metres per pixel at the picture's middle latitude.
	mpp := m.f.MetresPerPixel(m.latAt(m.f.H / 2))
	target := mpp * m.f.W / 5
	step := 1.0
	for _, s := range []float64{1, 2, 5} {
		for e := 1.0; e <= 1e6; e *= 10 {
			if v := s * e; v <= target && v > step {
				step = v
			}
		}
	}
	px := step / mpp
	label := strconv.FormatFloat(step, 'f', -1, 64) + " m"
	if step >= 1000 {
		label = strconv.FormatFloat(step/1000, 'f', -1, 64) + " km"
	}
	x0, y0 := 14.0, m.f.H-14
	return fmt.Sprintf(`<g><rect x="%s" y="%s" width="%s" height="18" fill="#fff" fill-opacity="0.8"/>`+
		`<path d="M%s %sv5h%sv-5" fill="none" stroke="#222" stroke-width="1.5"/>`+
		`<text x="%s" y="%s" font-size="10" fill="#222">%s</text></g>`,
		m.num(x0-4), m.num(y0-13), m.num(px+50), m.num(x0), m.num(y0-5), m.num(px), m.num(x0+px+4), m.num(y0), label)
}

// latAt inverts the frame's y at pixel row y (approximately: the bound's
// latitude range is small).
func (m *svgMap) latAt(y float64) float64 {
	lo, hi := -85.0, 85.0
	for range 60 {
		mid := (lo + hi) / 2
		if _, my := m.f.XY(geo.Point{Lat: mid}); my > y {
			lo = mid
		} else {
			hi = mid
		}
	}
	return (lo + hi) / 2
}

// reportBound is the area the report's maps show: the workspace bound,
// else the extent of its roads and grids.
func reportBound(ws *planner.Workspace) geo.Bound {
	if !ws.Bound.IsEmpty() && ws.Bound.Max.Lon > ws.Bound.Min.Lon {
		return ws.Bound
	}
	b := geo.EmptyBound()
	for i := range ws.Roads {
		b = b.Union(ws.Roads[i].Geometry.Bound())
	}
	for i := range ws.Grids {
		b = b.Union(ws.Grids[i].Polygon.Bound())
	}
	for _, k := range ws.Kiosks {
		b = b.Extend(k.Location)
	}
	return b
}

// Report map size: the printable width of A4 portrait at 96 px/inch.
const (
	reportMapW = 720.0
	reportMapH = 640.0
)

// overviewSVG: roads, grid outlines, cameras, key sites and kiosks.
func overviewSVG(ws *planner.Workspace) template.HTML {
	m := newSVGMap(reportBound(ws), reportMapW, reportMapH)
	m.roads(ws, allRoads(ws), 4, 1)
	m.gridOutlines(ws)
	m.cameras(ws, 1.8)
	for _, s := range ws.Sites {
		m.dot(s.Location, 3.2, svgSite, "#fff", 0.8)
	}
	m.kiosks(ws)
	return m.html("map", "辖区概览 Jurisdiction overview")
}

// responseSVG: the tier rings (largest underneath), roads, failing key
// sites and kiosks.
func responseSVG(ws *planner.Workspace, rings []planner.Ring, rep *planner.ResponseReport) template.HTML {
	m := newSVGMap(reportBound(ws), reportMapW, reportMapH)
	for i := len(rings) - 1; i >= 0; i-- {
		col := svgRings[min(i, len(svgRings)-1)]
		m.path(m.f.AppendMultiPolygon(nil, rings[i].Polygon), `fill="`+col+`" fill-opacity="0.35" fill-rule="evenodd" stroke="`+col+`" stroke-width="0.8"`)
	}
	m.roads(ws, allRoads(ws), 4, 0.8)
	site := map[int64]geo.Point{}
	for _, s := range ws.Sites {
		site[s.ID] = s.Location
	}
	for _, s := range rep.Sites {
		if p, ok := site[s.SiteID]; ok {
			if s.OK {
				m.dot(p, 3.2, svgSite, "#fff", 0.8)
			} else {
				m.dot(p, 6, "none", svgFail, 2.2)
				m.dot(p, 2.5, svgFail, "none", 0)
			}
		}
	}
	m.kiosks(ws)
	return m.html("map", "快反圈 Response rings")
}

// coverageSVG: grids coloured by their camera-watched street share, the
// coverage gaps (grid area no camera sees, hatched), footprints, the
// unwatched streets with the most incidents nearby, and cameras.
func coverageSVG(ws *planner.Workspace, rep planner.CoverageReport, gaps []geo.MultiPolygon, fps []planner.CameraFootprint, blind []planner.UncoveredStretch) template.HTML {
	m := newSVGMap(reportBound(ws), reportMapW, reportMapH)
	for i, g := range rep.Grids {
		if i >= len(ws.Grids) {
			break
		}
		col := svgNoRoad
		if g.RoadM > 0 {
			col = shareColour(g.CoveredRoadM / g.RoadM)
		}
		m.path(m.f.AppendPolygon(nil, ws.Grids[i].Polygon), `fill="`+col+`" fill-opacity="0.45" fill-rule="evenodd" stroke="#fff" stroke-width="0.6"`)
	}
	m.roads(ws, allRoads(ws), 4, 0.7)
	var gd []byte
	for _, g := range gaps {
		gd = m.f.AppendMultiPolygon(gd, g)
	}
	m.path(gd, `fill="url(#gap-hatch)" fill-rule="evenodd" stroke="none"`)
	var fd []byte
	for _, f := range fps {
		fd = m.f.AppendPolygon(fd, f.Polygon)
	}
	m.path(fd, `fill="`+svgFootprint+`" fill-opacity="0.35" stroke="`+svgFootprint+`" stroke-width="0.4"`)
	var bd []byte
	for _, st := range blind {
		bd = m.f.AppendPath(bd, st.Geometry, false)
	}
	m.path(bd, `fill="none" stroke="#fff" stroke-width="4.5" stroke-linecap="round" stroke-linejoin="round"`)
	m.path(bd, `fill="none" stroke="`+svgBlind+`" stroke-width="2.6" stroke-linecap="round" stroke-linejoin="round"`)
	m.cameras(ws, 1.6)
	m.kiosks(ws)
	hatch := `<defs><pattern id="gap-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">` +
		`<path d="M0 0V6" stroke="` + svgGap + `" stroke-width="0.8" stroke-opacity="0.35"/></pattern></defs>`
	inner := m.b.String()
	m.b.Reset()
	m.b.WriteString(hatch + inner)
	return m.html("map", "天网覆盖与盲区 Camera coverage and gaps")
}

// planSVG: every unit's route in its colour over the roads, and the kiosks.
func planSVG(ws *planner.Workspace, p *planner.Plan) template.HTML {
	m := newSVGMap(reportBound(ws), reportMapW, reportMapH)
	m.roads(ws, allRoads(ws), 4, 0.8)
	for i, u := range p.Units {
		col := kml.UnitRGB[i%len(kml.UnitRGB)]
		d := m.f.AppendPath(nil, u.Path, false)
		m.path(d, `fill="none" stroke="#fff" stroke-width="4" stroke-linejoin="round" stroke-opacity="0.8"`)
		m.path(d, `fill="none" stroke="`+col+`" stroke-width="2" stroke-linejoin="round"`)
	}
	m.kiosks(ws)
	return m.html("map", "巡逻路线 Patrol routes")
}

// routeSVG is a route card's sketch: the unit's path over the nearby
// roads, its numbered stops and its kiosk.
func routeSVG(idx *planner.SpatialIndex, p *planner.Plan, ui int, w, h float64) template.HTML {
	u := p.Units[ui]
	ws := idx.WS
	b := u.Path.Bound()
	for _, s := range u.Stops {
		if s.Location.Valid() && (s.Location != geo.Point{}) {
			b = b.Extend(s.Location)
		}
	}
	home := findKiosk(ws, u.KioskID)
	if home != nil {
		b = b.Extend(home.Location)
	}
	if b.IsEmpty() {
		b = reportBound(ws)
	}
	// A margin of a tenth of the extent, at least 100 m.
	pr := geo.NewProjection(b.Center())
	kx, ky := pr.MetresPerDegree()
	mx := math.Max(100/kx, (b.Max.Lon-b.Min.Lon)/10)
	my := math.Max(100/ky, (b.Max.Lat-b.Min.Lat)/10)
	b = geo.Bound{Min: geo.Point{Lon: b.Min.Lon - mx, Lat: b.Min.Lat - my}, Max: geo.Point{Lon: b.Max.Lon + mx, Lat: b.Max.Lat + my}}
	m := newSVGMap(b, w, h)
	m.roads(ws, idx.Roads(b), 6, 1.2)
	col := kml.UnitRGB[ui%len(kml.UnitRGB)]
	d := m.f.AppendPath(nil, u.Path, false)
	m.path(d, `fill="none" stroke="#fff" stroke-width="7" stroke-linejoin="round"`)
	dash := ""
	if u.Kind == planner.UnitFoot || u.Kind == planner.UnitVolunteer {
		dash = ` stroke-dasharray="7 4"`
	}
	m.path(d, `fill="none" stroke="`+col+`" stroke-width="3.2" stroke-linejoin="round"`+dash)
	if home != nil {
		m.kiosk(home.Location, 18)
	}
	for k, s := range u.Stops {
		if s.Kind == "break" || !s.Location.Valid() {
			continue
		}
		x, y := m.f.XY(s.Location)
		fmt.Fprintf(&m.b, `<g class="stop"><circle cx="%s" cy="%s" r="9" fill="%s" stroke="#fff" stroke-width="2"/>`+
			`<text x="%s" y="%s" font-size="10" font-weight="700" text-anchor="middle" fill="#fff">%d</text></g>`,
			m.num(x), m.num(y), col, m.num(x), m.num(y+3.5), k+1)
	}
	return m.html("route-map", "路线示意 Route sketch: "+u.Unit)
}

// ---------- scenario maps (GET /report?scenario=ID) ----------

// Scenario colours, as the web map's comparison view (scenario.ts).
const (
	svgAdded   = "#e8590c" // ADDED_COLOR: records the scenario adds or changes
	svgGhost   = "#667085" // the old place of a deleted or moved record
	svgDeleted = "#d92d20" // DELETED_COLOR: the cross over a deleted record
)

// Scenario map size: two pictures side by side across A4's printable width.
const (
	scenarioMapW = 480.0
	scenarioMapH = 560.0
)

// scenarioMarks are what a scenario changes, as its map shows them:
// records it adds or changes (IDs in the scenario's workspace),
// highlighted, and ghosts at the old places of those it deletes or moves.
type scenarioMarks struct {
	Cameras, Kiosks map[int64]bool
	Ghosts          []scenarioGhost
}

// scenarioGhost is a stored camera or kiosk the scenario deletes (a
// struck-through ghost at its place) or moves (a ghost and a dashed line
// to the new place).
type scenarioGhost struct {
	At      geo.Point
	To      geo.Point // a move's new place; unset for a deletion
	Kiosk   bool
	Deleted bool
}

// newScenarioMarks reads the marks off the changes ApplyScenario made to
// base, giving after.
func newScenarioMarks(base, after *planner.Workspace, changes []planner.ScenarioChange) *scenarioMarks {
	mk := &scenarioMarks{Cameras: map[int64]bool{}, Kiosks: map[int64]bool{}}
	type key struct {
		kind planner.RecordKind
		id   int64
	}
	seen := map[key]bool{}
	camAt := func(ws *planner.Workspace, id int64) (geo.Point, bool) {
		for _, c := range ws.Cameras {
			if c.ID == id {
				return c.Location, true
			}
		}
		return geo.Point{}, false
	}
	kioskAt := func(ws *planner.Workspace, id int64) (geo.Point, bool) {
		for _, k := range ws.Kiosks {
			if k.ID == id {
				return k.Location, true
			}
		}
		return geo.Point{}, false
	}
	for _, ch := range changes {
		var at func(*planner.Workspace, int64) (geo.Point, bool)
		var hot map[int64]bool
		switch ch.Kind {
		case planner.KindCamera:
			at, hot = camAt, mk.Cameras
		case planner.KindKiosk:
			at, hot = kioskAt, mk.Kiosks
		default:
			continue // units have no place of their own
		}
		now, inAfter := at(after, ch.ID)
		if ch.Op == planner.OpCreate {
			hot[ch.ID] = inAfter
			continue
		}
		k := key{ch.Kind, ch.ID}
		if seen[k] {
			continue // a move, then a delete: the final state counts
		}
		seen[k] = true
		old, inBase := at(base, ch.ID)
		switch {
		case !inAfter && inBase:
			mk.Ghosts = append(mk.Ghosts, scenarioGhost{At: old, Kiosk: ch.Kind == planner.KindKiosk, Deleted: true})
		case inAfter:
			hot[ch.ID] = true
			if inBase && old != now {
				mk.Ghosts = append(mk.Ghosts, scenarioGhost{At: old, To: now, Kiosk: ch.Kind == planner.KindKiosk})
			}
		}
	}
	return mk
}

// scenarioBound is the area both scenario maps show: around the edits
// (the records added or changed, the ghosts), with a margin of a sixth of
// the extent and at least 250 m; the report's whole area when the edits
// spread over it or there are none.
func scenarioBound(base, after *planner.Workspace, mk *scenarioMarks) geo.Bound {
	whole := reportBound(base)
	b := geo.EmptyBound()
	for _, c := range after.Cameras {
		if mk.Cameras[c.ID] {
			b = b.Extend(c.Location)
		}
	}
	for _, k := range after.Kiosks {
		if mk.Kiosks[k.ID] {
			b = b.Extend(k.Location)
		}
	}
	for _, g := range mk.Ghosts {
		b = b.Extend(g.At)
	}
	if b.IsEmpty() {
		return whole
	}
	kx, ky := geo.NewProjection(b.Center()).MetresPerDegree()
	mx := math.Max(250/kx, (b.Max.Lon-b.Min.Lon)/6)
	my := math.Max(250/ky, (b.Max.Lat-b.Min.Lat)/6)
	b = geo.Bound{Min: geo.Point{Lon: b.Min.Lon - mx, Lat: b.Min.Lat - my}, Max: geo.Point{Lon: b.Max.Lon + mx, Lat: b.Max.Lat + my}}
	if whole.IsEmpty() || b.Max.Lon-b.Min.Lon >= whole.Max.Lon-whole.Min.Lon || b.Max.Lat-b.Min.Lat >= whole.Max.Lat-whole.Min.Lat {
		return whole.Union(b)
	}
	return b
}

// cameraView is the ground camera c sees, with the buildings of ws in its
// range hiding what they hide (planner.Footprint).
func cameraView(ws *planner.Workspace, c planner.Camera) geo.Polygon {
	r := planner.CameraSector(c).RangeM
	kx, ky := geo.NewProjection(c.Location).MetresPerDegree()
	reach := geo.Bound{Min: geo.Point{Lon: c.Location.Lon - r/kx, Lat: c.Location.Lat - r/ky}, Max: geo.Point{Lon: c.Location.Lon + r/kx, Lat: c.Location.Lat + r/ky}}
	var near []planner.Building
	for i := range ws.Buildings {
		if ws.Buildings[i].Polygon.Bound().Intersects(reach) {
			near = append(near, ws.Buildings[i])
		}
	}
	return planner.Footprint(c, near)
}

// scenarioSVG draws one side of a scenario comparison over bound b: the
// response rings (largest underneath; none when nil), roads, grid
// outlines, key sites (those in failing ringed red), cameras and kiosks.
// With marks (the scenario's side) the records it adds or changes are
// drawn in orange with their camera views, and ghosts mark the old places
// of those it deletes or moves.
func scenarioSVG(ws *planner.Workspace, b geo.Bound, rings []planner.Ring, failing map[int64]bool, mk *scenarioMarks, label string) template.HTML {
	m := newSVGMap(b, scenarioMapW, scenarioMapH)
	for i := len(rings) - 1; i >= 0; i-- {
		col := svgRings[min(i, len(svgRings)-1)]
		m.path(m.f.AppendMultiPolygon(nil, rings[i].Polygon), `fill="`+col+`" fill-opacity="0.3" fill-rule="evenodd" stroke="`+col+`" stroke-width="0.8"`)
	}
	// Street detail when the picture shows a neighbourhood.
	rank, scale, dot := 4, 0.8, 1.8
	if mpp := m.f.MetresPerPixel(b.Center().Lat); mpp < 6 {
		rank, scale, dot = 5, 1.2, 3
	}
	m.roads(ws, allRoads(ws), rank, scale)
	m.gridOutlines(ws)
	for _, s := range ws.Sites {
		if failing[s.ID] {
			m.dot(s.Location, 6, "none", svgFail, 2.2)
			m.dot(s.Location, 2.5, svgFail, "none", 0)
		} else {
			m.dot(s.Location, 3.2, svgSite, "#fff", 0.8)
		}
	}
	var hotCams []planner.Camera
	for _, c := range ws.Cameras {
		if mk != nil && mk.Cameras[c.ID] {
			hotCams = append(hotCams, c)
			continue
		}
		col, ok := svgCamera[c.Kind]
		if !ok {
			col = svgCamera[planner.CameraDome]
		}
		m.dot(c.Location, dot, col, "#fff", 0.5)
	}
	var views []byte
	for _, c := range hotCams {
		views = m.f.AppendPolygon(views, cameraView(ws, c))
	}
	m.path(views, `fill="`+svgAdded+`" fill-opacity="0.3" fill-rule="evenodd" stroke="`+svgAdded+`" stroke-width="0.8"`)
	for _, k := range ws.Kiosks {
		if mk == nil || !mk.Kiosks[k.ID] {
			m.kiosk(k.Location, 14)
		}
	}
	if mk != nil {
		for _, g := range mk.Ghosts {
			x, y := m.f.XY(g.At)
			if g.To != (geo.Point{}) {
				x2, y2 := m.f.XY(g.To)
				fmt.Fprintf(&m.b, `<path class="moved" d="M%s %sL%s %s" fill="none" stroke="%s" stroke-width="2" stroke-dasharray="5 4"/>`, m.num(x), m.num(y), m.num(x2), m.num(y2), svgAdded)
			}
			if g.Kiosk {
				fmt.Fprintf(&m.b, `<rect class="ghost" x="%s" y="%s" width="16" height="16" rx="2" fill="#fff" fill-opacity="0.6" stroke="%s" stroke-width="1.5" stroke-dasharray="3 2"/>`, m.num(x-8), m.num(y-8), svgGhost)
			} else {
				fmt.Fprintf(&m.b, `<circle class="ghost" cx="%s" cy="%s" r="7" fill="#fff" fill-opacity="0.6" stroke="%s" stroke-width="1.5" stroke-dasharray="3 2"/>`, m.num(x), m.num(y), svgGhost)
			}
			if g.Deleted {
				fmt.Fprintf(&m.b, `<path class="deleted" d="M%s %sl10 10m0 -10l-10 10" stroke="%s" stroke-width="2.5" stroke-linecap="round"/>`, m.num(x-5), m.num(y-5), svgDeleted)
			}
		}
		for _, c := range hotCams {
			m.b.WriteString(`<g class="added">`)
			m.dot(c.Location, dot+2.5, svgAdded, "#1b1b1b", 1.5)
			m.b.WriteString(`</g>`)
		}
		for _, k := range ws.Kiosks {
			if mk.Kiosks[k.ID] {
				m.b.WriteString(`<g class="added">`)
				m.kioskIn(k.Location, 16, svgAdded, "#1b1b1b")
				m.b.WriteString(`</g>`)
			}
		}
	}
	return m.html("map scenario-map", label)
}
