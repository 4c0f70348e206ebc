package api

import (
	"net/http"

	"github.com/tidewatch/tidewatch/geo"
	"github.com/tidewatch/tidewatch/planner"
)

// cameraSitingRequest is the body of POST /api/v1/siting/cameras:
// distances in metres, bbox as [W,S,E,N] degrees (lon,lat).
type cameraSitingRequest struct {
	Count             int       `json:"count"`
	MinSpacingM       float64   `json:"min_spacing_m"`       // 0 = no spacing rule
	Hours             []int     `json:"hours"`               // local hours 0–23 of the incidents weighed; empty = all
	CandidateSpacingM float64   `json:"candidate_spacing_m"` // 0 = 50 m
	Kinds             []string  `json:"kinds"`               // fixed, dome, ptz; empty = fixed and dome
	Directions        int       `json:"directions"`          // extra evenly spaced bearings for fixed cameras
	BBox              []float64 `json:"bbox"`
	GridIDs           []int64   `json:"grid_ids"`
	Seed              int64     `json:"seed"`
}

// siteCameras serves POST /api/v1/siting/cameras: new cameras, in pick
// order, that see the most street no camera sees yet, weighted by the
// incidents within 25 m. Each proposal's "camera" object is a body for
// POST /api/v1/cameras, which accepts it.
func (s *Server) siteCameras(w http.ResponseWriter, r *http.Request) {
	var req cameraSitingRequest
	if err := decodeBody(w, r, &req); err != nil {
		Error(w, r, err)
		return
	}
	opt := planner.CameraSitingOptions{Count: req.Count, MinSpacingM: req.MinSpacingM, Hours: req.Hours,
		CandidateSpacingM: req.CandidateSpacingM, Directions: req.Directions, GridIDs: req.GridIDs, Seed: req.Seed}
	for _, k := range req.Kinds {
		opt.Kinds = append(opt.Kinds, planner.CameraKind(k))
	}
	if req.BBox != nil {
		if len(req.BBox) != 4 {
			Error(w, r, planner.Errorf(planner.EINVALID, "bbox: want [W,S,E,N] in degrees"))
			return
		}
		b := geo.Bound{Min: geo.Point{Lon: req.BBox[0], Lat: req.BBox[1]}, Max: geo.Point{Lon: req.BBox[2], Lat: req.BBox[3]}}
		if b.IsEmpty() || !b.Min.Valid() || !b.Max.Valid() {
			Error(w, r, planner.Errorf(planner.EINVALID, "bbox %v: want [W,S,E,N] in degrees with W ≤ E and S ≤ N", req.BBox))
			return
		}
		opt.Bound = &b
	}
	res, err := planner.SiteCameras(r.Context(), s.idx.Load().WS, opt)
	if err != nil {
		Error(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, res)
}
