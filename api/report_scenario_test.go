package api

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// rsAt is reportWorkspace's position x, y blocks (200 m) east and north of
// its south-west corner.
func rsAt(x, y float64) geo.Point {
	return geo.NewProjection(geo.Point{Lon: 114.30, Lat: 30.59}).Inverse(geo.XY{X: x * 200, Y: y * 200})
}

// rsScenario saves a scenario over reportWorkspace's server as the planner:
// two cameras on streets, a kiosk beside the failing station, the second
// kiosk deleted, the first camera moved and a patrol car added. It
// returns the scenario's id and the ids of the first camera and the
// deleted kiosk.
func rsScenario(t *testing.T, ts *testSrv) (id, cam, kiosk int64) {
	t.Helper()
	ws := ts.srv.idx.Load().WS
	cam = ws.Cameras[0].ID
	for _, k := range ws.Kiosks {
		if strings.HasPrefix(k.Name, "东") {
			kiosk = k.ID
		}
	}
	if cam == 0 || kiosk == 0 {
		t.Fatalf("camera %d, kiosk %d", cam, kiosk)
	}
	c1, c2, k, mv := rsAt(3, 0.5), rsAt(1.5, 4), rsAt(4.5, 0), rsAt(0.5, 1)
	body := scBodyJSON("新增2个摄像头和1个警务站",
		fmt.Sprintf(`{"op":"create","kind":"camera","name":"新天网1","lon":%.7f,"lat":%.7f,"direction_deg":0}`, c1.Lon, c1.Lat),
		fmt.Sprintf(`{"op":"create","kind":"camera","lon":%.7f,"lat":%.7f,"direction_deg":90}`, c2.Lon, c2.Lat),
		fmt.Sprintf(`{"op":"create","kind":"kiosk","name":"南门警务站","lon":%.7f,"lat":%.7f,"staff":3}`, k.Lon, k.Lat),
		fmt.Sprintf(`{"op":"delete","kind":"kiosk","id":%d}`, kiosk),
		fmt.Sprintf(`{"op":"update","kind":"camera","id":%d,"lon":%.7f,"lat":%.7f}`, cam, mv.Lon, mv.Lat),
		`{"op":"create","kind":"unit","name":"巡逻车1","unit_kind":"car","home_kiosk":1,"shifts":["22:00-02:00"]}`)
	rec, _ := ts.doAs(t, planner.RolePlanner, "POST", "/api/v1/scenarios", body)
	if rec.Code != http.StatusCreated {
		t.Fatalf("POST scenario: %d %s", rec.Code, rec.Body)
	}
	return scDecode[scenarioJSON](t, rec.Body.Bytes()).ID, cam, kiosk
}

// scenarioRows are the rows of the report's comparison table: key → the
// data-v of today, the scenario and the change.
func scenarioRows(t *testing.T, page string) (map[string][]string, []string) {
	t.Helper()
	rows := map[string][]string{}
	var keys []string
	for _, r := range rowsOf(tableOf(t, page, "scenario-figures")) {
		m := regexp.MustCompile(`data-row="([^"]+)"`).FindStringSubmatch(r.attrs)
		if m == nil || len(r.vals) != 3 {
			t.Fatalf("figure row %q: values %q", r.attrs, r.vals)
		}
		rows[m[1]] = r.vals
		keys = append(keys, m[1])
	}
	return rows, keys
}

// wantScenarioRows are the comparison's figures as the report's table
// should hold them (nil: null, an empty data-v).
func wantScenarioRows(c *planner.Comparison) map[string][3]*float64 {
	f := func(v float64) *float64 { return &v }
	n := func(v int) *float64 { return f(float64(v)) }
	b, a, d := c.Before, c.After, c.Delta
	want := map[string][3]*float64{
		"cameras":     {n(b.Cameras), n(a.Cameras), n(d.Cameras)},
		"coverage":    {f(b.Coverage.Share), f(a.Coverage.Share), f(d.Coverage.Share)},
		"coverage_km": {f(b.Coverage.CoveredRoadKm), f(a.Coverage.CoveredRoadKm), f(d.Coverage.CoveredRoadKm)},
		"kiosks":      {n(b.Kiosks), n(a.Kiosks), n(d.Kiosks)},
		"failing":     {n(b.Sites.Failing), n(a.Sites.Failing), n(d.Failing)},
		"patrol":      {b.Patrol.CoveredShare, a.Patrol.CoveredShare, d.Patrol.CoveredShare},
		"patrol_risk": {b.Patrol.CoveredRisk, a.Patrol.CoveredRisk, d.Patrol.CoveredRisk},
		"units":       {n(b.Units), n(a.Units), n(d.Units)},
	}
	for i, ta := range a.Response.Tiers {
		m := strconv.FormatFloat(ta.Minutes, 'f', -1, 64)
		tb, td := b.Response.Tiers[i], d.Tiers[i]
		want["tier"+m] = [3]*float64{f(tb.Share), f(ta.Share), f(td.Share)}
		want["tier"+m+"_km"] = [3]*float64{f(tb.RoadKm), f(ta.RoadKm), f(td.RoadKm)}
	}
	failing := func(fg *planner.Figures, tier int) int {
		for _, x := range fg.Sites.Tiers {
			if x.TierMin == tier {
				return x.Failing
			}
		}
		return 0
	}
	for _, sd := range d.Sites {
		want[fmt.Sprintf("failing%d", sd.TierMin)] = [3]*float64{n(failing(b, sd.TierMin)), n(failing(a, sd.TierMin)), n(sd.Failing)}
	}
	return want
}

