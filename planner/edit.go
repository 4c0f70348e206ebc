package planner

import (
	"fmt"
	"strings"
)

// SourceProposal marks a record a planner accepted from a siting proposal.
const SourceProposal = "proposal"

// WithKiosk returns a copy of ws with k added under the next free ID (the
// original is not modified, so readers of it are unaffected). The kiosk
// must lie at a valid lon,lat; an empty name becomes "新警务站 N".
func WithKiosk(ws *Workspace, k Kiosk) (*Workspace, Kiosk, error) {
	if !k.Location.Valid() {
		return nil, k, Errorf(EINVALID, "kiosk position %v is not a valid lon,lat", k.Location)
	}
	if k.Staff < 0 || k.Vehicles < 0 {
		return nil, k, Errorf(EINVALID, "kiosk staff and vehicles must not be negative")
	}
	var next int64
	for _, x := range ws.Kiosks {
		next = max(next, x.ID)
	}
	k.ID = next + 1
	k.Name = strings.TrimSpace(k.Name)
	if k.Name == "" {
		k.Name = fmt.Sprintf("新警务站 %d", k.ID)
	}
	cp := *ws
	cp.Kiosks = append(append(make([]Kiosk, 0, len(ws.Kiosks)+1), ws.Kiosks...), k)
	return &cp, k, nil
}
