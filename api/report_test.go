package api

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"html"
	"image/png"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	qrcode "github.com/skip2/go-qrcode"

	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// reportWorkspace is a 6×6 street grid of 200 m blocks (36 km/h, 20 s a
// block) cut into nine 400 m grids, two kiosks (one with a name that needs
// escaping), six cameras, a school and a station (tier 1, far from both
// kiosks) and thirty late-evening incidents along the east-west streets.
func reportWorkspace(t *testing.T) *planner.Workspace {
	t.Helper()
	o := geo.Point{Lon: 114.30, Lat: 30.59}
	pr := geo.NewProjection(o)
	at := func(x, y float64) geo.Point { return pr.Inverse(geo.XY{X: x * 200, Y: y * 200}) }
	id := func(i, j int) int64 { return int64(1000 + 10*i + j) }
	var roads []planner.Road
	add := func(i, j, i2, j2 int) {
		ls := geo.LineString{at(float64(i), float64(j)), at(float64(i2), float64(j2))}
		tr := planner.Travel{Forward: 20, Backward: 20}
		name := fmt.Sprintf("路%d", j)
		if i == i2 {
			name = fmt.Sprintf("街%d", i)
		}
		roads = append(roads, planner.Road{WayID: int64(1 + j), From: id(i, j), To: id(i2, j2), Geometry: ls, Highway: "residential", Name: name,
			LengthM: ls.Length(), Travel: [planner.NumModes]planner.Travel{tr, tr, {Forward: 144, Backward: 144}}})
	}
	for i := range 6 {
		for j := range 6 {
			if i < 5 {
				add(i, j, i+1, j)
			}
			if j < 5 {
				add(i, j, i, j+1)
			}
		}
	}
	var cams []planner.Camera
	for k, p := range [][2]float64{{0.5, 0}, {1, 2.5}, {2.5, 2}, {3, 3.5}, {4.5, 4}, {2, 2}} {
		c := planner.Camera{Name: fmt.Sprintf("天网%d", k+1), Location: at(p[0], p[1]), Kind: planner.CameraDome, FOVDeg: 360, RangeM: 60, Source: "test"}
		if k%2 == 1 {
			c.Kind, c.DirectionDeg, c.FOVDeg, c.RangeM = planner.CameraFixed, 90, 60, 80
		}
		cams = append(cams, c)
	}
	var inc []planner.Incident
	for i := range 30 {
		inc = append(inc, planner.Incident{Weight: 1, Location: at(float64(i%6)+0.5, float64(i/6)), Category: "theft",
			Time: time.Date(2026, 11, 20, 22, 3*i%60, 0, 0, time.UTC), Source: "test"})
	}
	ws, _, err := planner.Assemble(context.Background(), planner.Parts{Name: `测试辖区 <b>&`, Roads: roads,
		Kiosks: []planner.Kiosk{{Name: "K1", Location: at(0, 0), Staff: 4, Source: "test"}, {Name: `东<b>站</b> & "K2"`, Location: at(5, 5), Staff: 2, Source: "test"}},
		Sites: []planner.Site{{Name: "小学", Category: planner.SiteSchool, Location: at(2, 3), Tier: 3, Source: "test"},
			{Name: "<车站>", Category: planner.SiteStation, Location: at(5, 0), Tier: 1, Source: "test"}},
		Cameras:   cams,
		Incidents: inc,
	}, planner.AssembleOptions{GridSizeM: 400})
	if err != nil {
		t.Fatal(err)
	}
	return ws
}

// rowsOf returns the rows of <table id=id> (or of every table with class
// id when id starts with "."): each row's attributes and its cells' data-v
// values (html-unescaped), in order.
type htmlRow struct {
	attrs string
	vals  []string
	text  string
}

var (
	trRe    = regexp.MustCompile(`(?s)<tr([^>]*)>(.*?)</tr>`)
	dataVRe = regexp.MustCompile(`<(?:td|b)[^>]*data-v="([^"]*)"`)
	tagRe   = regexp.MustCompile(`<[^>]*>`)
)

func tableOf(t *testing.T, page, id string) string {
	t.Helper()
	start := strings.Index(page, `<table id="`+id+`"`)
	if start < 0 {
		t.Fatalf("no table #%s", id)
	}
	end := strings.Index(page[start:], "</table>")
	return page[start : start+end]
}

