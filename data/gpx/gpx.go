// Package gpx writes GPS Exchange Format 1.1 files: one track along the
// roads plus a waypoint per stop, for a patrol unit's handheld or car
// navigator.
package gpx

import (
	"encoding/xml"
	"fmt"
	"io"
	"time"

	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// Waypoint is a named stop (lon,lat) with an optional time.
type Waypoint struct {
	Point geo.Point
	Name  string
	Desc  string
	Time  time.Time // zero: no <time>
}

// Track is one GPX file's content: a single track segment and waypoints.
type Track struct {
	Name      string
	Desc      string
	Points    geo.LineString // lon,lat
	Waypoints []Waypoint
}

type gpxDoc struct {
	XMLName xml.Name `xml:"gpx"`
	Version string   `xml:"version,attr"`
	Creator string   `xml:"creator,attr"`
	NS      string   `xml:"xmlns,attr"`
	Meta    *gpxMeta `xml:"metadata,omitempty"`
	Wpt     []gpxPt  `xml:"wpt"`
	Trk     gpxTrk   `xml:"trk"`
}

type gpxMeta struct {
	Name string `xml:"name,omitempty"`
	Desc string `xml:"desc,omitempty"`
}

type gpxPt struct {
	Lat  string `xml:"lat,attr"`
	Lon  string `xml:"lon,attr"`
	Time string `xml:"time,omitempty"`
	Name string `xml:"name,omitempty"`
	Desc string `xml:"desc,omitempty"`
}

type gpxTrk struct {
	Name string   `xml:"name,omitempty"`
	Seg  []gpxSeg `xml:"trkseg"`
}

type gpxSeg struct {
	Pt []gpxPt `xml:"trkpt"`
}

func pt(p geo.Point) gpxPt {
	return gpxPt{Lat: fmt.Sprintf("%.7f", p.Lat), Lon: fmt.Sprintf("%.7f", p.Lon)}
}

// Write writes t as a GPX 1.1 document (coordinates in degrees, 7
// decimals; times in RFC 3339 UTC as GPX requires).
func Write(w io.Writer, t Track) error {
	d := gpxDoc{Version: "1.1", Creator: "tidewatch", NS: "http://www.topografix.com/GPX/1/1",
		Trk: gpxTrk{Name: t.Name, Seg: []gpxSeg{{}}}}
	if t.Name != "" || t.Desc != "" {
		d.Meta = &gpxMeta{Name: t.Name, Desc: t.Desc}
	}
	for _, wp := range t.Waypoints {
		p := pt(wp.Point)
		p.Name, p.Desc = wp.Name, wp.Desc
		if !wp.Time.IsZero() {
			p.Time = wp.Time.UTC().Format(time.RFC3339)
		}
		d.Wpt = append(d.Wpt, p)
	}
	for _, p := range t.Points {
		d.Trk.Seg[0].Pt = append(d.Trk.Seg[0].Pt, pt(p))
	}
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	enc := xml.NewEncoder(w)
	enc.Indent("", " ")
	if err := enc.Encode(d); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// FromUnit returns the track of one unit of a plan: its road path and a
// waypoint per stop named by target and ETA ("P3 22:41"). Waypoint times
// are set when the plan has a Date: the window starts on that date at the
// window's start clock in the Date's time zone (so 22:00 in Asia/Shanghai
// is written as 14:00Z, as GPX requires).
func FromUnit(p *planner.Plan, u planner.UnitPlan) Track {
	t := Track{Name: u.Unit, Desc: fmt.Sprintf("%s %s %s–%s, %.0f m", u.Kind, u.Group, u.Leave, u.Return, u.DistanceM), Points: u.Path}
	var base time.Time
	if !p.Date.IsZero() {
		y, m, d := p.Date.Date()
		base = time.Date(y, m, d, 0, 0, 0, 0, p.Date.Location()).Add(time.Duration(p.Window.Start) * time.Minute)
	}
	for _, s := range u.Stops {
		wp := Waypoint{Point: s.Location, Name: s.ID + " " + s.Arrive,
			Desc: fmt.Sprintf("%s %s: %s–%s", s.Kind, s.ID, s.Arrive, s.Depart)}
		if !base.IsZero() {
			wp.Time = base.Add(time.Duration(s.StartS * float64(time.Second)))
		}
		t.Waypoints = append(t.Waypoints, wp)
	}
	return t
}
