// Package planner is Tidewatch's domain core: the workspace a police station
// plans in (grids 网格, cameras 天网, kiosks 警务站, units, incidents 警情 and
// key sites 重点部位 over a road network) and the analyses over it (camera
// coverage, 1/3/5-minute response rings, siting, demand, tidal patrols).
//
// The package does no I/O. Everything is deterministic for a given seed and
// every long computation takes a context. Positions are geo.Point (lon,lat,
// WGS84 degrees); distances are metres, durations seconds unless a name says
// minutes.
package planner
