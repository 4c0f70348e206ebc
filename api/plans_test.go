package api

import (
	"encoding/json"
	"encoding/xml"
	"net/http"
	"strings"
	"testing"

	"github.com/tidewatch/tidewatch/planner"
)

func TestPlansAPI(t *testing.T) {
	ts := newTestServer(t, nightWorkspace(t), Config{})
	body := `{"window":"22:00-02:00","seed":7,"vary":0.3,"date":"2026-11-20",
	  "units":[{"name":"巡逻车","kind":"car","kiosk":"K1","count":2},{"kind":"volunteer","kiosk":1}]}`
	rec, m := ts.do(t, "POST", "/api/v1/plans", body)
	if rec.Code != http.StatusCreated {
		t.Fatalf("POST: %d %s", rec.Code, rec.Body)
	}
	id, _ := m["id"].(string)
	rep, _ := m["report"].(map[string]any)
	if len(id) != 16 || rep == nil || len(rep["hours"].([]any)) != 4 || !(rep["covered_pct"].(float64) > 0) {
		t.Fatalf("POST body %v", m)
	}

	rr, _ := ts.do(t, "GET", "/api/v1/plans/"+id, "")
	if rr.Code != 200 || rr.Header().Get("Content-Type") != "application/geo+json" {
		t.Fatalf("GET plan: %d %s", rr.Code, rr.Header().Get("Content-Type"))
	}
	var fc struct {
		Type     string `json:"type"`
		Features []struct {
			Geometry   struct{ Type string } `json:"geometry"`
			Properties map[string]any        `json:"properties"`
		} `json:"features"`
		Report planner.PlanReport `json:"report"`
	}
	if err := json.Unmarshal(rr.Body.Bytes(), &fc); err != nil {
		t.Fatal(err)
	}
	layers := map[string]int{}
	var routeUnits []string
	for _, f := range fc.Features {
		l := f.Properties["layer"].(string)
		layers[l]++
		if l == "route" {
			routeUnits = append(routeUnits, f.Properties["unit"].(string))
			if f.Geometry.Type != "LineString" || f.Properties["distance_m"].(float64) <= 0 {
				t.Errorf("route %v", f.Properties)
			}
		}
	}
	if fc.Type != "FeatureCollection" || layers["guard_point"] == 0 || layers["route"] == 0 || len(fc.Report.Hours) != 4 {
		t.Fatalf("plan GeoJSON layers %v report %+v", layers, fc.Report)
	}
	if !strings.HasPrefix(routeUnits[0], "巡逻车-") {
		t.Errorf("route units %v", routeUnits)
	}

	rr, _ = ts.do(t, "GET", "/api/v1/plans/"+id+"/units/1.gpx", "")
	if rr.Code != 200 {
		t.Fatalf("GET gpx: %d %s", rr.Code, rr.Body)
	}
	var doc struct {
		Version string `xml:"version,attr"`
		Wpt     []struct {
			Time string `xml:"time"`
		} `xml:"wpt"`
		Trk []struct {
			Seg []struct {
				Pt []struct {
					Lat float64 `xml:"lat,attr"`
				} `xml:"trkpt"`
			} `xml:"trkseg"`
		} `xml:"trk"`
	}
	if err := xml.Unmarshal(rr.Body.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if doc.Version != "1.1" || len(doc.Trk) != 1 || len(doc.Trk[0].Seg[0].Pt) < 2 || len(doc.Wpt) == 0 ||
		!strings.HasPrefix(doc.Wpt[0].Time, "2026-11-2") {
		t.Errorf("GPX %+v", doc)
	}
	if rec, _ := ts.do(t, "GET", "/api/v1/plans/nope", ""); rec.Code != http.StatusNotFound {
		t.Errorf("unknown plan: %d", rec.Code)
	}
	if rec, _ := ts.do(t, "POST", "/api/v1/plans", `{"units":[{"kind":"tank","kiosk":1}]}`); rec.Code != http.StatusBadRequest {
		t.Errorf("bad kind: %d", rec.Code)
	}
}
