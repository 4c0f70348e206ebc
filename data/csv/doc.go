// Package csv reads Tidewatch records (cameras, kiosks, incidents, key
// sites) from CSV files, as police stations and open-data portals export
// them.
//
// Positions come from latitude and longitude columns (header names,
// case-insensitive: lat/lon, lat/lng, latitude/longitude or y/x, in
// degrees, WGS84) or from a WKT "POINT (lon lat)" in any column (the_geom,
// Location, ...). When both are present the lat/lon columns win and the WKT
// is only cross-checked; a WKT alone is read as lon lat unless its first
// number is clearly a latitude and its second a longitude (|first| <= 90 <
// |second|). Other columns are interpreted by the planner.*FromAttrs
// builders, keyed by the lower-cased header: see planner.CameraFromAttrs,
// KioskFromAttrs, IncidentFromAttrs (date + time, datetime, epoch ms) and
// SiteFromAttrs.
//
// A UTF-8 byte-order mark and CRLF line ends are accepted. Records are
// numbered 1..n in file order with Source "file:<base name>". Any bad row
// fails the whole read with a planner EINVALID error "name:LINE: reason",
// LINE counting from 1 as a text editor does.
package csv
