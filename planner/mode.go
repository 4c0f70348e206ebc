package planner

import (
	"fmt"
	"strings"
)

// Mode is a way of travelling on the road network.
type Mode string

// The travel modes. A volunteer group walks, so it uses the foot network.
const (
	ModeCar   Mode = "car"
	ModeEBike Mode = "ebike" // e-bikes and motorbikes (摩托/电动车)
	ModeFoot  Mode = "foot"
)

// NumModes is the number of travel modes.
const NumModes = 3

// Modes lists every travel mode in index order.
var Modes = [NumModes]Mode{ModeCar, ModeEBike, ModeFoot}

// Index returns the mode's position in Modes, or -1.
func (m Mode) Index() int {
	for i, x := range Modes {
		if x == m {
			return i
		}
	}
	return -1
}

// ParseMode accepts "car", "ebike"/"e-bike"/"motorbike", "foot"/"walk" and
// "volunteer" (which travels on foot).
func ParseMode(s string) (Mode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "car", "drive", "driving":
		return ModeCar, nil
	case "ebike", "e-bike", "motorbike", "motorcycle", "bike":
		return ModeEBike, nil
	case "foot", "walk", "walking", "volunteer":
		return ModeFoot, nil
	}
	return "", Errorf(EINVALID, "unknown travel mode %q (want car, ebike or foot)", s)
}

// Travel is the cost of traversing a road segment in one mode: seconds in
// the segment's drawing direction (Forward, From→To) and against it
// (Backward). A negative value means the mode may not travel that way.
type Travel struct {
	Forward, Backward float64
}

// NoAccess marks a direction a mode may not travel.
const NoAccess = -1.0

// Allowed reports whether the mode may travel the segment in either direction.
func (t Travel) Allowed() bool { return t.Forward >= 0 || t.Backward >= 0 }

// String formats t for debugging.
func (t Travel) String() string { return fmt.Sprintf("fwd=%.2fs bwd=%.2fs", t.Forward, t.Backward) }
