package csv

import (
	"bytes"
	stdcsv "encoding/csv"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

func pt(lon, lat float64) geo.Point { return geo.Point{Lon: lon, Lat: lat} }

func ring(xy ...float64) geo.Ring {
	var r geo.Ring
	for i := 0; i+1 < len(xy); i += 2 {
		r = append(r, pt(xy[i], xy[i+1]))
	}
	return r
}

// Names a spreadsheet export must survive: commas, quotes, line breaks,
// Chinese, XML and formula-looking text.
var awkward = []string{`东门, "北" 口`, "line\nbreak", "人民路警务站", `<a href="x">&</a>`, "=1+1", ""}

func TestCamerasRoundTrip(t *testing.T) {
	var cams []planner.Camera
	for i, name := range awkward {
		c := planner.Camera{ID: int64(i + 1), Ref: "C" + strconv.Itoa(i), Name: name, Location: pt(114.3+float64(i)*1e-4, 30.5912345678901),
			Source: "file:x.csv"}
		switch i % 3 {
		case 0:
			c.Kind, c.DirectionDeg, c.FOVDeg, c.RangeM = planner.CameraFixed, 37.5, 72.25, 41.1
		case 1:
			c.Kind, c.FOVDeg, c.RangeM, c.Defaulted = planner.CameraDome, 360, 30, []string{"kind", "direction", "range"}
		case 2:
			c.Kind, c.DirectionDeg, c.FOVDeg, c.RangeM, c.Defaulted = planner.CameraPTZ, 359.9, 360, 60, []string{"range"}
		}
		cams = append(cams, c)
	}
	cams[5].Ref = "" // an empty ref stays empty
	var buf bytes.Buffer
	if err := WriteCameras(&buf, cams); err != nil {
		t.Fatal(err)
	}
	got, err := ReadCameras(bytes.NewReader(buf.Bytes()), "x.csv")
	if err != nil {
		t.Fatalf("read back: %v\n%s", err, buf.String())
	}
	if !reflect.DeepEqual(got, cams) {
		t.Errorf("round trip\n got %+v\nwant %+v\n%s", got, cams, buf.String())
	}
	// With the byte-order mark the API adds for Excel.
	got, err = ReadCameras(strings.NewReader(BOM+buf.String()), "x.csv")
	if err != nil || !reflect.DeepEqual(got, cams) {
		t.Errorf("with BOM: %v", err)
	}
}

func TestKiosksRoundTrip(t *testing.T) {
	var ks []planner.Kiosk
	for i, name := range awkward {
		ks = append(ks, planner.Kiosk{ID: int64(i + 1), Ref: "K" + strconv.Itoa(i), Name: name, Location: pt(-75.5+float64(i)*0.001, 39.7),
			Staff: i, Vehicles: 2 * i, Source: "file:k.csv"})
	}
	var buf bytes.Buffer
	if err := WriteKiosks(&buf, ks); err != nil {
		t.Fatal(err)
	}
	got, err := ReadKiosks(&buf, "k.csv")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, ks) {
		t.Errorf("round trip\n got %+v\nwant %+v", got, ks)
	}
}

func TestIncidentsRoundTrip(t *testing.T) {
	base := time.Date(2024, 3, 1, 22, 15, 0, 0, time.UTC)
	var in []planner.Incident
	for i := range awkward {
		in = append(in, planner.Incident{ID: int64(i + 1), Ref: "A" + strconv.Itoa(i), Location: pt(121.47, 31.23+float64(i)*1e-5),
			Time: base.Add(time.Duration(i)*97*time.Minute + time.Duration(i)*1234567*time.Nanosecond), Category: []string{"theft", "fight", "盗窃"}[i%3],
			Weight: 1 + float64(i)/3, Source: "file:i.csv"})
	}
	in[0].Category = "" // the provenance column must not become the category
	var buf bytes.Buffer
	if err := WriteIncidents(&buf, in); err != nil {
		t.Fatal(err)
	}
	got, err := ReadIncidents(&buf, "i.csv")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, in) {
		t.Errorf("round trip\n got %+v\nwant %+v", got, in)
	}
}