func rowsOf(table string) []htmlRow {
	var out []htmlRow
	for _, m := range trRe.FindAllStringSubmatch(table, -1) {
		r := htmlRow{attrs: m[1], text: html.UnescapeString(tagRe.ReplaceAllString(m[2], " "))}
		for _, v := range dataVRe.FindAllStringSubmatch(m[2], -1) {
			r.vals = append(r.vals, html.UnescapeString(v[1]))
		}
		if len(r.vals) > 0 {
			out = append(out, r)
		}
	}
	return out
}

func fv(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		t.Fatalf("data-v %q: %v", s, err)
	}
	return v
}

// same compares a data-v value with the API's JSON number exactly.
func same(t *testing.T, what, got string, want float64) {
	t.Helper()
	if fv(t, got) != want {
		t.Errorf("%s: report %s, API %v", what, got, want)
	}
}

func getHTML(t *testing.T, ts *testSrv, role planner.Role, url string) string {
	t.Helper()
	rec, _ := ts.doAs(t, role, "GET", url, "")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d %s", url, rec.Code, rec.Body)
	}
	if ct := rec.Header().Get("Content-Type"); ct != "text/html; charset=utf-8" {
		t.Fatalf("GET %s: Content-Type %q", url, ct)
	}
	if cc := rec.Header().Get("Cache-Control"); cc != "no-store" {
		t.Errorf("GET %s: Cache-Control %q", url, cc)
	}
	return rec.Body.String()
}

// noExternalURL fails when page names any http(s) URL but the allowed ones.
func noExternalURL(t *testing.T, what, page string, allowed ...string) {
	t.Helper()
	for _, a := range allowed {
		page = strings.ReplaceAll(page, a, "")
	}
	for _, bad := range []string{"http://", "https://", "//cdn", "@import", "url(http"} {
		if i := strings.Index(page, bad); i >= 0 {
			t.Errorf("%s refers to another host: %q", what, page[max(0, i-60):min(len(page), i+60)])
		}
	}
}

