package gpx

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"
	"time"
	_ "time/tzdata"

	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

func TestWriteIsGPX11(t *testing.T) {
	tr := Track{
		Name:   "义警第1组 & <夜巡>",
		Points: geo.LineString{{Lon: 114.3, Lat: 30.59}, {Lon: 114.3012345678, Lat: 30.5901}},
		Waypoints: []Waypoint{
			{Point: geo.Point{Lon: 114.3, Lat: 30.59}, Name: "P1 22:13", Time: time.Date(2026, 11, 20, 22, 13, 0, 0, time.UTC)},
			{Point: geo.Point{Lon: 114.301, Lat: 30.5901}, Name: "L2"},
		},
	}
	var b bytes.Buffer
	if err := Write(&b, tr); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(b.String(), xml.Header) || !strings.Contains(b.String(), `xmlns="http://www.topografix.com/GPX/1/1"`) {
		t.Fatalf("not a GPX 1.1 document:\n%s", b.String())
	}
	var doc struct {
		Version string `xml:"version,attr"`
		Meta    struct {
			Name string `xml:"name"`
		} `xml:"metadata"`
		Wpt []struct {
			Lat  float64 `xml:"lat,attr"`
			Lon  float64 `xml:"lon,attr"`
			Time string  `xml:"time"`
			Name string  `xml:"name"`
		} `xml:"wpt"`
		Trk struct {
			Seg []struct {
				Pt []struct {
					Lat string `xml:"lat,attr"`
					Lon string `xml:"lon,attr"`
				} `xml:"trkpt"`
			} `xml:"trkseg"`
		} `xml:"trk"`
	}
	if err := xml.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatalf("does not parse: %v", err)
	}
	if doc.Version != "1.1" || doc.Meta.Name != tr.Name {
		t.Errorf("version %q name %q", doc.Version, doc.Meta.Name)
	}
	if len(doc.Wpt) != 2 || doc.Wpt[0].Time != "2026-11-20T22:13:00Z" || doc.Wpt[1].Time != "" || doc.Wpt[0].Name != "P1 22:13" {
		t.Errorf("waypoints %+v", doc.Wpt)
	}
	if len(doc.Trk.Seg) != 1 || len(doc.Trk.Seg[0].Pt) != 2 || doc.Trk.Seg[0].Pt[1].Lon != "114.3012346" || doc.Trk.Seg[0].Pt[1].Lat != "30.5901000" {
		t.Errorf("track %+v", doc.Trk)
	}
	// GPX 1.1 orders a waypoint's children: time before name.
	if i, j := strings.Index(b.String(), "<time>"), strings.Index(b.String(), "<name>P1"); i < 0 || i > j {
		t.Error("<time> must precede <name> in a wpt")
	}
}

// TestFromUnitTimesInTheStationsZone: a stop at 22:13 on a night planned in
// Asia/Shanghai is written as 14:13Z, so a handheld shows 22:13 local.
func TestFromUnitTimesInTheStationsZone(t *testing.T) {
	sh, err := time.LoadLocation("Asia/Shanghai")
	if err != nil {
		t.Fatal(err)
	}
	p := &planner.Plan{Window: planner.Shift{Start: 22 * 60, End: 2 * 60}, Date: time.Date(2026, 11, 27, 0, 0, 0, 0, sh)}
	u := planner.UnitPlan{Unit: "义警-1", Stops: []planner.Stop{
		{Kind: "point", ID: "P1", StartS: 13 * 60, Arrive: "22:13", Location: geo.Point{Lon: 114.3, Lat: 30.59}},
		{Kind: "point", ID: "P2", StartS: 2*3600 + 5*60, Arrive: "00:05", Location: geo.Point{Lon: 114.31, Lat: 30.59}},
	}}
	var b bytes.Buffer
	if err := Write(&b, FromUnit(p, u)); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"<time>2026-11-27T14:13:00Z</time>", "<time>2026-11-27T16:05:00Z</time>"} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("missing %s in\n%s", want, b.String())
		}
	}
}