func TestSitesRoundTrip(t *testing.T) {
	cats := []planner.SiteCategory{planner.SiteSchool, planner.SiteHospital, planner.SiteBank, planner.SiteStation, planner.SiteMarket, planner.SiteOther}
	var ss []planner.Site
	for i, name := range awkward {
		ss = append(ss, planner.Site{ID: int64(i + 1), Ref: "S" + strconv.Itoa(i), Name: name, Category: cats[i], Tier: []int{1, 3, 5}[i%3],
			Location: pt(114.3, 30.6+float64(i)*1e-3), Source: "file:s.csv"})
	}
	var buf bytes.Buffer
	if err := WriteSites(&buf, ss); err != nil {
		t.Fatal(err)
	}
	got, err := ReadSites(&buf, "s.csv")
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, ss) {
		t.Errorf("round trip\n got %+v\nwant %+v", got, ss)
	}
}

func TestSiteAreaWritten(t *testing.T) {
	s := planner.Site{ID: 1, Name: "医院", Category: planner.SiteHospital, Tier: 3, Location: pt(1, 2),
		Area: geo.Polygon{ring(0, 0, 2, 0, 2, 2, 0, 0)}}
	var buf bytes.Buffer
	if err := WriteSites(&buf, []planner.Site{s}); err != nil {
		t.Fatal(err)
	}
	rows := readAll(t, buf.String())
	if got := rows[1][8]; got != "POLYGON ((0 0, 2 0, 2 2, 0 0))" {
		t.Errorf("area_wkt %q", got)
	}
	got, err := ReadSites(&buf, "s.csv")
	if err != nil || got[0].Location != s.Location {
		t.Errorf("read back %+v, %v", got, err)
	}
}

