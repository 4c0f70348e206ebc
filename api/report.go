package api

// Printable pages: the jurisdiction report (GET /report) a planner prints
// for the case file, and a plan's route cards (GET
// /api/v1/plans/{id}/cards) a commander hands to unit and volunteer
// leaders. Both are self-contained HTML (Go html/template): inline CSS
// with a print stylesheet (@page size, page breaks, table headers
// repeated), maps as inline SVG drawn on the server (reportsvg.go), QR
// codes as data: PNGs. They load nothing, from this server or any other,
// so they print the same on an intranet PC, in a PDF printer and from a
// saved file. zh-CN first, English beneath.
//
// Every figure comes from the same analyses as the JSON API, with the
// same query parameters: planner.Response (GET /api/v1/response; the
// rings from the same search), the server's incremental coverage (GET
// /api/v1/coverage), the plan's own report (POST /api/v1/plans), a
// scenario's comparison (scenarioComparison, as GET
// /api/v1/scenarios/{id}/compare, from the same cache). Each
// number in a table carries its exact value in a data-v attribute, so
// tests and scripts can compare it with the API's JSON.

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/tidewatch/tidewatch/data/kml"
	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// reportRoutes lists this file's routes (see extraRoutes).
func (s *Server) reportRoutes() []Route {
	return []Route{
		{"GET", "/report", Read, "printable jurisdiction report (HTML, A4): maps, camera coverage and 1/3/5-minute reach per grid, failing key sites; " +
			"?mode=&minutes=&kiosk= (as /api/v1/response), &hours= (as /api/v1/coverage), &plan=ID adds the plan's covered risk, " +
			"&scenario=ID adds the scenario's edits, its comparison with today (as /api/v1/scenarios/{id}/compare, with &window=&day=&seed=) and maps of both", s.report},
		{"GET", "/api/v1/plans/{id}/cards", Read, "printable route cards (HTML): one card per unit with its stops, a route sketch and a QR code of its share link; ?paper=a5|a4", s.routeCards},
	}
}

// reportBlindStreets is how many unwatched streets (most incidents
// nearby first, as GET /api/v1/coverage/uncovered) the coverage map marks.
const reportBlindStreets = 50

// ---------- formatting ----------

// raw is a float's exact value for a data-v attribute.
func raw(v float64) string { return strconv.FormatFloat(v, 'g', -1, 64) }

// pct formats a share 0..1 as a percentage with one decimal.
func pct(v float64) string { return strconv.FormatFloat(100*v, 'f', 1, 64) }

// fixed formats v with d decimals.
func fixed(v float64, d int) string { return strconv.FormatFloat(v, 'f', d, 64) }

// minSec formats seconds as "m:ss".
func minSec(s float64) string {
	t := int(math.Round(s))
	return fmt.Sprintf("%d:%02d", t/60, t%60)
}

// hoursMinutes formats seconds as "1小时05分 1 h 05 min".
func hoursMinutes(s float64) string {
	m := int(math.Round(s / 60))
	if m < 60 {
		return fmt.Sprintf("%d分钟 %d min", m, m)
	}
	return fmt.Sprintf("%d小时%02d分 %d h %02d min", m/60, m%60, m/60, m%60)
}

// dayName names a plan's day: a weekday, or "average" (a typical night).
func dayName(d string) string {
	zh := map[string]string{"average": "一周平均 week average", "Monday": "周一", "Tuesday": "周二", "Wednesday": "周三", "Thursday": "周四",
		"Friday": "周五", "Saturday": "周六", "Sunday": "周日"}
	if z, ok := zh[d]; ok {
		if d == "average" {
			return z
		}
		return z + " " + d
	}
	return d
}

var modeNames = map[planner.Mode]string{planner.ModeCar: "汽车 Car", planner.ModeEBike: "电动车/摩托 E-bike", planner.ModeFoot: "步行 Foot"}

var unitKindNames = map[planner.UnitKind]string{planner.UnitCar: "巡逻车 Patrol car", planner.UnitMotorbike: "摩托车 Motorbike",
	planner.UnitFoot: "步巡 Foot patrol", planner.UnitVolunteer: "义警 Volunteer group"}

var siteCategoryNames = map[planner.SiteCategory]string{planner.SiteSchool: "学校 School", planner.SiteHospital: "医院 Hospital",
	planner.SiteBank: "银行 Bank", planner.SiteStation: "车站 Station", planner.SiteMarket: "市场 Market", planner.SiteOther: "其他 Other"}

var siteReasons = map[string]string{
	"slower than its tier":                   "超时 slower than its tier",
	"no kiosk reaches it within 15 minutes":  "15分钟内无警务站可达 no kiosk within 15 min",
	"no routable road within the snap limit": "附近无可通行道路 no road nearby",
}

func nameOr(m map[string]string, k string) string {
	if v, ok := m[k]; ok {
		return v
	}
	return k
}

// ---------- the report ----------

type reportCount struct {
	Label, Value, Raw string
}

type reportTier struct {
	Minutes        float64
	RoadKm, Share  float64
	Failing, Sites int
}

type reportGrid struct {
	ID                int64
	Name              string
	RoadKm, CamShare  float64
	HasRoad, HasReach bool
	Cameras           int
	Reach             []float64
	KiosksWithin      int
	Backup            float64
	CamLow            bool // under 20 %
}

type reportSite struct {
	ID       int64
	Name     string
	Category string
	Seconds  *float64
	Kiosk    string
	Reason   string
}

type reportFailing struct {
	Tier  int
	Total int
	Sites []reportSite
}

type reportPlan struct {
	ID          string
	Report      planner.PlanReport
	Map         template.HTML
	Units       []reportPlanUnit
	CoveredPct  float64
	BaselinePct float64
}

type reportPlanUnit struct {
	Unit, Kind, Leave, Return string
	Stops                     int
	KM                        float64
	Color                     string
}

type reportData struct {
	Name      string
	Printed   string
	Counts    []reportCount
	Synthetic []string
	Notes     []string
	Mode      string
	ModeKey   planner.Mode
	Minutes   []float64
	Hours     string
	NetworkKm float64
	Tiers     []reportTier
	Grids     []reportGrid
	Total     planner.GridCoverage
	Failing   []reportFailing
	NFailing  int
	NSites    int
	Unsnapped []string
	Overview  template.HTML
	Response  template.HTML
	Coverage  template.HTML
	Plan      *reportPlan
	Scenario  *reportScenario
}

// requestWithParam returns r with chi URL parameter key set to value, so the
// plan helpers (which read "id") serve /report?plan=ID.
func requestWithParam(r *http.Request, key, value string) *http.Request {
	rctx := chi.NewRouteContext()
	rctx.URLParams.Add(key, value)
	return r.WithContext(context.WithValue(r.Context(), chi.RouteCtxKey, rctx))
}

