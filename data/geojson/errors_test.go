package geojson

import (
	"errors"
	"strings"
	"testing"

	"github.com/tidewatch/tidewatch/planner"
)

// TestInputErrorPosition: read errors carry file, feature and line apart
// from the message, which stays the planner EINVALID error it was.
func TestInputErrorPosition(t *testing.T) {
	cases := []struct {
		in            string
		feature, line int
		reason, msg   string
	}{
		{"{\"type\":\"FeatureCollection\",\"features\":[\n{\"type\":\"Feature\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[1,2]},\"properties\":{}},\n{\"type\":\"Feature\",\"geometry\":{\"type\":\"LineString\",\"coordinates\":[[1,2],[3,4]]},\"properties\":{}}]}",
			2, 3, "geometry is a LineString, want Point", "k.geojson: feature 2 (line 3): geometry is a LineString, want Point"},
		{"{\"type\":\"FeatureCollection\",\n\"features\":[,]}", 0, 2, "", "k.geojson: line 2: malformed JSON"},
		{`{"type":"FeatureCollection","features":[]}`, 0, 0, "no features", "k.geojson: no features"},
	}
	for _, c := range cases {
		_, err := ReadKiosks(strings.NewReader(c.in), "k.geojson")
		ie, ok := errors.AsType[*InputError](err)
		if !ok {
			t.Fatalf("%q: %v is no *InputError", c.in, err)
		}
		if ie.File != "k.geojson" || ie.Feature != c.feature || ie.Line != c.line || (c.reason != "" && ie.Reason != c.reason) {
			t.Errorf("%q: %+v", c.in, ie)
		}
		if planner.ErrorCode(err) != planner.EINVALID || !strings.HasPrefix(planner.ErrorMessage(err), c.msg) || !strings.HasPrefix(err.Error(), "invalid: "+c.msg) {
			t.Errorf("%q: code %s, message %q, want %q", c.in, planner.ErrorCode(err), planner.ErrorMessage(err), c.msg)
		}
	}
}
