package osm

import (
	"strconv"
	"strings"

	posm "github.com/paulmach/osm"
	"github.com/tidewatch/tidewatch/planner"
)

// feature is what an element's tags make of it besides a road.
type feature struct {
	police   bool
	camera   bool // nodes only
	building bool // closed ways and multipolygons only
	site     planner.SiteCategory
	poi      string
}

func (f feature) any() bool {
	return f.police || f.camera || f.building || f.site != "" || f.poi != ""
}

// classify reads the feature tags of an element.
func classify(tags posm.Tags) feature {
	if len(tags) == 0 {
		return feature{}
	}
	amenity := tags.Find("amenity")
	f := feature{
		police: amenity == "police",
		camera: isCamera(tags),
		site:   SiteCategoryOf(tags),
	}
	if b := tags.Find("building"); b != "" && b != "no" {
		f.building = true
	}
	switch amenity {
	case "bar", "pub", "nightclub", "restaurant", "fast_food", "cafe":
		f.poi = amenity
	default:
		if s := tags.Find("shop"); s != "" && s != "no" && s != "vacant" {
			f.poi = "shop"
		}
	}
	return f
}

// SiteCategoryOf returns the key-site category of an element's tags, or
// "" when it is not a key site: amenity=school|kindergarten|college|
// university → school; amenity=hospital|clinic → hospital; amenity=bank →
// bank; amenity=bus_station, railway=station, public_transport=station →
// station; amenity=marketplace, shop=mall|supermarket → market.
func SiteCategoryOf(tags posm.Tags) planner.SiteCategory {
	switch tags.Find("amenity") {
	case "school", "kindergarten", "college", "university":
		return planner.SiteSchool
	case "hospital", "clinic":
		return planner.SiteHospital
	case "bank":
		return planner.SiteBank
	case "bus_station":
		return planner.SiteStation
	case "marketplace":
		return planner.SiteMarket
	}
	if tags.Find("railway") == "station" || tags.Find("public_transport") == "station" {
		return planner.SiteStation
	}
	switch tags.Find("shop") {
	case "mall", "supermarket":
		return planner.SiteMarket
	}
	return ""
}

// name returns the element's name: name, else name:zh, else name:en.
func name(tags posm.Tags) string {
	for _, k := range [...]string{"name", "name:zh", "name:en"} {
		if v := tags.Find(k); v != "" {
			return v
		}
	}
	return ""
}

// parseMetres parses a length such as "12", "12.5 m" or "12m" in metres;
// ok is false for anything else (feet, ranges, text).
func parseMetres(s string) (float64, bool) {
	s = strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(s), "m"))
	if s == "" {
		return 0, false
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil || !(v > 0) || v > 1000 {
		return 0, false
	}
	return v, true
}

// buildingHeight returns a building's height in metres from height, else
// building:levels × 3 m, else 0.
func buildingHeight(tags posm.Tags) float64 {
	if h, ok := parseMetres(tags.Find("height")); ok {
		return h
	}
	if l := strings.TrimSpace(tags.Find("building:levels")); l != "" {
		if n, err := strconv.ParseFloat(l, 64); err == nil && n > 0 && n < 300 {
			return n * 3
		}
	}
	return 0
}