func TestReportMatchesTheAPI(t *testing.T) {
	ts := newTestServer(t, reportWorkspace(t), Config{})
	for _, q := range []string{"", "?mode=foot&minutes=2,4&hours=22,23"} {
		page := getHTML(t, ts, planner.RoleViewer, "/report"+q)
		noExternalURL(t, "report"+q, page)
		if !strings.Contains(page, "测试辖区 &lt;b&gt;&amp;") || strings.Contains(page, "<b>&") {
			t.Errorf("workspace name not escaped")
		}
		for _, sec := range []string{`id="overview"`, `id="response"`, `id="coverage"`, `id="grids-section"`, "@page{size:A4", "break-before:page"} {
			if !strings.Contains(page, sec) {
				t.Errorf("report%s lacks %s", q, sec)
			}
		}
		if n := strings.Count(page, `<svg class="map"`); n != 3 {
			t.Errorf("report%s has %d maps, want 3", q, n)
		}

		// Counts, as /api/v1/meta.
		_, meta := ts.get(t, "/api/v1/meta")
		counts := meta["counts"].(map[string]any)
		cr := rowsOf(tableOf(t, page, "counts"))
		if len(cr) != 1 || len(cr[0].vals) != 6 {
			t.Fatalf("counts rows %+v", cr)
		}
		for i, k := range []string{"road_km", "grids", "cameras", "kiosks", "incidents", "sites"} {
			same(t, "count "+k, cr[0].vals[i], counts[k].(float64))
		}

		// Tiers, failing sites and per-grid reach, as /api/v1/response.
		rq := "?mode=car"
		if q != "" {
			rq = "?mode=foot&minutes=2,4"
		}
		_, resp := ts.get(t, "/api/v1/response"+rq)
		tiers := resp["tiers"].([]any)
		tr := rowsOf(tableOf(t, page, "tiers"))
		if len(tr) != len(tiers)+1 {
			t.Fatalf("tier rows %d, want %d", len(tr), len(tiers)+1)
		}
		for i, x := range tiers {
			m := x.(map[string]any)
			same(t, "tier road_km", tr[i].vals[0], m["road_km"].(float64))
			same(t, "tier share", tr[i].vals[1], m["share"].(float64))
		}
		same(t, "network km", tr[len(tiers)].vals[0], resp["network_km"].(float64))
		same(t, "failing sites", tr[len(tiers)].vals[1], resp["failing_sites"].(float64))
		failing := map[string]bool{}
		for _, x := range resp["sites"].([]any) {
			m := x.(map[string]any)
			if !m["ok"].(bool) {
				failing[fmt.Sprintf("%v/%v", m["tier"], m["site_id"])] = true
			}
		}
		got := map[string]bool{}
		for _, m := range regexp.MustCompile(`(?s)<table class="failing" data-tier="(\d+)">(.*?)</table>`).FindAllStringSubmatch(page, -1) {
			for _, s := range regexp.MustCompile(`data-site="(\d+)"`).FindAllStringSubmatch(m[2], -1) {
				got[m[1]+"/"+s[1]] = true
			}
		}
		if fmt.Sprint(got) != fmt.Sprint(failing) || len(failing) == 0 {
			t.Errorf("failing sites in the report %v, API %v", got, failing)
		}
		if !strings.Contains(page, "&lt;车站&gt;") {
			t.Errorf("failing station not listed (escaped)")
		}

		// Per grid: camera street coverage as /api/v1/coverage, reach as /api/v1/response.
		cq := ""
		if q != "" {
			cq = "?hours=22,23"
		}
		_, cov := ts.get(t, "/api/v1/coverage"+cq)
		cgrids := cov["grids"].([]any)
		rgrids := resp["grids"].([]any)
		gr := rowsOf(tableOf(t, page, "grids"))
		if len(gr) != len(cgrids) || len(gr) < 4 {
			t.Fatalf("grid rows %d, want %d", len(gr), len(cgrids))
		}
		watched := 0
		for i, row := range gr {
			c := cgrids[i].(map[string]any)
			g := rgrids[i].(map[string]any)
			if !strings.Contains(row.attrs, fmt.Sprintf(`data-grid="%v"`, c["id"])) {
				t.Fatalf("grid row %d attrs %q, want id %v", i, row.attrs, c["id"])
			}
			nt := len(tiers)
			if len(row.vals) != 3+nt+2 {
				t.Fatalf("grid row %d: %d values %q", i, len(row.vals), row.vals)
			}
			same(t, "grid road km", row.vals[0], c["road_m"].(float64)/1000)
			same(t, "grid cameras", row.vals[1], c["cameras"].(float64))
			if rm := c["road_m"].(float64); rm > 0 {
				same(t, "grid streets watched", row.vals[2], c["covered_road_m"].(float64)/rm)
				if fv(t, row.vals[2]) > 0 {
					watched++
				}
			}
			if g["road_m"].(float64) > 0 {
				for k, s := range g["share"].([]any) {
					same(t, fmt.Sprintf("grid %d tier %d share", i, k), row.vals[3+k], s.(float64))
				}
				same(t, "grid backup", row.vals[3+nt+1], g["backup_share"].(float64))
			}
			same(t, "grid kiosks within", row.vals[3+nt], g["kiosks_within"].(float64))
		}
		if watched == 0 {
			t.Errorf("no grid has watched streets")
		}
		total := cov["total"].(map[string]any)
		kpi := regexp.MustCompile(`(?s)<div class="kpis" id="coverage-total">(.*?)</div>\s*<div class="map-wrap">`).FindStringSubmatch(page)
		vals := dataVRe.FindAllStringSubmatch(kpi[1], -1)
		same(t, "total streets watched", vals[0][1], total["covered_road_m"].(float64)/total["road_m"].(float64))
		same(t, "total incidents in view", vals[2][1], total["covered_incident_weight"].(float64)/total["incident_weight"].(float64))
	}
}