// checkScenarioFigures compares the report's comparison table with the
// comparison the API answered, exactly.
func checkScenarioFigures(t *testing.T, page string, c *planner.Comparison) {
	t.Helper()
	got, keys := scenarioRows(t, page)
	want := wantScenarioRows(c)
	var wk []string
	for k := range want {
		wk = append(wk, k)
	}
	sort.Strings(wk)
	gk := slices.Clone(keys)
	sort.Strings(gk)
	if fmt.Sprint(gk) != fmt.Sprint(wk) {
		t.Fatalf("figure rows %v, want %v", keys, wk)
	}
	for k, w := range want {
		for i, side := range []string{"today", "scenario", "change"} {
			what := k + " " + side
			switch {
			case w[i] == nil && got[k][i] != "":
				t.Errorf("%s: report %q, API null", what, got[k][i])
			case w[i] != nil && got[k][i] == "":
				t.Errorf("%s: report empty, API %v", what, *w[i])
			case w[i] != nil:
				same(t, what, got[k][i], *w[i])
			}
		}
	}
}

func TestReportScenarioMatchesCompare(t *testing.T) {
	ts := newTestServer(t, reportWorkspace(t), Config{})
	id, cam, kiosk := rsScenario(t, ts)
	// Someone changes the stored camera the scenario moves: that edit goes stale.
	ws := ts.srv.idx.Load().WS
	moved := ws.Cameras[0]
	moved.RangeM = 70
	if _, _, err := ts.store.ApplyEdits(context.Background(), []planner.Edit{{Op: planner.OpUpdate, Kind: planner.KindCamera, ID: cam, Version: moved.Version, Camera: &moved}}); err != nil {
		t.Fatal(err)
	}
	ts.srv.SetWorkspace(ts.stored(t))
	rec, _ := ts.do(t, "GET", fmt.Sprintf("/api/v1/scenarios/%d", id), "")
	sc := scDecode[scenarioJSON](t, rec.Body.Bytes())

	for _, q := range []string{"", "&mode=foot&minutes=2,4&window=21:00-01:00&day=fri&seed=3"} {
		// The report first: the comparison it prints is the one /compare then answers from the cache.
		page := getHTML(t, ts, planner.RoleViewer, fmt.Sprintf("/report?scenario=%d%s", id, q))
		rec, _ := ts.doAs(t, planner.RoleViewer, "GET", fmt.Sprintf("/api/v1/scenarios/%d/compare?x=1%s", id, q), "")
		if rec.Code != 200 {
			t.Fatalf("compare%s: %d %s", q, rec.Code, rec.Body)
		}
		if st := rec.Header().Get("Server-Timing"); !strings.Contains(st, `desc="hit"`) {
			t.Errorf("compare%s after the report: Server-Timing %q, want the report's comparison from the cache", q, st)
		}
		c := scDecode[planner.Comparison](t, rec.Body.Bytes())
		if c.Delta.Cameras != 2 || c.Delta.Kiosks != 0 || c.After.Units != 1 || len(c.Stale) != 1 || c.Stale[0].Edit != 5 {
			t.Fatalf("comparison%s: %s", q, rec.Body)
		}
		noExternalURL(t, "scenario report"+q, page)
		if !strings.Contains(page, `<section id="scenario" class="page"`) || !strings.Contains(page, "#scenario{break-before:page;break-after:page}") {
			t.Errorf("report%s: no scenario section on its own pages", q)
		}
		checkScenarioFigures(t, page, &c)

		// Name, owner, updated time.
		if !strings.Contains(page, `<span id="scenario-name">新增2个摄像头和1个警务站</span>`) || !strings.Contains(page, `<td id="scenario-owner">planner</td>`) ||
			!strings.Contains(page, sc.Updated.Local().Format("2006-01-02 15:04")) {
			t.Errorf("report%s: scenario name, owner or updated time missing", q)
		}

		// The edits in words, each with its exact position.
		er := regexp.MustCompile(`(?s)<tr data-edit="(\d+)" data-op="(\w+)" data-kind="(\w+)"([^>]*)>(.*?)</tr>`).FindAllStringSubmatch(tableOf(t, page, "scenario-edits"), -1)
		if len(er) != len(sc.Edits) {
			t.Fatalf("report%s lists %d edits, want %d", q, len(er), len(sc.Edits))
		}
		texts := make([]string, len(er))
		for i, m := range er {
			e := sc.Edits[i]
			texts[i] = html.UnescapeString(tagRe.ReplaceAllString(m[5], " "))
			if m[1] != strconv.Itoa(i+1) || m[2] != e.Op || m[3] != e.Kind {
				t.Errorf("edit row %d: %q %q %q, want %s %s", i+1, m[1], m[2], m[3], e.Op, e.Kind)
			}
			if e.Lon != nil && e.Op == "create" {
				lon := regexp.MustCompile(`data-lon="([^"]+)" data-lat="([^"]+)"`).FindStringSubmatch(m[4])
				if lon == nil {
					t.Errorf("edit %d has no data-lon", i+1)
					continue
				}
				same(t, "edit lon", lon[1], *e.Lon)
				same(t, "edit lat", lon[2], *e.Lat)
			}
		}
		for i, want := range []string{
			"新增摄像头 New camera", "「新天网1」", "朝向 facing 0°", "固定 Fixed",
		} {
			if !strings.Contains(texts[0], want) {
				t.Errorf("edit 1 (%d) %q lacks %q", i, texts[0], want)
			}
		}
		if !strings.Contains(texts[1], "朝向 facing 90°") || !strings.Contains(texts[2], "新增警务站 New kiosk") || !strings.Contains(texts[2], "「南门警务站」") ||
			!strings.Contains(texts[3], fmt.Sprintf("删除警务站 Delete kiosk #%d", kiosk)) || !strings.Contains(texts[3], "「东<b>站</b> & \"K2\"」") ||
			!strings.Contains(texts[4], fmt.Sprintf("移动摄像头 Move camera #%d", cam)) || !strings.Contains(texts[5], "新增巡逻单位 New patrol unit") {
			t.Errorf("edits in words:\n%s", strings.Join(texts, "\n"))
		}
		if strings.Contains(page, "东<b>站") {
			t.Error("kiosk name not escaped")
		}
		// The stale edit, with its reason.
		if !strings.Contains(er[4][4], `class="stale"`) || !strings.Contains(texts[4], "已失效 Stale") {
			t.Errorf("edit 5 not marked stale: %q", texts[4])
		}
		stale := regexp.MustCompile(`(?s)<div class="hint" id="scenario-stale">(.*?)</div>`).FindStringSubmatch(page)
		if stale == nil || !strings.Contains(stale[1], `<li data-edit="5" data-code="conflict">`) || !strings.Contains(html.UnescapeString(stale[1]), c.Stale[0].Reason) {
			t.Errorf("stale edits not listed with their reason: %v", stale)
		}

		// Key sites that start or stop failing, as the comparison's delta.
		var want, got []string
		for _, sd := range c.Delta.Sites {
			for _, s := range sd.NowOK {
				want = append(want, fmt.Sprintf("%d/%d/now_ok", sd.TierMin, s))
			}
			for _, s := range sd.NowFailing {
				want = append(want, fmt.Sprintf("%d/%d/now_failing", sd.TierMin, s))
			}
		}
		if strings.Contains(page, `<table id="scenario-sites"`) {
			for _, m := range regexp.MustCompile(`<tr data-site="(\d+)" data-tier="(\d+)" data-change="(\w+)"`).FindAllStringSubmatch(tableOf(t, page, "scenario-sites"), -1) {
				got = append(got, m[2]+"/"+m[1]+"/"+m[3])
			}
		}
		sort.Strings(want)
		sort.Strings(got)
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("site changes %v, want %v", got, want)
		}
		if q == "" && len(want) == 0 {
			t.Error("the kiosk by the station changes no key site")
		}

		// Two maps side by side: the scenario's new cameras and kiosk highlighted, the deleted kiosk ghosted, rings on both.
		maps := regexp.MustCompile(`(?s)<figure data-side="(\w+)"><svg class="map scenario-map"(.*?)</svg>`).FindAllStringSubmatch(page, -1)
		if len(maps) != 2 || maps[0][1] != "today" || maps[1][1] != "scenario" {
			t.Fatalf("scenario maps: %d", len(maps))
		}
		if n := strings.Count(maps[1][2], `<g class="added">`); n != 3 {
			t.Errorf("scenario map highlights %d records, want 3", n)
		}
		if n := strings.Count(maps[1][2], `class="deleted"`); n != 1 {
			t.Errorf("scenario map crosses out %d records, want 1", n)
		}
		if strings.Contains(maps[0][2], `class="added"`) || strings.Contains(maps[0][2], `class="ghost"`) {
			t.Error("today's map marks the scenario's edits")
		}
		for i, m := range maps {
			if !strings.Contains(m[2], `fill="`+svgRings[0]+`" fill-opacity="0.3"`) {
				t.Errorf("map %d has no rings", i)
			}
		}
		if n := strings.Count(page, `<svg class="map`); n != 5 {
			t.Errorf("%d maps in the report with a scenario, want 5", n)
		}
	}
}