func readAll(t *testing.T, s string) [][]string {
	t.Helper()
	rows, err := stdcsv.NewReader(strings.NewReader(s)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return rows
}

// parseWKTPolygon reads back "POLYGON ((x y, ...), (...))".
func parseWKTPolygon(t *testing.T, s string) geo.Polygon {
	t.Helper()
	body, ok := strings.CutPrefix(s, "POLYGON ((")
	if !ok || !strings.HasSuffix(body, "))") {
		t.Fatalf("not a WKT polygon: %q", s)
	}
	var pg geo.Polygon
	for _, r := range strings.Split(strings.TrimSuffix(body, "))"), "), (") {
		var rg geo.Ring
		for _, tup := range strings.Split(r, ", ") {
			f := strings.Fields(tup)
			x, err1 := strconv.ParseFloat(f[0], 64)
			y, err2 := strconv.ParseFloat(f[1], 64)
			if len(f) != 2 || err1 != nil || err2 != nil {
				t.Fatalf("tuple %q", tup)
			}
			rg = append(rg, pt(x, y))
		}
		pg = append(pg, rg)
	}
	return pg
}

func TestGridsRoundTrip(t *testing.T) {
	pop := 1234.5
	grids := []planner.Grid{
		{ID: 7, Name: "一网格, 东", Population: &pop, Polygon: geo.Polygon{
			ring(-75.5885, 39.688, -75.58, 39.688, -75.58, 39.6951234567891, -75.5885, 39.688),
			ring(-75.585, 39.69, -75.584, 39.691, -75.583, 39.69, -75.585, 39.69)}},
		{ID: 8, Generated: true, Polygon: geo.Polygon{ring(1, 1, 2, 1, 2, 2, 1, 1)}},
	}
	var buf bytes.Buffer
	if err := WriteGrids(&buf, grids); err != nil {
		t.Fatal(err)
	}
	rows := readAll(t, buf.String())
	if !reflect.DeepEqual(rows[0], GridHeader) || len(rows) != 3 {
		t.Fatalf("rows %q", rows)
	}
	for i, g := range grids {
		r := rows[i+1]
		back := planner.Grid{Name: r[1], Generated: r[4] == "true", Polygon: parseWKTPolygon(t, r[5])}
		back.ID, _ = strconv.ParseInt(r[0], 10, 64)
		if r[2] != "" {
			v, _ := strconv.ParseFloat(r[2], 64)
			back.Population = &v
		}
		if r[3] != "" {
			t.Errorf("grid %d risk %q, want empty", i, r[3])
		}
		if !reflect.DeepEqual(back, g) {
			t.Errorf("grid %d\n got %+v\nwant %+v", i, back, g)
		}
	}
}

func TestUnits(t *testing.T) {
	units := []planner.Unit{
		{ID: 1, Name: "巡逻车-1", Kind: planner.UnitCar, HomeKiosk: 3, Shifts: []planner.Shift{{Start: 1320, End: 120}, {Start: 480, End: 720}}},
		{ID: 2, Name: "义警第1组", Kind: planner.UnitVolunteer, HomeKiosk: 1},
	}
	var buf bytes.Buffer
	if err := WriteUnits(&buf, units); err != nil {
		t.Fatal(err)
	}
	want := "id,name,kind,home_kiosk,shifts\n1,巡逻车-1,car,3,22:00-02:00;08:00-12:00\n2,义警第1组,volunteer,1,\n"
	if buf.String() != want {
		t.Errorf("got\n%s\nwant\n%s", buf.String(), want)
	}
}

func TestRoadsRingsFootprintsStops(t *testing.T) {
	walk := planner.Travel{Forward: 10, Backward: 10}
	roads := []planner.Road{{ID: 1, WayID: 9, From: 100, To: 200, Highway: "primary", Name: "解放大道", LengthM: 12.25,
		Geometry: geo.LineString{pt(1, 2), pt(1.5, 2.5)}, Travel: [planner.NumModes]planner.Travel{{Forward: 1, Backward: planner.NoAccess}, walk, walk}}}
	var buf bytes.Buffer
	if err := WriteRoads(&buf, roads); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, buf.String())[1]; !reflect.DeepEqual(got, []string{"1", "9", "100", "200", "primary", "解放大道", "12.25", "true", "false", "true", "LINESTRING (1 2, 1.5 2.5)"}) {
		t.Errorf("road row %q", got)
	}
	buf.Reset()
	rings := []planner.Ring{{Minutes: 3, RoadKm: 1.5, KioskID: 2, Polygon: geo.MultiPolygon{{ring(0, 0, 1, 0, 1, 1, 0, 0)}, {ring(5, 5, 6, 5, 6, 6, 5, 5)}}}}
	if err := WriteRings(&buf, rings, planner.ModeCar); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, buf.String())[1]; !reflect.DeepEqual(got, []string{"car", "3", "1.5", "2", "MULTIPOLYGON (((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))"}) {
		t.Errorf("ring row %q", got)
	}
	buf.Reset()
	fps := []planner.CameraFootprint{{Camera: planner.Camera{ID: 4, Name: "x", Kind: planner.CameraFixed, DirectionDeg: 90, FOVDeg: 60, RangeM: 40},
		Polygon: geo.Polygon{ring(0, 0, 1, 0, 1, 1, 0, 0)}, AreaM2: 812.5}, {Camera: planner.Camera{ID: 5, Kind: planner.CameraDome}}}
	if err := WriteFootprints(&buf, fps); err != nil {
		t.Fatal(err)
	}
	rows := readAll(t, buf.String())
	if !reflect.DeepEqual(rows[1], []string{"4", "x", "fixed", "90", "60", "40", "812.5", "POLYGON ((0 0, 1 0, 1 1, 0 0))"}) ||
		!reflect.DeepEqual(rows[2], []string{"5", "", "dome", "0", "360", "30", "0", ""}) {
		t.Errorf("footprint rows %q", rows)
	}
	buf.Reset()
	plan := &planner.Plan{Units: []planner.UnitPlan{
		{Unit: "A", Stops: []planner.Stop{{Kind: "point", ID: "P1", Arrive: "22:05", Depart: "22:20", Location: pt(1, 2)}, {Kind: "break", ID: "break", Arrive: "23:00", Depart: "23:30", Location: pt(3, 4)}}},
		{Unit: "B"},
		{Unit: "C, 2", Stops: []planner.Stop{{Kind: "line", ID: "L3", Arrive: "00:10", Depart: "00:25", Location: pt(5, 6)}}},
	}}
	if err := WritePlanStops(&buf, plan, map[string]string{"P1": "人民路"}); err != nil {
		t.Fatal(err)
	}
	want := "unit,seq,kind,id,street,arrive,depart,lon,lat\nA,1,point,P1,人民路,22:05,22:20,1,2\nA,2,break,break,,23:00,23:30,3,4\n\"C, 2\",1,line,L3,,00:10,00:25,5,6\n"
	if buf.String() != want {
		t.Errorf("stops\n%s\nwant\n%s", buf.String(), want)
	}
}