func TestReportWithPlan(t *testing.T) {
	ts := newTestServer(t, reportWorkspace(t), Config{})
	rec, m := ts.doAs(t, planner.RoleCommander, "POST", "/api/v1/plans", `{"window":"22:00-01:00","seed":3,"units":[{"name":"巡逻车","kind":"car","kiosk":1,"count":2},{"kind":"volunteer","kiosk":1}]}`)
	if rec.Code != http.StatusCreated {
		t.Fatalf("plan: %d %s", rec.Code, rec.Body)
	}
	id := m["id"].(string)
	rep := m["report"].(map[string]any)
	page := getHTML(t, ts, planner.RoleViewer, "/report?plan="+id)
	noExternalURL(t, "report with plan", page)
	sum := regexp.MustCompile(`(?s)<div class="kpis" id="plan-summary">(.*?)</div>\s*<div class="map-wrap">`).FindStringSubmatch(page)
	if sum == nil {
		t.Fatal("no plan summary")
	}
	vals := dataVRe.FindAllStringSubmatch(sum[1], -1)
	same(t, "covered risk", vals[0][1], rep["covered_pct"].(float64))
	same(t, "baseline", vals[1][1], rep["baseline_pct"].(float64))
	hours := rep["hours"].([]any)
	hr := rowsOf(tableOf(t, page, "plan-hours"))
	if len(hr) != len(hours) {
		t.Fatalf("%d hour rows, want %d", len(hr), len(hours))
	}
	for i, h := range hours {
		same(t, "hour covered", hr[i].vals[1], h.(map[string]any)["covered_pct"].(float64))
	}
	if n := strings.Count(page, `<svg class="map"`); n != 4 {
		t.Errorf("%d maps with a plan, want 4", n)
	}
	if rec, _ := ts.do(t, "GET", "/report?plan=nope", ""); rec.Code != http.StatusNotFound {
		t.Errorf("unknown plan: %d", rec.Code)
	}
	if rec, _ := ts.do(t, "GET", "/report?scenario=1", ""); rec.Code != http.StatusNotFound {
		t.Errorf("unknown scenario: %d, want 404", rec.Code)
	}
	if rec, _ := ts.do(t, "GET", "/report?mode=boat", ""); rec.Code != http.StatusBadRequest {
		t.Errorf("bad mode: %d", rec.Code)
	}
}

// qrBitmap decodes a card's QR PNG (cardQRModule pixels per module, quiet
// zone included) into modules.
func qrBitmap(t *testing.T, dataURI string) [][]bool {
	t.Helper()
	b64, ok := strings.CutPrefix(dataURI, "data:image/png;base64,")
	if !ok {
		t.Fatalf("QR src %.40q is not a PNG data URI", dataURI)
	}
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	w := img.Bounds().Dx()
	if w%cardQRModule != 0 || img.Bounds().Dy() != w {
		t.Fatalf("QR image %v is not a whole number of %d-pixel modules", img.Bounds(), cardQRModule)
	}
	n := w / cardQRModule
	out := make([][]bool, n)
	for y := range n {
		out[y] = make([]bool, n)
		for x := range n {
			r, _, _, _ := img.At(x*cardQRModule+cardQRModule/2, y*cardQRModule+cardQRModule/2).RGBA()
			out[y][x] = r < 0x8000
		}
	}
	return out
}

// wantBitmap encodes url as the cards do.
func wantBitmap(t *testing.T, url string) [][]bool {
	t.Helper()
	q, err := qrcode.New(url, cardQRLevel)
	if err != nil {
		t.Fatal(err)
	}
	return q.Bitmap()
}

