package csv

import (
	"errors"
	"strings"
	"testing"

	"github.com/tidewatch/tidewatch/planner"
)

// TestInputErrorPosition: read errors carry file and line apart from the
// message, which stays the planner EINVALID error it was.
func TestInputErrorPosition(t *testing.T) {
	cases := []struct {
		in     string
		line   int
		reason string
	}{
		{"name,lat,lon\nA,30.5,114.3\nB,north,114.3\n", 3, `lat "north" is not a number`},
		{"name,lat\nA,30.5\n", 1, "a latitude column needs a longitude column and vice versa (want lat/lon, latitude/longitude or y/x)"},
		{"name,lat,lon\n\"A,30.5,114.3\n", 2, ""},
		{"", 0, "empty file"},
		{"name,lat,lon\n", 0, "no records"},
	}
	for _, c := range cases {
		_, err := ReadKiosks(strings.NewReader(c.in), "k.csv")
		ie, ok := errors.AsType[*InputError](err)
		if !ok {
			t.Fatalf("%q: %v is no *InputError", c.in, err)
		}
		if ie.File != "k.csv" || ie.Line != c.line || (c.reason != "" && ie.Reason != c.reason) {
			t.Errorf("%q: %+v", c.in, ie)
		}
		want := "k.csv: " + ie.Reason
		if c.line > 0 {
			want = "k.csv:" + string(rune('0'+c.line)) + ": " + ie.Reason
		}
		if planner.ErrorCode(err) != planner.EINVALID || planner.ErrorMessage(err) != want {
			t.Errorf("%q: code %s, message %q, want %q", c.in, planner.ErrorCode(err), planner.ErrorMessage(err), want)
		}
	}
}
