// Package api is Tidewatch's HTTP interface: chi/v5 handlers that translate
// requests into planner calls and planner results into JSON/GeoJSON. It holds
// no domain logic; every error passes through one mapper (Error).
//
// Coordinates in requests and responses are lon,lat (WGS84, RFC 7946 order);
// bbox parameters are W,S,E,N in degrees.
package api