func TestRouteCards(t *testing.T) {
	for _, cfg := range []Config{{}, {PublicURL: "https://tidewatch.pcs.test/"}} {
		ts := newTestServer(t, reportWorkspace(t), cfg)
		rec, m := ts.doAs(t, planner.RoleCommander, "POST", "/api/v1/plans", `{"window":"22:00-01:00","seed":5,"units":[{"name":"巡逻车","kind":"car","kiosk":1,"count":2},{"name":"义警<一>","kind":"volunteer","kiosk":2}]}`)
		if rec.Code != http.StatusCreated {
			t.Fatalf("plan: %d %s", rec.Code, rec.Body)
		}
		id := m["id"].(string)
		links := m["links"].([]any)
		revoked := links[1].(map[string]any)["url"].(string)
		if rec, _ := ts.doAs(t, planner.RoleCommander, "DELETE", "/api/v1/share/"+strings.TrimPrefix(revoked, "/r/"), ""); rec.Code != http.StatusNoContent {
			t.Fatalf("revoke: %d", rec.Code)
		}
		// The plan's units and stops, as the API gives them.
		_, fc := ts.get(t, "/api/v1/plans/"+id)
		type unit struct {
			name  string
			times []string
		}
		units := make([]unit, len(links))
		for i, l := range links {
			units[i].name = l.(map[string]any)["unit"].(string)
		}
		routes := 0
		for _, f := range fc["features"].([]any) {
			p := f.(map[string]any)["properties"].(map[string]any)
			if p["layer"] != "route" {
				continue
			}
			routes++
			for i := range units {
				if units[i].name == p["unit"] {
					for _, s := range p["stops"].([]any) {
						st := s.(map[string]any)
						units[i].times = append(units[i].times, st["eta"].(string), st["etd"].(string))
					}
				}
			}
		}
		if len(units) != 3 || routes != 3 {
			t.Fatalf("%d units, %d routes", len(units), routes)
		}

		page := getHTML(t, ts, planner.RoleViewer, "/api/v1/plans/"+id+"/cards")
		base := "http://example.com" // httptest's Host
		if cfg.PublicURL != "" {
			base = "https://tidewatch.pcs.test"
		}
		var allowed []string
		for _, l := range links {
			allowed = append(allowed, base+l.(map[string]any)["url"].(string))
		}
		noExternalURL(t, "cards", page, allowed...)
		if !strings.Contains(page, "@page{size:A5") {
			t.Error("cards are not A5 by default")
		}
		cards := regexp.MustCompile(`(?s)<article class="card" data-unit="([^"]*)" data-state="([a-z]*)">(.*?)</article>`).FindAllStringSubmatch(page, -1)
		if len(cards) != len(units) {
			t.Fatalf("%d cards, want %d", len(cards), len(units))
		}
		for i, c := range cards {
			u := units[i]
			if html.UnescapeString(c[1]) != u.name || !strings.Contains(c[3], html.EscapeString(u.name)) {
				t.Errorf("card %d is for %q, want %q", i, c[1], u.name)
			}
			var times []string
			for _, m := range regexp.MustCompile(`<td class="(?:arrive|depart)">([^<]*)</td>`).FindAllStringSubmatch(c[3], -1) {
				times = append(times, m[1])
			}
			if strings.Join(times, " ") != strings.Join(u.times, " ") || len(times) == 0 {
				t.Errorf("card %s stop times %v, want %v", u.name, times, u.times)
			}
			if !strings.Contains(c[3], `<svg class="route-map"`) {
				t.Errorf("card %s has no route sketch", u.name)
			}
			img := regexp.MustCompile(`<img class="qr-code" src="([^"]*)"`).FindStringSubmatch(c[3])
			link := base + links[i].(map[string]any)["url"].(string)
			if i == 1 {
				if c[2] != "revoked" || img != nil || !strings.Contains(c[3], "已撤销 revoked") {
					t.Errorf("revoked card: state %s, QR %v", c[2], img != nil)
				}
				continue
			}
			if c[2] != "live" || img == nil {
				t.Fatalf("card %s: state %s, no QR", u.name, c[2])
			}
			if !strings.Contains(c[3], ">"+link+"<") {
				t.Errorf("card %s does not print its link %s", u.name, link)
			}
			got, want := qrBitmap(t, html.UnescapeString(img[1])), wantBitmap(t, link)
			if fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("card %s: the QR code does not encode %s", u.name, link)
			}
			// And not some other card's link.
			if other := base + links[2-i/2].(map[string]any)["url"].(string); other != link && fmt.Sprint(got) == fmt.Sprint(wantBitmap(t, other)) {
				t.Errorf("card %s encodes another link", u.name)
			}
		}
		if a4 := getHTML(t, ts, planner.RoleCommander, "/api/v1/plans/"+id+"/cards?paper=a4"); !strings.Contains(a4, "@page{size:A4") {
			t.Error("?paper=a4 is not A4")
		}
		if rec, _ := ts.do(t, "GET", "/api/v1/plans/"+id+"/cards?paper=letter", ""); rec.Code != http.StatusBadRequest {
			t.Errorf("paper=letter: %d", rec.Code)
		}
		if rec, _ := ts.do(t, "GET", "/api/v1/plans/nope/cards", ""); rec.Code != http.StatusNotFound {
			t.Errorf("unknown plan: %d", rec.Code)
		}
		if rec, _ := ts.doAs(t, planner.RoleVolunteer, "GET", "/api/v1/plans/"+id+"/cards", ""); rec.Code != http.StatusForbidden {
			t.Errorf("volunteer: %d, want 403", rec.Code)
		}
	}
}

func TestPublicBase(t *testing.T) {
	s := &Server{}
	req, _ := http.NewRequest("GET", "http://tw.local:8080/api/v1/plans/x/cards", nil)
	req.Header.Set("X-Forwarded-Host", "evil.example")
	req.Header.Set("X-Forwarded-Proto", "https")
	if got := s.publicBase(req); got != "http://tw.local:8080" {
		t.Errorf("publicBase = %q", got)
	}
	s.cfg.PublicURL = " https://tw.pcs.local/ "
	if got := s.publicBase(req); got != "https://tw.pcs.local" {
		t.Errorf("publicBase with PublicURL = %q", got)
	}
}