// The comparison computed by /compare first is the one the report prints.
func TestReportScenarioAfterCompare(t *testing.T) {
	ts := newTestServer(t, reportWorkspace(t), Config{})
	id, _, _ := rsScenario(t, ts)
	q := "&window=20:00-23:00"
	rec, _ := ts.do(t, "GET", fmt.Sprintf("/api/v1/scenarios/%d/compare?x=1%s", id, q), "")
	if rec.Code != 200 || !strings.Contains(rec.Header().Get("Server-Timing"), `desc="miss"`) {
		t.Fatalf("compare: %d %s %s", rec.Code, rec.Header().Get("Server-Timing"), rec.Body)
	}
	c := scDecode[planner.Comparison](t, rec.Body.Bytes())
	page := getHTML(t, ts, planner.RoleViewer, fmt.Sprintf("/report?scenario=%d%s", id, q))
	checkScenarioFigures(t, page, &c)
	if !strings.Contains(page, "20:00-23:00") {
		t.Error("the report does not name the patrol window")
	}
	// Without units today, the patrol figure is the comparison's note.
	rows, _ := scenarioRows(t, page)
	if rows["patrol"][0] != "" || rows["patrol"][1] == "" || rows["patrol"][2] != "" {
		t.Errorf("patrol row %q", rows["patrol"])
	}
	if !strings.Contains(page, "无巡逻单位，未排班 No patrol units") {
		t.Error("no note for the missing units")
	}
}