// report serves GET /report: the printable jurisdiction report.
func (s *Server) report(w http.ResponseWriter, r *http.Request) {
	ropt, err := responseOptions(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	copt, err := coverageOptions(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	// ?scenario=ID: the id, the scenario and the comparison's options are
	// checked before anything is computed (400 for a bad id or option, 404
	// for an unknown scenario).
	var sc *planner.Scenario
	var scOpt planner.CompareOptions
	if q := r.URL.Query(); q.Has("scenario") {
		if scOpt, err = compareOptions(r); err != nil {
			Error(w, r, err)
			return
		}
		x, err := s.scenarioByID(r.Context(), q.Get("scenario"))
		if err != nil {
			Error(w, r, err)
			return
		}
		sc = &x
	}
	idx := s.idx.Load()
	ws := idx.WS
	d := reportData{Name: ws.Name, Printed: time.Now().Format("2006-01-02 15:04"), Synthetic: ws.SyntheticLayers(), Notes: ws.Notes}
	if d.Name == "" {
		d.Name = "Tidewatch"
	}
	c := ws.Counts()
	d.Counts = []reportCount{
		{"道路 Road km", fixed(c.RoadKm, 1), raw(c.RoadKm)},
		{"网格 Grids", strconv.Itoa(c.Grids), strconv.Itoa(c.Grids)},
		{"天网 Cameras", strconv.Itoa(c.Cameras), strconv.Itoa(c.Cameras)},
		{"警务站 Kiosks", strconv.Itoa(c.Kiosks), strconv.Itoa(c.Kiosks)},
		{"警情 Incidents", strconv.Itoa(c.Incidents), strconv.Itoa(c.Incidents)},
		{"重点部位 Key sites", strconv.Itoa(c.Sites), strconv.Itoa(c.Sites)},
	}
	for _, h := range copt.Hours {
		if d.Hours != "" {
			d.Hours += ","
		}
		d.Hours += strconv.Itoa(h)
	}

	// 1/3/5-minute reach: the response report and its rings from one search.
	reach, err := planner.NewReach(r.Context(), ws, ropt)
	if err != nil {
		Error(w, r, err)
		return
	}
	rep, err := reach.Report(r.Context(), ws)
	if err != nil {
		Error(w, r, err)
		return
	}
	rings := reach.Rings()
	d.ModeKey, d.Mode, d.Minutes, d.NetworkKm = rep.Mode, string(rep.Mode), rep.Minutes, rep.NetworkKm
	if n, ok := modeNames[rep.Mode]; ok {
		d.Mode = n
	}
	for _, k := range rep.Kiosks {
		if !k.OK {
			d.Unsnapped = append(d.Unsnapped, fmt.Sprintf("%s (%d, %.0f m)", k.Name, k.KioskID, k.DistM))
		}
	}
	kioskName := map[int64]string{}
	for _, k := range ws.Kiosks {
		kioskName[k.ID] = k.Name
		if k.Name == "" {
			kioskName[k.ID] = "警务站 Kiosk " + strconv.FormatInt(k.ID, 10)
		}
	}
	byTier := map[int]*reportFailing{}
	for _, st := range rep.Sites {
		f := byTier[st.Tier]
		if f == nil {
			f = &reportFailing{Tier: st.Tier}
			byTier[st.Tier] = f
		}
		f.Total++
		if st.OK {
			continue
		}
		name := st.Name
		if name == "" {
			name = "重点部位 Site " + strconv.FormatInt(st.SiteID, 10)
		}
		f.Sites = append(f.Sites, reportSite{ID: st.SiteID, Name: name, Category: string(st.Category),
			Seconds: st.Seconds, Kiosk: kioskName[st.KioskID], Reason: nameOr(siteReasons, st.Reason)})
		if n, ok := siteCategoryNames[st.Category]; ok {
			f.Sites[len(f.Sites)-1].Category = n
		}
	}
	d.NFailing, d.NSites = rep.FailingSites, len(rep.Sites)
	var tiers []int
	for t := range byTier {
		tiers = append(tiers, t)
	}
	sort.Ints(tiers)
	for _, t := range tiers {
		d.Failing = append(d.Failing, *byTier[t])
	}
	for _, t := range rep.Tiers {
		rt := reportTier{Minutes: t.Minutes, RoadKm: t.RoadKm, Share: t.Share}
		for _, st := range rep.Sites {
			if float64(st.Tier) == t.Minutes {
				rt.Sites++
				if !st.OK {
					rt.Failing++
				}
			}
		}
		d.Tiers = append(d.Tiers, rt)
	}

	// Camera coverage, as GET /api/v1/coverage.
	cov, err := s.coverage(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	crep := cov.ReportFor(copt)
	d.Total = crep.Total
	var gaps []geo.MultiPolygon
	for i, g := range crep.Grids {
		if err := r.Context().Err(); err != nil {
			Error(w, r, err)
			return
		}
		rg := reportGrid{ID: g.ID, Name: g.Name, RoadKm: g.RoadM / 1000, Cameras: g.Cameras, HasRoad: g.RoadM > 0}
		if rg.Name == "" {
			rg.Name = "#" + strconv.FormatInt(g.ID, 10)
		}
		if g.RoadM > 0 {
			rg.CamShare = g.CoveredRoadM / g.RoadM
			rg.CamLow = rg.CamShare < 0.2
		}
		if i < len(rep.Grids) && rep.Grids[i].GridID == g.ID {
			gr := rep.Grids[i]
			rg.Reach, rg.KiosksWithin, rg.Backup, rg.HasReach = gr.Share, gr.KiosksWithin, gr.BackupShare, gr.RoadM > 0
		}
		d.Grids = append(d.Grids, rg)
		if gp, err := cov.Gaps(g.ID); err == nil {
			gaps = append(gaps, gp)
		}
	}
	d.Overview = overviewSVG(ws)
	d.Response = responseSVG(ws, rings, rep)
	d.Coverage = coverageSVG(ws, crep, gaps, cov.Footprints(reportBound(ws)), cov.UncoveredRoadsFor(reportBlindStreets, copt))

	if id := r.URL.Query().Get("plan"); id != "" {
		pr := requestWithParam(r, "id", id)
		p, err := s.lookupPlan(pr)
		if err != nil {
			Error(w, r, err)
			return
		}
		rp := &reportPlan{ID: id, Report: p.Report, Map: planSVG(ws, p), CoveredPct: p.Report.CoveredPct, BaselinePct: p.Report.BaselinePct}
		for i, u := range p.Units {
			rp.Units = append(rp.Units, reportPlanUnit{Unit: u.Unit, Kind: string(u.Kind), Leave: u.Leave, Return: u.Return,
				Stops: len(u.Stops), KM: u.DistanceM / 1000, Color: kml.UnitRGB[i%len(kml.UnitRGB)]})
			if n, ok := unitKindNames[u.Kind]; ok {
				rp.Units[i].Kind = n
			}
		}
		d.Plan = rp
	}
	if sc != nil {
		if d.Scenario, err = s.scenarioSection(r.Context(), ws, *sc, scOpt, rings); err != nil {
			Error(w, r, err)
			return
		}
	}
	var buf bytes.Buffer
	if err := reportPage.Execute(&buf, d); err != nil {
		Error(w, r, err)
		return
	}
	writeHTML(w, buf.Bytes())
}

// ---------- the scenario section (?scenario=ID) ----------

// reportScenario is the report's section for a what-if scenario: its
// edits in words, the comparison with today (scenarioComparison, the
// figures GET /api/v1/scenarios/{id}/compare answers) and maps of both.
type reportScenario struct {
	ID, Version, BaseRevision int64
	Name, Owner               string
	Created, Updated          string // local time, "2006-01-02 15:04"
	UpdatedISO                string
	Mode, Window, Day         string
	Minutes                   []float64
	Seed                      int64
	Edits                     []reportEdit
	Stale                     []reportStale
	Rows                      []reportCmpRow
	SiteChanges               []reportSiteChange
	Today, After              template.HTML
	RingsNote                 string // why the scenario's map has no rings
	Extent                    string
}

// reportEdit is one edit of the scenario in words.
type reportEdit struct {
	N             int
	Op, Kind      string
	What, Detail  string
	Lon, Lat, Dir string // exact values of the edit's position and camera direction, "" when it has none
	Stale         bool
	StaleWhy      string
}

type reportStale struct {
	N            int
	What, Reason string
	Code         string
}

// reportCell is one figure: its text and exact value ("" for none: the
// figure was not computed, as null in the JSON), and a note under it.
type reportCell struct {
	Text, Raw, Note string
}

// reportCmpRow is one row of the comparison table; Key names it as the web
// map's comparison does (cameras, coverage, tier3, failing5, patrol...).
type reportCmpRow struct {
	Key, Label           string
	Sub                  bool // a secondary figure of the row above
	Before, After, Delta reportCell
	Class                string // good, bad, changed (neither) or same (no change)
}

// reportSiteChange is a key site that starts or stops failing its tier.
type reportSiteChange struct {
	Tier     int
	ID       int64
	Name     string
	Category string
	Failing  bool // starts failing; else it is now reached in time
}

var cameraKindNames = map[planner.CameraKind]string{planner.CameraFixed: "固定 Fixed", planner.CameraDome: "半球 Dome", planner.CameraPTZ: "球机 PTZ"}

func cameraKindName(k planner.CameraKind) string {
	if n, ok := cameraKindNames[k]; ok {
		return n
	}
	return string(k)
}

var patrolNotes = map[string]string{
	planner.PatrolNoUnits:       "无巡逻单位，未排班 No patrol units: nothing planned",
	planner.PatrolUnitsNoKiosk:  "所有单位的警务站均已删除 Every unit's home kiosk is gone",
	planner.PatrolSomeUnitsLeft: "部分单位无警务站，未计入 Units without a kiosk left out",
	planner.PatrolNoPlan:        "无法排班 No plan",
}

var staleReasons = map[string]string{
	planner.ENOTFOUND: "记录已不存在 the record no longer exists",
	planner.ECONFLICT: "记录在改动之后被修改 the record changed after the edit was made",
}

// signed formats a change with d decimals and its sign: "+2", "−1.5",
// "0". A change that is not zero never reads as one: it gets the decimals
// it needs (up to 6), "−0.004".
func signed(v float64, d int) string {
	r := strconv.FormatFloat(math.Abs(v), 'f', d, 64)
	for z, _ := strconv.ParseFloat(r, 64); z == 0 && v != 0 && d < 6; z, _ = strconv.ParseFloat(r, 64) {
		d++
		r = strconv.FormatFloat(math.Abs(v), 'f', d, 64)
	}
	if z, _ := strconv.ParseFloat(r, 64); z == 0 {
		return "0"
	}
	if v < 0 {
		return "−" + r
	}
	return "+" + r
}

// points formats a change of share as percentage points, with a second
// decimal for small changes (a few cameras in a city), as the web map.
func points(v float64) string {
	d := 1
	if math.Abs(v*100) < 0.095 {
		d = 2
	}
	return signed(v*100, d) + " 个百分点 pp"
}

// lonLatText formats a position to 6 decimals (10 cm).
func lonLatText(p geo.Point) string { return fixed(p.Lon, 6) + ", " + fixed(p.Lat, 6) }

// degrees formats an angle to a tenth of a degree.
func degrees(v float64) string { return strconv.FormatFloat(math.Round(v*10)/10, 'f', -1, 64) + "°" }

func quoted(name string) string {
	if name = strings.TrimSpace(name); name == "" {
		return ""
	}
	return "「" + name + "」"
}

func shiftsText(sh []planner.Shift) string {
	var out []string
	for _, x := range sh {
		out = append(out, fmt.Sprintf("%02d:%02d-%02d:%02d", x.Start/60, x.Start%60, x.End/60, x.End%60))
	}
	if len(out) == 0 {
		return "—"
	}
	return strings.Join(out, ", ")
}

// describeEdit puts edit e of a scenario in words against base, the
// workspace it is applied to.
func describeEdit(base *planner.Workspace, n int, e planner.Edit) reportEdit {
	re := reportEdit{N: n, Op: string(e.Op), Kind: string(e.Kind)}
	var parts []string
	add := func(f string, args ...any) { parts = append(parts, fmt.Sprintf(f, args...)) }
	kioskName := func(id int64) string {
		if k := findKiosk(base, id); k != nil && k.Name != "" {
			return quoted(k.Name) + " #" + strconv.FormatInt(id, 10)
		}
		return "#" + strconv.FormatInt(id, 10)
	}
	at := func(p geo.Point) {
		re.Lon, re.Lat = raw(p.Lon), raw(p.Lat)
	}
	id := " #" + strconv.FormatInt(e.ID, 10)
	switch e.Kind {
	case planner.KindCamera:
		var old *planner.Camera
		if e.Op != planner.OpCreate {
			old = findCamera(base, e.ID)
		}
		switch {
		case e.Op == planner.OpCreate && e.Camera != nil:
			c := e.Camera
			re.What = "新增摄像头 New camera"
			at(c.Location)
			if q := quoted(c.Name); q != "" {
				add("%s", q)
			}
			add("%s", cameraKindName(c.Kind))
			add("位置 at %s", lonLatText(c.Location))
			if c.FOVDeg < 360 {
				re.Dir = raw(c.DirectionDeg)
				add("朝向 facing %s", degrees(c.DirectionDeg))
			}
			add("视角 FOV %s", degrees(c.FOVDeg))
			add("距离 range %s m", strconv.FormatFloat(c.RangeM, 'f', -1, 64))
		case e.Op == planner.OpUpdate && e.Camera != nil:
			c := e.Camera
			at(c.Location)
			re.What = "修改摄像头 Change camera" + id
			if old == nil {
				add("位置 at %s", lonLatText(c.Location))
				if c.FOVDeg < 360 {
					re.Dir = raw(c.DirectionDeg)
					add("朝向 facing %s", degrees(c.DirectionDeg))
				}
				break
			}
			if q := quoted(old.Name); q != "" {
				add("%s", q)
			}
			if old.Location != c.Location {
				re.What = "移动摄像头 Move camera" + id
				add("位置 from %s → %s（%s m）", lonLatText(old.Location), lonLatText(c.Location), fixed(geo.Distance(old.Location, c.Location), 0))
			}
			if old.Kind != c.Kind {
				add("类型 kind %s → %s", cameraKindName(old.Kind), cameraKindName(c.Kind))
			}
			if c.FOVDeg < 360 {
				re.Dir = raw(c.DirectionDeg)
			}
			if old.DirectionDeg != c.DirectionDeg && c.FOVDeg < 360 {
				add("朝向 facing %s → %s", degrees(old.DirectionDeg), degrees(c.DirectionDeg))
			}
			if old.FOVDeg != c.FOVDeg {
				add("视角 FOV %s → %s", degrees(old.FOVDeg), degrees(c.FOVDeg))
			}
			if old.RangeM != c.RangeM {
				add("距离 range %s → %s m", strconv.FormatFloat(old.RangeM, 'f', -1, 64), strconv.FormatFloat(c.RangeM, 'f', -1, 64))
			}
			if old.Name != c.Name {
				add("名称 name %s → %s", quoted(old.Name), quoted(c.Name))
			}
		default:
			re.What = "删除摄像头 Delete camera" + id
			if old != nil {
				at(old.Location)
				if q := quoted(old.Name); q != "" {
					add("%s", q)
				}
				add("位置 at %s", lonLatText(old.Location))
			}
		}
	case planner.KindKiosk:
		var old *planner.Kiosk
		if e.Op != planner.OpCreate {
			old = findKiosk(base, e.ID)
		}
		switch {
		case e.Op == planner.OpCreate && e.Kiosk != nil:
			k := e.Kiosk
			re.What = "新增警务站 New kiosk"
			at(k.Location)
			if q := quoted(k.Name); q != "" {
				add("%s", q)
			}
			add("位置 at %s", lonLatText(k.Location))
			add("警力 staff %d", k.Staff)
			if k.Vehicles > 0 {
				add("车辆 vehicles %d", k.Vehicles)
			}
		case e.Op == planner.OpUpdate && e.Kiosk != nil:
			k := e.Kiosk
			at(k.Location)
			re.What = "修改警务站 Change kiosk" + id
			if old == nil {
				add("位置 at %s", lonLatText(k.Location))
				break
			}
			if q := quoted(old.Name); q != "" {
				add("%s", q)
			}
			if old.Location != k.Location {
				re.What = "移动警务站 Move kiosk" + id
				add("位置 from %s → %s（%s m）", lonLatText(old.Location), lonLatText(k.Location), fixed(geo.Distance(old.Location, k.Location), 0))
			}
			if old.Staff != k.Staff {
				add("警力 staff %d → %d", old.Staff, k.Staff)
			}
			if old.Vehicles != k.Vehicles {
				add("车辆 vehicles %d → %d", old.Vehicles, k.Vehicles)
			}
			if old.Name != k.Name {
				add("名称 name %s → %s", quoted(old.Name), quoted(k.Name))
			}
		default:
			re.What = "删除警务站 Delete kiosk" + id
			if old != nil {
				at(old.Location)
				if q := quoted(old.Name); q != "" {
					add("%s", q)
				}
				add("位置 at %s", lonLatText(old.Location))
			}
		}
	case planner.KindUnit:
		var old *planner.Unit
		if e.Op != planner.OpCreate {
			old = findUnit(base, e.ID)
		}
		kind := func(k planner.UnitKind) string {
			if n, ok := unitKindNames[k]; ok {
				return n
			}
			return string(k)
		}
		switch {
		case e.Op == planner.OpCreate && e.Unit != nil:
			u := e.Unit
			re.What = "新增巡逻单位 New patrol unit"
			add("%s", quoted(u.Name))
			add("%s", kind(u.Kind))
			add("警务站 kiosk %s", kioskName(u.HomeKiosk))
			add("班次 shifts %s", shiftsText(u.Shifts))
		case e.Op == planner.OpUpdate && e.Unit != nil:
			u := e.Unit
			re.What = "修改巡逻单位 Change patrol unit" + id
			if old == nil {
				add("%s", quoted(u.Name))
				break
			}
			add("%s", quoted(old.Name))
			if old.Kind != u.Kind {
				add("类型 kind %s → %s", kind(old.Kind), kind(u.Kind))
			}
			if old.HomeKiosk != u.HomeKiosk {
				add("警务站 kiosk %s → %s", kioskName(old.HomeKiosk), kioskName(u.HomeKiosk))
			}
			if a, b := shiftsText(old.Shifts), shiftsText(u.Shifts); a != b {
				add("班次 shifts %s → %s", a, b)
			}
			if old.Name != u.Name {
				add("名称 name %s → %s", quoted(old.Name), quoted(u.Name))
			}
		default:
			re.What = "删除巡逻单位 Delete patrol unit" + id
			if old != nil {
				add("%s", quoted(old.Name))
			}
		}
	}
	if len(parts) == 0 && e.Op == planner.OpUpdate {
		parts = append(parts, "无变化 no change")
	}
	re.Detail = strings.Join(parts, " · ")
	return re
}

// scenarioSection builds the section for scenario sc over ws (the report's
// workspace): the comparison is scenarioComparison's with opt, the
// figures GET /api/v1/scenarios/{id}/compare answers with the same query;
// todayRings are the report's rings (same mode and minutes).
func (s *Server) scenarioSection(ctx context.Context, ws *planner.Workspace, sc planner.Scenario, opt planner.CompareOptions, todayRings []planner.Ring) (*reportScenario, error) {
	c, _, err := s.scenarioComparison(ctx, ws, sc, opt)
	if err != nil {
		return nil, err
	}
	// The edited workspace for the maps: the comparison's own edits, stale
	// ones skipped the same way.
	after, changes, _, err := planner.ApplyScenario(ws, sc.Edits)
	if err != nil {
		return nil, err
	}
	rs := &reportScenario{ID: sc.ID, Version: c.ScenarioVersion, BaseRevision: c.BaseRevision, Name: sc.Name, Owner: sc.Owner,
		Created: sc.Created.Local().Format("2006-01-02 15:04"), Updated: sc.Updated.Local().Format("2006-01-02 15:04"),
		UpdatedISO: sc.Updated.UTC().Format(time.RFC3339), Mode: string(c.Options.Mode), Minutes: c.Options.Minutes,
		Window: c.Options.Window, Day: dayName(c.Options.Day), Seed: c.Options.Seed}
	if n, ok := modeNames[c.Options.Mode]; ok {
		rs.Mode = n
	}

	// The edits, in words; stale ones marked with the reason.
	stale := map[int]planner.StaleEdit{}
	for _, st := range c.Stale {
		stale[st.Edit] = st
	}
	for i, e := range sc.Edits {
		re := describeEdit(ws, i+1, e)
		if st, ok := stale[i+1]; ok {
			re.Stale, re.StaleWhy = true, nameOr(staleReasons, st.Code)
			rs.Stale = append(rs.Stale, reportStale{N: i + 1, What: re.What, Reason: st.Reason, Code: st.Code})
		}
		rs.Edits = append(rs.Edits, re)
	}

	// The comparison table.
	b, a, dl := c.Before, c.After, c.Delta
	count := func(v int) reportCell { return reportCell{Text: strconv.Itoa(v), Raw: strconv.Itoa(v)} }
	dcount := func(v int) reportCell { return reportCell{Text: signed(float64(v), 0), Raw: strconv.Itoa(v)} }
	share := func(v float64) reportCell { return reportCell{Text: pct(v) + "%", Raw: raw(v)} }
	dshare := func(v float64) reportCell { return reportCell{Text: points(v), Raw: raw(v)} }
	km := func(v float64, d int) reportCell { return reportCell{Text: fixed(v, d) + " km", Raw: raw(v)} }
	dkm := func(v float64, d int) reportCell { return reportCell{Text: signed(v, d) + " km", Raw: raw(v)} }
	none := reportCell{Text: "—"}
	row := func(key, label string, sub bool, before, after, delta reportCell, better float64) {
		r := reportCmpRow{Key: key, Label: label, Sub: sub, Before: before, After: after, Delta: delta, Class: "same"}
		if v, err := strconv.ParseFloat(delta.Raw, 64); err == nil && math.Abs(v) > 1e-12 {
			switch {
			case better == 0:
				r.Class = "changed"
			case v*better > 0:
				r.Class = "good"
			default:
				r.Class = "bad"
			}
		}
		rs.Rows = append(rs.Rows, r)
	}
	row("cameras", "天网 Cameras", false, count(b.Cameras), count(a.Cameras), dcount(dl.Cameras), 1)
	row("coverage", "街道覆盖 Streets watched (%)", false, share(b.Coverage.Share), share(a.Coverage.Share), dshare(dl.Coverage.Share), 1)
	row("coverage_km", "被覆盖街道 Streets watched (km)", true, km(b.Coverage.CoveredRoadKm, 2), km(a.Coverage.CoveredRoadKm, 2), dkm(dl.Coverage.CoveredRoadKm, 2), 1)
	row("kiosks", "警务站 Kiosks", false, count(b.Kiosks), count(a.Kiosks), dcount(dl.Kiosks), 1)
	for i, ta := range a.Response.Tiers {
		m := strconv.FormatFloat(ta.Minutes, 'f', -1, 64)
		bs, bk, ds, dk := none, none, none, none
		if i < len(b.Response.Tiers) {
			bs, bk = share(b.Response.Tiers[i].Share), km(b.Response.Tiers[i].RoadKm, 2)
		}
		if i < len(dl.Tiers) {
			ds, dk = dshare(dl.Tiers[i].Share), dkm(dl.Tiers[i].RoadKm, 2)
		}
		row("tier"+m, m+" 分钟可达道路 Road reached in "+m+" min (%)", false, bs, share(ta.Share), ds, 1)
		row("tier"+m+"_km", m+" 分钟可达道路 Road reached in "+m+" min (km)", true, bk, km(ta.RoadKm, 2), dk, 1)
	}
	row("failing", "未达标重点部位 Key sites failing their tier", false, count(b.Sites.Failing), count(a.Sites.Failing), dcount(dl.Failing), -1)
	failingIn := func(f *planner.Figures, tier int) int {
		for _, t := range f.Sites.Tiers {
			if t.TierMin == tier {
				return t.Failing
			}
		}
		return 0
	}
	site := map[int64]planner.Site{}
	for _, st := range ws.Sites {
		site[st.ID] = st
	}
	for _, sd := range dl.Sites {
		tier := strconv.Itoa(sd.TierMin)
		row("failing"+tier, tier+" 分钟档未达标 Failing the "+tier+"-minute tier", true, count(failingIn(b, sd.TierMin)), count(failingIn(a, sd.TierMin)), dcount(sd.Failing), -1)
		for _, x := range []struct {
			ids     []int64
			failing bool
		}{{sd.NowOK, false}, {sd.NowFailing, true}} {
			for _, id := range x.ids {
				ch := reportSiteChange{Tier: sd.TierMin, ID: id, Failing: x.failing, Name: site[id].Name}
				if ch.Name == "" {
					ch.Name = "重点部位 Site " + strconv.FormatInt(id, 10)
				}
				ch.Category = string(site[id].Category)
				if n, ok := siteCategoryNames[site[id].Category]; ok {
					ch.Category = n
				}
				rs.SiteChanges = append(rs.SiteChanges, ch)
			}
		}
	}
	patrol := func(p planner.PatrolFigures, v *float64, f func(float64) reportCell) reportCell {
		cell := none
		if v != nil {
			cell = f(*v)
		}
		if p.Note != "" {
			cell.Note = nameOr(patrolNotes, p.Note)
			switch p.Note {
			case planner.PatrolSomeUnitsLeft:
				cell.Note += ": " + strings.Join(p.StrandedUnits, "、")
			case planner.PatrolNoPlan:
				cell.Note += ": " + p.Reason
			}
		}
		return cell
	}
	dpatrol := func(v *float64, f func(float64) reportCell) reportCell {
		if v == nil {
			return none
		}
		return f(*v)
	}
	row("patrol", "巡逻覆盖风险 Patrol: risk covered "+c.Options.Window+" (%)", false,
		patrol(b.Patrol, b.Patrol.CoveredShare, share), patrol(a.Patrol, a.Patrol.CoveredShare, share), dpatrol(dl.Patrol.CoveredShare, dshare), 1)
	risk := func(v float64) reportCell { return reportCell{Text: fixed(v, 2), Raw: raw(v)} }
	drisk := func(v float64) reportCell { return reportCell{Text: signed(v, 2), Raw: raw(v)} }
	withTotal := func(p planner.PatrolFigures) reportCell {
		cell := dpatrol(p.CoveredRisk, risk)
		if p.TotalRisk != nil {
			cell.Note = "共 of " + fixed(*p.TotalRisk, 2)
		}
		return cell
	}
	row("patrol_risk", "覆盖的预期警情 Expected incidents covered", true, withTotal(b.Patrol), withTotal(a.Patrol), dpatrol(dl.Patrol.CoveredRisk, drisk), 1)
	row("units", "巡逻单位 Patrol units", true, count(b.Units), count(a.Units), dcount(dl.Units), 0)

	// The maps: today with its rings, the scenario with the rings of the
	// edited workspace (the same search, over its kiosks).
	mk := newScenarioMarks(ws, after, changes)
	var afterRings []planner.Ring
	reach, err := planner.NewReach(ctx, after, planner.ResponseOptions{Mode: c.Options.Mode, Minutes: c.Options.Minutes})
	switch {
	case err == nil:
		afterRings = reach.Rings()
	case ctx.Err() != nil:
		return nil, ctx.Err()
	default:
		rs.RingsNote = "方案的快反圈无法计算 The scenario's rings could not be drawn: " + planner.ErrorMessage(err)
	}
	failing := func(f *planner.Figures) map[int64]bool {
		out := map[int64]bool{}
		for _, t := range f.Sites.Tiers {
			for _, id := range t.FailingIDs {
				out[id] = true
			}
		}
		return out
	}
	bound := scenarioBound(ws, after, mk)
	rs.Extent = "改动所在区域 Around the edits"
	if bound == reportBound(ws) || bound.Union(reportBound(ws)) == bound {
		rs.Extent = "全辖区 The whole area"
	}
	rs.Today = scenarioSVG(ws, bound, todayRings, failing(b), nil, "现状 Today")
	rs.After = scenarioSVG(after, bound, afterRings, failing(a), mk, "方案 Scenario: "+sc.Name)
	return rs, nil
}

// writeHTML sends a printable page: never cached (it holds camera
// positions, or share tokens), no referrer.
func writeHTML(w http.ResponseWriter, body []byte) {
	h := w.Header()
	h.Set("Content-Type", "text/html; charset=utf-8")
	h.Set("Cache-Control", "no-store")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}

// pageFuncs are the templates' helpers.
var pageFuncs = template.FuncMap{
	"raw":   raw,
	"pct":   pct,
	"fixed": fixed,
	"inc":   func(i int) int { return i + 1 },
	"secs": func(s *float64) string {
		if s == nil {
			return "—"
		}
		return minSec(*s)
	},
	"secsRaw": func(s *float64) string {
		if s == nil {
			return ""
		}
		return raw(*s)
	},
	"at": func(xs []float64, i int) float64 {
		if i < len(xs) {
			return xs[i]
		}
		return 0
	},
	"ringColour": func(i int) string { return svgRings[min(i, len(svgRings)-1)] },
	"divide":     func(a, b float64) float64 { return a / b },
	"dayName":    dayName,
	"minutes":    func(m float64) string { return strconv.FormatFloat(m, 'f', -1, 64) },
}

// pageCSS is shared by the report and the cards.
const pageCSS = `
*{box-sizing:border-box}
html{-webkit-print-color-adjust:exact;print-color-adjust:exact}
body{font:10.5pt/1.45 "Noto Sans CJK SC","Source Han Sans SC","WenQuanYi Micro Hei","Microsoft YaHei","PingFang SC",system-ui,sans-serif;color:#1b2733;margin:0;background:#e9edf1}
.sheet{background:#fff;margin:12px auto;padding:14mm 12mm;box-shadow:0 1px 4px rgba(0,0,0,.2)}
h1{font-size:20pt;margin:0 0 2mm}
h2{font-size:14pt;margin:0 0 3mm;padding-bottom:1.5mm;border-bottom:2px solid #14305a;color:#14305a}
h3{font-size:11.5pt;margin:5mm 0 2mm}
.en{color:#52606d;font-weight:400;font-size:.82em}
.muted{color:#52606d}
.hint{background:#fff7d6;border:1px solid #e8d48a;padding:2mm 3mm;border-radius:4px;margin:0 0 4mm;font-size:9.5pt}
table{border-collapse:collapse;width:100%;margin:2mm 0 4mm;font-size:9.5pt}
th,td{border:1px solid #c9d1da;padding:1mm 1.6mm;text-align:left;vertical-align:top}
th{background:#eef2f6;font-weight:600}
td.n,th.n{text-align:right;font-variant-numeric:tabular-nums}
#grids td:first-child{white-space:nowrap}
td.low{background:#fde2e1;color:#8a1c12;font-weight:600}
tr.total td{font-weight:700;background:#f4f6f8}
.kpis{display:flex;gap:4mm;flex-wrap:wrap;margin:2mm 0 4mm}
.kpi{border:1px solid #c9d1da;border-radius:4px;padding:2mm 3mm;min-width:30mm}
.kpi b{display:block;font-size:15pt}
.map-wrap{break-inside:avoid;margin:0 0 3mm}
svg.map{width:100%;height:auto;max-height:185mm;border:1px solid #c9d1da;display:block}
.legend{display:flex;flex-wrap:wrap;gap:1.5mm 5mm;font-size:8.5pt;margin:1.5mm 0}
.legend span{display:inline-flex;align-items:center;gap:1.5mm}
.sw{display:inline-block;width:5mm;height:3mm;border:1px solid #8894a2}
.dot{display:inline-block;width:2.6mm;height:2.6mm;border-radius:50%}
.kio{display:inline-block;background:#1f4fb5;color:#fff;font-size:7pt;line-height:1;padding:.4mm .6mm;border-radius:1px}
@media screen{.sheet{max-width:210mm}}
@media print{
  body{background:#fff}
  .sheet{margin:0;padding:0;box-shadow:none;max-width:none}
  .screen-only{display:none}
  .page{break-before:page}
  thead{display:table-header-group}
  tr{break-inside:avoid}
  h2,h3{break-after:avoid}
}
`

var reportPage = template.Must(template.New("report").Funcs(pageFuncs).Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>{{with .Scenario}}方案对比 {{.Name}} · {{end}}辖区警务报告 · {{.Name}} · Jurisdiction report</title>
<style>` + pageCSS + `
@page{size:A4;margin:14mm 12mm 14mm}
#scenario-meta th{width:18%;white-space:nowrap}
#scenario-figures tbody th{font-weight:600;background:#f8fafc}
#scenario-figures tr.sub th{font-weight:400;padding-left:5mm;color:#52606d}
#scenario-figures thead th:first-child{width:46%}
#scenario-figures tr.sub td:not(.delta){color:#3e4c59}
#scenario-figures td.n{white-space:nowrap}
#scenario-figures td.delta{font-weight:600}
.good{color:#1a7f37}
.bad{color:#b42318}
td.delta.same{color:#52606d;font-weight:400}
.note{font-size:8pt;color:#52606d;font-weight:400;text-align:left;white-space:normal}
#scenario-edits tr.stale td{background:#fff4e5}
.pair{display:grid;grid-template-columns:1fr 1fr;gap:3mm}
.pair figure{margin:0;break-inside:avoid}
.pair figcaption{font-weight:600;font-size:9.5pt;margin-top:1mm}
.pair svg.map{max-height:120mm}
.scenario-maps{break-inside:avoid}
@media print{
  #scenario{break-before:page;break-after:page}
  #scenario-edits,#scenario-figures{break-inside:auto}
}
</style></head><body>
<div class="sheet">
<p class="hint screen-only">按 Ctrl+P 打印或另存为 PDF（A4）。 Press Ctrl+P to print or save as PDF (A4).</p>
<header id="cover">
<h1>辖区警务报告 <span class="en">Jurisdiction report</span></h1>
<p><b id="ws-name">{{.Name}}</b> · <span class="muted">打印于 Printed</span> <span id="printed">{{.Printed}}</span></p>
<table id="counts"><thead><tr>{{range .Counts}}<th class="n">{{.Label}}</th>{{end}}</tr></thead>
<tbody><tr>{{range .Counts}}<td class="n" data-v="{{.Raw}}">{{.Value}}</td>{{end}}</tr></tbody></table>
<p class="muted">快反圈出行方式 Response mode: <b id="mode" data-v="{{.ModeKey}}">{{.Mode}}</b> · 分钟档 Tiers: {{range $i, $m := .Minutes}}{{if $i}}、{{end}}{{minutes $m}}{{end}} 分钟 min
{{- if .Hours}} · 警情时段 Incident hours: {{.Hours}}{{end}}</p>
{{with .Scenario}}<p id="cover-scenario">附方案对比 <span class="en">With the scenario comparison</span>: <a href="#scenario">{{.Name}}</a></p>{{end}}
{{if .Synthetic}}<p class="hint">合成演示数据 Synthetic demo data: {{range $i, $l := .Synthetic}}{{if $i}}、{{end}}{{$l}}{{end}}</p>{{end}}
{{if .Unsnapped}}<p class="hint">未接入路网的警务站 Kiosks off the road network: {{range $i, $k := .Unsnapped}}{{if $i}}; {{end}}{{$k}}{{end}}</p>{{end}}
</header>

<section id="overview">
<h2>辖区概览 <span class="en">Overview</span></h2>
<div class="map-wrap">{{.Overview}}
<div class="legend"><span><i class="sw" style="background:none;border:1.5px solid #3566a8"></i>网格 Grid</span><span><i class="sw" style="background:#7d8796;height:1mm;border:0"></i>道路 Roads</span>
<span><i class="dot" style="background:#7b3fa0"></i>天网 固定 Fixed camera</span><span><i class="dot" style="background:#0f8b8d"></i>半球 Dome</span><span><i class="dot" style="background:#c76f00"></i>球机 PTZ</span>
<span><i class="dot" style="background:#2e7d32"></i>重点部位 Key site</span><span><i class="kio">警</i>警务站 Kiosk</span></div></div>
</section>

<section id="response" class="page">
<h2>快反圈 <span class="en">Response rings ({{.Mode}})</span></h2>
<div class="map-wrap">{{.Response}}
<div class="legend">{{range $i, $t := .Tiers}}<span><i class="sw" style="background:{{ringColour $i}};opacity:.6"></i>{{minutes $t.Minutes}} 分钟 min</span>{{end}}
<span><i class="dot" style="background:none;border:2px solid #d92d20"></i>未达标重点部位 Failing key site</span><span><i class="kio">警</i>警务站 Kiosk</span></div></div>
<h3>道路可达比例 <span class="en">Road length reached</span></h3>
<table id="tiers"><thead><tr><th>档位 Tier</th><th class="n">可达道路 Road reached (km)</th><th class="n">占路网 Share of network (%)</th><th class="n">重点部位未达标 Failing key sites</th></tr></thead>
<tbody>{{range .Tiers}}<tr data-minutes="{{raw .Minutes}}"><td>{{minutes .Minutes}} 分钟 min</td><td class="n" data-v="{{raw .RoadKm}}">{{fixed .RoadKm 2}}</td><td class="n share" data-v="{{raw .Share}}">{{pct .Share}}</td><td class="n" data-v="{{.Failing}}">{{.Failing}} / {{.Sites}}</td></tr>{{end}}
<tr class="total"><td>路网 Network</td><td class="n" data-v="{{raw .NetworkKm}}">{{fixed .NetworkKm 2}}</td><td class="n">100.0</td><td class="n" data-v="{{.NFailing}}">{{.NFailing}} / {{.NSites}}</td></tr></tbody></table>
<h3>未达标重点部位（按档位） <span class="en">Key sites failing their tier</span></h3>
<div id="failing-sites">
{{range .Failing}}<table class="failing" data-tier="{{.Tier}}"><thead><tr><th colspan="5">{{.Tier}} 分钟档 {{.Tier}}-minute tier · 未达标 failing {{len .Sites}} / {{.Total}}</th></tr>
<tr><th>名称 Name</th><th>类别 Category</th><th class="n">最快到达 Fastest (min:s)</th><th>最近警务站 Nearest kiosk</th><th>原因 Reason</th></tr></thead><tbody>
{{range .Sites}}<tr data-site="{{.ID}}"><td>{{.Name}}</td><td>{{.Category}}</td><td class="n" data-v="{{secsRaw .Seconds}}">{{secs .Seconds}}</td><td>{{.Kiosk}}</td><td>{{.Reason}}</td></tr>
{{else}}<tr><td colspan="5" class="muted">全部达标 All reached in time</td></tr>{{end}}</tbody></table>
{{else}}<p class="muted">无重点部位 No key sites.</p>{{end}}
</div>
</section>

<section id="coverage" class="page">
<h2>天网覆盖与盲区 <span class="en">Camera coverage and gaps</span></h2>
<div class="kpis" id="coverage-total">
<div class="kpi"><b data-v="{{if .Total.RoadM}}{{raw (divide .Total.CoveredRoadM .Total.RoadM)}}{{end}}">{{if .Total.RoadM}}{{pct (divide .Total.CoveredRoadM .Total.RoadM)}}%{{else}}—{{end}}</b>街道覆盖 Streets watched</div>
<div class="kpi"><b data-v="{{if .Total.AreaM2}}{{raw (divide .Total.CoveredAreaM2 .Total.AreaM2)}}{{end}}">{{if .Total.AreaM2}}{{pct (divide .Total.CoveredAreaM2 .Total.AreaM2)}}%{{else}}—{{end}}</b>面积覆盖 Area watched</div>
<div class="kpi"><b data-v="{{if .Total.IncidentWeight}}{{raw (divide .Total.CoveredIncidentWeight .Total.IncidentWeight)}}{{end}}">{{if .Total.IncidentWeight}}{{pct (divide .Total.CoveredIncidentWeight .Total.IncidentWeight)}}%{{else}}—{{end}}</b>警情在视域内 Incidents in view</div>
<div class="kpi"><b data-v="{{.Total.Cameras}}">{{.Total.Cameras}}</b>网格内天网 Cameras in grids</div>
</div>
<div class="map-wrap">{{.Coverage}}
<div class="legend"><span><i class="sw" style="background:#d7191c;opacity:.55"></i>&lt;20%</span><span><i class="sw" style="background:#f07c4a;opacity:.55"></i>20–40%</span><span><i class="sw" style="background:#fdd46a;opacity:.55"></i>40–60%</span>
<span><i class="sw" style="background:#9bd068;opacity:.55"></i>60–80%</span><span><i class="sw" style="background:#1a9641;opacity:.55"></i>≥80% 街道覆盖 streets watched</span>
<span><i class="sw" style="background:repeating-linear-gradient(45deg,#8b0000 0 1px,#fff 1px 3px)"></i>盲区 Gap</span><span><i class="sw" style="background:#6a3fb0;opacity:.5"></i>视域 Camera view</span>
<span><i class="sw" style="background:#d7191c;height:1.2mm;border:0"></i>警情最多的无监控街道 Unwatched streets with most incidents</span></div></div>
</section>

<section id="grids-section" class="page">
<h2>网格明细 <span class="en">Per grid: cameras and response</span></h2>
<p class="muted">街道覆盖：网格内被天网视域覆盖的道路长度占比；{{range $i, $m := .Minutes}}{{if $i}}、{{end}}{{minutes $m}}{{end}} 分钟：从最近警务站可达的道路长度占比；合围：5分钟内可达网格中心的警务站数。
<span class="en">Streets watched: share of the grid's street length inside a camera view. Minutes: share of its road length reached from the nearest kiosk. Kiosks: kiosks reaching the grid's centre within the largest tier (≥ 2 is backup).</span> 红色 &lt; 20%.</p>
<table id="grids"><thead><tr><th>网格 Grid</th><th class="n">道路 Roads (km)</th><th class="n">天网 Cameras</th><th class="n">街道覆盖 Streets watched (%)</th>
{{range .Minutes}}<th class="n">{{minutes .}} 分钟 min (%)</th>{{end}}<th class="n">合围 Kiosks</th><th class="n">双站覆盖 Backup (%)</th></tr></thead>
<tbody>{{range .Grids}}<tr data-grid="{{.ID}}"><td>{{.Name}}</td><td class="n" data-v="{{raw .RoadKm}}">{{fixed .RoadKm 2}}</td><td class="n" data-v="{{.Cameras}}">{{.Cameras}}</td>
<td class="n cam{{if .CamLow}} low{{end}}" data-v="{{if .HasRoad}}{{raw .CamShare}}{{end}}">{{if .HasRoad}}{{pct .CamShare}}{{else}}—{{end}}</td>
{{$g := .}}{{range $k, $m := $.Minutes}}<td class="n reach{{if and $g.HasReach (lt (at $g.Reach $k) 0.2)}} low{{end}}" data-k="{{$k}}" data-v="{{if $g.HasReach}}{{raw (at $g.Reach $k)}}{{end}}">{{if $g.HasReach}}{{pct (at $g.Reach $k)}}{{else}}—{{end}}</td>{{end}}
<td class="n" data-v="{{.KiosksWithin}}">{{.KiosksWithin}}</td><td class="n" data-v="{{if .HasReach}}{{raw .Backup}}{{end}}">{{if .HasReach}}{{pct .Backup}}{{else}}—{{end}}</td></tr>
{{end}}</tbody></table>
</section>

{{with .Plan}}
<section id="plan" class="page">
<h2>巡逻计划 <span class="en">Patrol plan</span> {{.ID}}</h2>
<p>时段 Window <b>{{.Report.Window}}</b> · {{dayName .Report.Day}}</p>
<div class="kpis" id="plan-summary">
<div class="kpi"><b data-v="{{raw .CoveredPct}}">{{fixed .CoveredPct 1}}%</b>覆盖风险 Covered risk</div>
<div class="kpi"><b data-v="{{raw .BaselinePct}}">{{fixed .BaselinePct 1}}%</b>就近基线 Nearest-first baseline</div>
<div class="kpi"><b>{{.Report.PointsCover}} / {{.Report.Points}}</b>守点 Guard points</div>
<div class="kpi"><b>{{.Report.LinesCover}} / {{.Report.Lines}}</b>巡线 Patrol lines</div>
</div>
<div class="map-wrap">{{.Map}}
<div class="legend">{{range .Units}}<span><i class="sw" style="background:{{.Color}};height:1.2mm;border:0"></i>{{.Unit}}</span>{{end}}</div></div>
<table id="plan-hours"><thead><tr><th>小时 Hour</th><th class="n">风险 Risk</th><th class="n">覆盖 Covered (%)</th><th class="n">基线 Baseline (%)</th><th class="n">守点 Points</th><th class="n">巡线 Lines</th></tr></thead><tbody>
{{range .Report.Hours}}<tr><td>{{.Hour}}</td><td class="n" data-v="{{raw .Risk}}">{{fixed .Risk 2}}</td><td class="n" data-v="{{raw .CoveredPct}}">{{fixed .CoveredPct 1}}</td><td class="n" data-v="{{raw .BaselinePct}}">{{fixed .BaselinePct 1}}</td><td class="n">{{.Points}}</td><td class="n">{{.Lines}}</td></tr>{{end}}
</tbody></table>
<table id="plan-units"><thead><tr><th>单元 Unit</th><th>类型 Kind</th><th>出发 Leave</th><th>返回 Return</th><th class="n">停靠 Stops</th><th class="n">里程 km</th></tr></thead><tbody>
{{range .Units}}<tr><td>{{.Unit}}</td><td>{{.Kind}}</td><td>{{.Leave}}</td><td>{{.Return}}</td><td class="n">{{.Stops}}</td><td class="n">{{fixed .KM 1}}</td></tr>{{end}}
</tbody></table>
</section>
{{end}}
{{with .Scenario}}
<section id="scenario" class="page" data-scenario="{{.ID}}" data-version="{{.Version}}" data-base-revision="{{.BaseRevision}}">
<h2>方案对比 <span class="en">Scenario comparison</span> · <span id="scenario-name">{{.Name}}</span></h2>
<table id="scenario-meta"><tbody>
<tr><th>方案 Scenario</th><td>{{.Name}} <span class="muted">#{{.ID}} · 版本 version {{.Version}}</span></td><th>创建人 Owner</th><td id="scenario-owner">{{.Owner}}</td></tr>
<tr><th>更新于 Updated</th><td><time id="scenario-updated" datetime="{{.UpdatedISO}}">{{.Updated}}</time> <span class="muted">（创建于 created {{.Created}}）</span></td><th>对比基准 Compared with</th><td>现状 today, 工作区版本 revision {{.BaseRevision}}</td></tr>
<tr><th>快反圈 Rings</th><td>{{.Mode}} · {{range $i, $m := .Minutes}}{{if $i}}、{{end}}{{minutes $m}}{{end}} 分钟 min</td><th>巡逻时段 Patrol window</th><td>{{.Window}} · {{.Day}} · seed {{.Seed}}</td></tr>
</tbody></table>

<h3>方案改动 <span class="en">Edits</span> ({{len .Edits}})</h3>
<table id="scenario-edits"><thead><tr><th class="n">#</th><th>改动 Edit</th><th>详情 Details</th><th>状态 Status</th></tr></thead><tbody>
{{range .Edits}}<tr data-edit="{{.N}}" data-op="{{.Op}}" data-kind="{{.Kind}}"{{if .Lon}} data-lon="{{.Lon}}" data-lat="{{.Lat}}"{{end}}{{if .Dir}} data-dir="{{.Dir}}"{{end}}{{if .Stale}} class="stale"{{end}}><td class="n">{{.N}}</td><td class="what">{{.What}}</td><td>{{.Detail}}</td><td>{{if .Stale}}<b class="bad">已失效 Stale</b>：{{.StaleWhy}}{{else}}已应用 Applied{{end}}</td></tr>
{{else}}<tr><td colspan="4" class="muted">无改动 No edits: the scenario is today's workspace.</td></tr>{{end}}
</tbody></table>
{{if .Stale}}<div class="hint" id="scenario-stale"><b>{{len .Stale}} 项改动已失效，未计入对比 edit(s) no longer apply and are left out of the comparison</b>（记录在方案保存后被删除或修改；请重新编辑 the records were deleted or changed after the scenario was saved; redo them）：
<ul>{{range .Stale}}<li data-edit="{{.N}}" data-code="{{.Code}}">#{{.N}} {{.What}}: {{.Reason}}</li>{{end}}</ul></div>{{end}}

<h3>现状与方案 <span class="en">Today and the scenario</span></h3>
<table id="scenario-figures"><thead><tr><th>指标 Figure</th><th class="n">现状 Today</th><th class="n">方案 Scenario</th><th class="n">变化 Change</th></tr></thead><tbody>
{{range .Rows}}<tr data-row="{{.Key}}"{{if .Sub}} class="sub"{{end}}><th>{{.Label}}</th>
<td class="n" data-v="{{.Before.Raw}}">{{.Before.Text}}{{with .Before.Note}}<div class="note">{{.}}</div>{{end}}</td>
<td class="n" data-v="{{.After.Raw}}">{{.After.Text}}{{with .After.Note}}<div class="note">{{.}}</div>{{end}}</td>
<td class="n delta {{.Class}}" data-v="{{.Delta.Raw}}">{{.Delta.Text}}</td></tr>
{{end}}</tbody></table>
<p class="muted">变化 = 方案 − 现状；绿色更好，红色更差。 <span class="en">Change = scenario − today; green is better, red worse.</span></p>
{{if .SiteChanges}}<h3>重点部位变化 <span class="en">Key sites that start or stop failing</span></h3>
<table id="scenario-sites"><thead><tr><th>档位 Tier</th><th>名称 Name</th><th>类别 Category</th><th>变化 Change</th></tr></thead><tbody>
{{range .SiteChanges}}<tr data-site="{{.ID}}" data-tier="{{.Tier}}" data-change="{{if .Failing}}now_failing{{else}}now_ok{{end}}"><td>{{.Tier}} 分钟 min</td><td>{{.Name}}</td><td>{{.Category}}</td><td>{{if .Failing}}<b class="bad">新未达标 Now failing</b>{{else}}<b class="good">新达标 Now reached in time</b>{{end}}</td></tr>
{{end}}</tbody></table>{{end}}

<div class="scenario-maps">
<h3>地图 <span class="en">Maps</span> <span class="muted">· {{.Extent}}</span></h3>
<div class="pair">
<figure data-side="today">{{.Today}}<figcaption>现状 <span class="en">Today</span></figcaption></figure>
<figure data-side="scenario">{{.After}}<figcaption>方案 <span class="en">Scenario</span> · {{.Name}}</figcaption></figure>
</div>
{{with .RingsNote}}<p class="hint">{{.}}</p>{{end}}
<div class="legend">{{range $i, $m := .Minutes}}<span><i class="sw" style="background:{{ringColour $i}};opacity:.6"></i>{{minutes $m}} 分钟 min</span>{{end}}
<span><i class="dot" style="background:#e8590c;border:1.5px solid #1b1b1b"></i>新增/修改 Added or changed</span>
<span><i class="sw" style="background:#e8590c;opacity:.35"></i>新增视域 New camera view</span>
<span><i class="dot" style="background:#fff;border:1.5px dashed #667085"></i>原位置 Old place (moved)</span>
<span><i class="dot" style="background:#fff;border:1.5px dashed #667085;color:#d92d20;font-size:7pt;line-height:2.6mm;text-align:center">×</i>删除 Deleted</span>
<span><i class="dot" style="background:none;border:2px solid #d92d20"></i>未达标重点部位 Failing key site</span><span><i class="kio">警</i>警务站 Kiosk</span></div>
</div>
</section>
{{end}}

{{if .Notes}}<section id="notes"><h3>数据来源 <span class="en">Data sources</span></h3><ul class="muted">{{range .Notes}}<li>{{.}}</li>{{end}}</ul></section>{{end}}
</div>
</body></html>
`))

// ---------- route cards ----------

type cardStop struct {
	N              int
	Arrive, Depart string
	Task, ID       string
	Street         string
	Break          bool
}

type routeCard struct {
	N                       int
	Unit, Kind, Group       string
	Kiosk                   string
	Leave, Return, Duration string
	KM                      float64
	Color                   string
	Stops                   []cardStop
	Map                     template.HTML
	Link                    string
	QR                      template.URL
	State                   string // live, revoked, expired, none
	Expires                 string
}

type cardsData struct {
	PlanID, Window, Day, Printed string
	Paper                        string
	Cards                        []routeCard
}

// publicBase is the scheme and host volunteers reach the server at:
// Config.PublicURL, else the request's own (TLS or not, and its Host
// header). X-Forwarded-Proto and X-Forwarded-Host are not trusted (a
// client could set them to print someone else's host); behind a reverse
// proxy, set PublicURL.
func (s *Server) publicBase(r *http.Request) string {
	if u := strings.TrimRight(strings.TrimSpace(s.cfg.PublicURL), "/"); u != "" {
		return u
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

// cardTask names a stop on a card, short enough for an A5 line: 守点 P3,
// 巡线 L2, 休息 Break (the card's footer explains the two words in English).
func cardTask(s planner.Stop) string {
	switch s.Kind {
	case "point":
		return "守点 " + s.ID
	case "line":
		return "巡线 " + s.ID
	case "break":
		return "休息 Break"
	}
	return s.Kind + " " + s.ID
}

// QR code settings of the route cards: recovery level M (15 %: a card
// folded or a little smudged still scans) and 6 pixels per module, the
// quiet zone included.
const (
	cardQRLevel  = qrcode.Medium
	cardQRModule = 6
)

// qrDataURI returns text as a QR code PNG data: URI.
func qrDataURI(text string) (template.URL, error) {
	q, err := qrcode.New(text, cardQRLevel)
	if err != nil {
		return "", err
	}
	png, err := q.PNG(-cardQRModule)
	if err != nil {
		return "", err
	}
	return template.URL("data:image/png;base64," + base64.StdEncoding.EncodeToString(png)), nil
}

// routeCards serves GET /api/v1/plans/{id}/cards: one printable card per
// unit (A5 by default, ?paper=a4), each on its own page.
func (s *Server) routeCards(w http.ResponseWriter, r *http.Request) {
	paper := strings.ToUpper(r.URL.Query().Get("paper"))
	switch paper {
	case "":
		paper = "A5"
	case "A4", "A5":
	default:
		Error(w, r, planner.Errorf(planner.EINVALID, "paper %q: want a4 or a5", r.URL.Query().Get("paper")))
		return
	}
	p, err := s.lookupPlan(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	links, err := s.planShares(r)
	if err != nil {
		Error(w, r, err)
		return
	}
	id := chi.URLParam(r, "id")
	states := s.shareStates(r, id, links)
	idx := s.idx.Load()
	kiosks := map[int64]string{}
	for _, k := range idx.WS.Kiosks {
		kiosks[k.ID] = k.Name
	}
	streets := planStreets(p)
	base := s.publicBase(r)
	d := cardsData{PlanID: id, Window: p.Report.Window, Day: p.Report.Day, Printed: time.Now().Format("2006-01-02 15:04"), Paper: paper}
	mapW, mapH := 520.0, 250.0
	if paper == "A4" {
		mapW, mapH = 720, 380
	}
	for i, u := range p.Units {
		c := routeCard{N: i + 1, Unit: u.Unit, Kind: string(u.Kind), Group: u.Group, Kiosk: kiosks[u.KioskID],
			Leave: u.Leave, Return: u.Return, Duration: hoursMinutes(u.DurationS), KM: u.DistanceM / 1000,
			Color: kml.UnitRGB[i%len(kml.UnitRGB)], State: "none"}
		if n, ok := unitKindNames[u.Kind]; ok {
			c.Kind = n
		}
		if c.Kiosk == "" {
			c.Kiosk = "警务站 Kiosk " + strconv.FormatInt(u.KioskID, 10)
		}
		for k, st := range u.Stops {
			c.Stops = append(c.Stops, cardStop{N: k + 1, Arrive: st.Arrive, Depart: st.Depart, Task: cardTask(st), ID: st.ID,
				Street: streets[st.ID], Break: st.Kind == "break"})
		}
		if len(u.Path) >= 2 {
			c.Map = routeSVG(idx, p, i, mapW, mapH)
		}
		if i < len(links) {
			l := links[i]
			c.Link = base + l.URL
			c.Expires = l.Expires.Local().Format("2006-01-02 15:04")
			switch states[i] {
			case shareRevoked:
				c.State = "revoked"
			case shareExpired:
				c.State = "expired"
			default:
				c.State = "live"
				if c.QR, err = qrDataURI(c.Link); err != nil {
					Error(w, r, err)
					return
				}
			}
		}
		d.Cards = append(d.Cards, c)
	}
	var buf bytes.Buffer
	if err := cardsPage.Execute(&buf, d); err != nil {
		Error(w, r, err)
		return
	}
	writeHTML(w, buf.Bytes())
}

var cardsPage = template.Must(template.New("cards").Funcs(pageFuncs).Parse(`<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>路线卡 Route cards · {{.PlanID}}</title>
<style>` + pageCSS + `
@page{size:{{.Paper}};margin:8mm}
.card{background:#fff;margin:12px auto;padding:8mm;box-shadow:0 1px 4px rgba(0,0,0,.2);max-width:{{if eq .Paper "A4"}}210mm{{else}}148mm{{end}}}
.card-head{display:flex;gap:4mm;justify-content:space-between;align-items:flex-start;border-left:3mm solid;padding-left:3mm;margin-bottom:2mm}
.card-main{flex:1 1 auto;min-width:0}
.card-head h2{border:0;margin:0;padding:0;font-size:16pt;color:#14305a}
.kicker{font-size:8.5pt;color:#52606d;letter-spacing:.04em}
.facts{display:grid;grid-template-columns:repeat(3,auto);gap:.5mm 4mm;margin:2mm 0 0;font-size:9pt;justify-content:start}
.facts dt{color:#52606d;font-size:8pt}
.facts dd{margin:0;font-weight:600}
.qr{text-align:center;font-size:6.5pt;line-height:1.3;color:#52606d;width:30mm;flex:none}
.qr img{width:28mm;height:28mm;image-rendering:pixelated;display:block;margin:0 auto}
.qr .link{word-break:break-all;font-family:monospace;font-size:6pt;color:#1b2733}
table.stops{font-size:8.5pt;margin:2mm 0 1mm}
table.stops th,table.stops td{padding:.5mm 1.4mm}
.revoked{border:2px solid #d92d20;color:#d92d20;font-weight:700;font-size:12pt;padding:6mm 2mm;text-align:center}
svg.route-map{width:100%;height:auto;max-height:{{if eq .Paper "A4"}}110mm{{else}}56mm{{end}};border:1px solid #c9d1da;display:block;background:#f7f8fa}
table.stops td.done{width:8mm}
tr.break td{background:#f4f6f8;color:#52606d}
.foot{font-size:7pt;color:#52606d;margin-top:1mm}
@media print{.card{margin:0;padding:0;box-shadow:none;max-width:none;break-after:page}.card:last-child{break-after:auto}}
</style></head><body>
<p class="hint screen-only" style="max-width:148mm;margin:12px auto">按 Ctrl+P 打印（{{.Paper}}，每单元一页）。 Press Ctrl+P to print ({{.Paper}}, one page per unit).</p>
{{range .Cards}}
<article class="card" data-unit="{{.Unit}}" data-state="{{.State}}">
<div class="card-head" style="border-color:{{.Color}}">
<div class="card-main"><div class="kicker">巡逻路线卡 PATROL ROUTE CARD · {{$.PlanID}} · {{.N}}/{{len $.Cards}}</div>
<h2 class="unit">{{.Unit}}</h2><div>{{.Kind}}{{with .Group}} · {{.}}{{end}} · {{.Kiosk}}</div>
<dl class="facts">
<div><dt>时段 Window</dt><dd>{{$.Window}}</dd></div>
<div><dt>出发 Leave</dt><dd class="leave">{{.Leave}}</dd></div>
<div><dt>返回 Return</dt><dd class="return">{{.Return}}</dd></div>
<div><dt>里程 Distance</dt><dd>{{fixed .KM 1}} km</dd></div>
<div><dt>时长 Duration</dt><dd>{{.Duration}}</dd></div>
<div><dt>停靠 Stops</dt><dd>{{len .Stops}}</dd></div>
</dl></div>
<div class="qr">{{if eq .State "live"}}<img class="qr-code" src="{{.QR}}" alt="二维码 QR code: {{.Link}}" data-link="{{.Link}}">
<div>扫码看路线 Scan for the route · 有效至 valid until {{.Expires}}</div><div class="link">{{.Link}}</div>
{{else if eq .State "revoked"}}<div class="revoked">已撤销 revoked</div><div>链接已撤销，请向指挥员索取新链接。 The link was revoked; ask the commander for a new one.</div>
{{else if eq .State "expired"}}<div class="revoked">已过期 expired</div><div>{{.Expires}}</div>
{{else}}<div class="muted">无分享链接 No share link</div>{{end}}</div>
</div>
{{.Map}}
<table class="stops"><thead><tr><th class="n">#</th><th>到达 Arrive</th><th>离开 Depart</th><th>任务 Task</th><th>街道 Street</th><th>✓</th></tr></thead><tbody>
{{range .Stops}}<tr class="stop{{if .Break}} break{{end}}"><td class="n">{{.N}}</td><td class="arrive">{{.Arrive}}</td><td class="depart">{{.Depart}}</td><td>{{.Task}}</td><td class="street">{{.Street}}</td><td class="done"></td></tr>
{{else}}<tr><td colspan="6" class="muted">今晚无任务 No stops tonight</td></tr>{{end}}
</tbody></table>
<div class="foot">守点 = 在该点停留巡守 guard point (stay) · 巡线 = 沿街巡逻 patrol line (walk or drive the street) · 到达后在 ✓ 栏打勾 tick ✓ at each stop<br>打印于 Printed {{$.Printed}} · 路线仅供本单元使用，请勿外传 For this unit only</div>
</article>
{{end}}
</body></html>
`))