// Text that a spreadsheet would run as a formula (CSV injection), and
// apostrophes that must survive the guard.
var formulaNames = []string{"=1+1", "+86 138", "-x", "@SUM(A1)", "'quoted", "\tTAB", "\rCR", "'=x", "''+y", "'", "-", "a=b", "普通名称"}

func TestFormulaCellsRoundTrip(t *testing.T) {
	var cams []planner.Camera
	var ks []planner.Kiosk
	var ss []planner.Site
	var in []planner.Incident
	for i, name := range formulaNames {
		loc := pt(-76.6-float64(i)*1e-4, -33.9) // negative numbers must stay numbers
		cams = append(cams, planner.Camera{ID: int64(i + 1), Ref: name, Name: name, Kind: planner.CameraDome, FOVDeg: 360, RangeM: 30,
			Location: loc, Source: "file:x.csv"})
		ks = append(ks, planner.Kiosk{ID: int64(i + 1), Ref: name, Name: name, Location: loc, Source: "file:x.csv"})
		ss = append(ss, planner.Site{ID: int64(i + 1), Ref: name, Name: name, Category: planner.SiteOther, Tier: 5, Location: loc, Source: "file:x.csv"})
		in = append(in, planner.Incident{ID: int64(i + 1), Ref: name, Category: strings.ToLower(name), Weight: 1, Location: loc,
			Time: time.Date(2024, 3, 1, 22, 15, 0, 0, time.UTC), Source: "file:x.csv"})
	}
	var buf bytes.Buffer
	if err := WriteCameras(&buf, cams); err != nil {
		t.Fatal(err)
	}
	written := buf.String()
	if got, err := ReadCameras(strings.NewReader(written), "x.csv"); err != nil || !reflect.DeepEqual(got, cams) {
		t.Errorf("cameras: %v\n got %+v\nwant %+v\n%s", err, got, cams, written)
	}
	// The cells as a spreadsheet sees them.
	rows := readAll(t, written)
	for i, name := range formulaNames {
		want := name
		switch name {
		case "=1+1", "+86 138", "-x", "@SUM(A1)", "\tTAB", "\rCR", "'=x", "''+y", "-":
			want = "'" + name
		}
		if r := rows[i+1]; r[1] != want || r[2] != want {
			t.Errorf("%q written as ref %q name %q, want %q", name, r[1], r[2], want)
		}
		if r := rows[i+1]; !strings.HasPrefix(r[9], "-76.6") || r[10] != "-33.9" {
			t.Errorf("%q: lon %q lat %q, want plain negative numbers", name, r[9], r[10])
		}
	}
	if !strings.Contains(written, "\n1,'=1+1,'=1+1,dome,") {
		t.Errorf(`"=1+1" is not written as '=1+1:\n%s`, written)
	}
	if !strings.Contains(written, ",'quoted,'quoted,") {
		t.Errorf(`"'quoted" is not written as it is:\n%s`, written)
	}

	buf.Reset()
	if err := WriteKiosks(&buf, ks); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadKiosks(&buf, "x.csv"); err != nil || !reflect.DeepEqual(got, ks) {
		t.Errorf("kiosks: %v\n got %+v\nwant %+v", err, got, ks)
	}
	buf.Reset()
	if err := WriteSites(&buf, ss); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadSites(&buf, "x.csv"); err != nil || !reflect.DeepEqual(got, ss) {
		t.Errorf("sites: %v\n got %+v\nwant %+v", err, got, ss)
	}
	buf.Reset()
	if err := WriteIncidents(&buf, in); err != nil {
		t.Fatal(err)
	}
	if got, err := ReadIncidents(&buf, "x.csv"); err != nil || !reflect.DeepEqual(got, in) {
		t.Errorf("incidents: %v\n got %+v\nwant %+v", err, got, in)
	}

	// The other writers guard their text columns too.
	buf.Reset()
	if err := WriteUnits(&buf, []planner.Unit{{ID: 1, Name: "-1组", Kind: planner.UnitFoot, HomeKiosk: 2}}); err != nil {
		t.Fatal(err)
	}
	if want := "id,name,kind,home_kiosk,shifts\n1,'-1组,foot,2,\n"; buf.String() != want {
		t.Errorf("units\n%q\nwant\n%q", buf.String(), want)
	}
	buf.Reset()
	plan := &planner.Plan{Units: []planner.UnitPlan{{Unit: "@unit", Stops: []planner.Stop{{Kind: "point", ID: "P1", Arrive: "22:05", Depart: "22:20", Location: pt(-1, -2)}}}}}
	if err := WritePlanStops(&buf, plan, map[string]string{"P1": `=HYPERLINK("http://x")`}); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, buf.String())[1]; !reflect.DeepEqual(got, []string{"'@unit", "1", "point", "P1", `'=HYPERLINK("http://x")`, "22:05", "22:20", "-1", "-2"}) {
		t.Errorf("stop row %q", got)
	}
	buf.Reset()
	if err := WriteGrids(&buf, []planner.Grid{{ID: 1, Name: "+网格", Polygon: geo.Polygon{ring(-1, -1, 2, -1, 2, 2, -1, -1)}}}); err != nil {
		t.Fatal(err)
	}
	if got := readAll(t, buf.String())[1]; got[1] != "'+网格" || !strings.HasPrefix(got[5], "POLYGON ((-1 -1,") {
		t.Errorf("grid row %q", got)
	}
}

func TestTextGuard(t *testing.T) {
	for _, c := range []struct{ in, out string }{
		{"", ""}, {"a", "a"}, {"=", "'="}, {"+1", "'+1"}, {"-", "'-"}, {"@", "'@"}, {"\t", "'\t"}, {"\r", "'\r"},
		{"'", "'"}, {"''", "''"}, {"'a", "'a"}, {"'=", "''="}, {"''-", "'''-"}, {"a=", "a="}, {"\n=", "\n="}, {" =", " ="},
	} {
		if got := text(c.in); got != c.out {
			t.Errorf("text(%q) = %q, want %q", c.in, got, c.out)
		}
		if back := unguard(text(c.in)); back != c.in {
			t.Errorf("unguard(text(%q)) = %q", c.in, back)
		}
	}
	// Cells other programs guarded read without the apostrophe; an
	// apostrophe before anything else stays.
	for in, want := range map[string]string{"'=1+1": "=1+1", "'-76.6": "-76.6", "'quoted": "'quoted", "'": "'", "'1": "'1", "=x": "=x"} {
		if got := unguard(in); got != want {
			t.Errorf("unguard(%q) = %q, want %q", in, got, want)
		}
	}
}