func TestReportScenarioErrors(t *testing.T) {
	ts := newTestServer(t, reportWorkspace(t), Config{})
	id, _, _ := rsScenario(t, ts)
	for url, code := range map[string]int{
		"/report?scenario=999": http.StatusNotFound,
		"/report?scenario=abc": http.StatusBadRequest,
		"/report?scenario=0":   http.StatusBadRequest,
		"/report?scenario=":    http.StatusBadRequest,
		"/report?scenario=-3":  http.StatusBadRequest,
		fmt.Sprintf("/report?scenario=%d&window=25:00-02:00", id): http.StatusBadRequest,
		fmt.Sprintf("/report?scenario=%d&kiosk=1", id):            http.StatusBadRequest,
		fmt.Sprintf("/report?scenario=%d&day=someday", id):        http.StatusBadRequest,
		fmt.Sprintf("/report?scenario=%d", id):                    http.StatusOK,
	} {
		if rec, _ := ts.doAs(t, planner.RoleViewer, "GET", url, ""); rec.Code != code {
			t.Errorf("GET %s: %d, want %d (%s)", url, rec.Code, code, rec.Body)
		}
	}
	// A scenario without edits: today twice, over the whole area.
	rec, _ := ts.doAs(t, planner.RolePlanner, "POST", "/api/v1/scenarios", scBodyJSON("空方案"))
	if rec.Code != http.StatusCreated {
		t.Fatalf("POST: %d %s", rec.Code, rec.Body)
	}
	empty := scDecode[scenarioJSON](t, rec.Body.Bytes()).ID
	page := getHTML(t, ts, planner.RoleViewer, fmt.Sprintf("/report?scenario=%d", empty))
	if !strings.Contains(page, "无改动 No edits") || !strings.Contains(page, "全辖区 The whole area") {
		t.Error("an empty scenario's section")
	}
	rows, _ := scenarioRows(t, page)
	if rows["cameras"][2] != "0" || rows["coverage"][0] != rows["coverage"][1] {
		t.Errorf("empty scenario rows %v", rows)
	}
}

func TestReportSigned(t *testing.T) {
	for _, c := range []struct {
		v    float64
		d    int
		want string
	}{{2, 0, "+2"}, {-1.54, 1, "−1.5"}, {0, 1, "0"}, {-0.0042, 2, "−0.004"}, {1e-9, 1, "0"}, {0.00049, 1, "+0.0005"}} {
		if got := signed(c.v, c.d); got != c.want {
			t.Errorf("signed(%v, %d) = %q, want %q", c.v, c.d, got, c.want)
		}
	}
	if got := points(-0.00001234); got != "−0.001 个百分点 pp" {
		t.Errorf("points: %q", got)
	}
}
