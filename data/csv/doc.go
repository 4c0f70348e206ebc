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
// CSV injection: spreadsheets (Excel, WPS) evaluate a cell beginning with
// =, +, -, @, TAB or CR as a formula when they open a CSV. The writers
// (write.go) therefore put a leading apostrophe before every text cell
// (names, refs, kinds, categories, sources, unit names, streets) that
// begins with one of those characters: a name "=1+1" is written '=1+1,
// shown as text. Numeric columns (lon, lat, direction_deg, ...), times and
// WKT are never changed, so a negative longitude stays -76.6. The readers
// strip exactly one leading apostrophe from a cell when what follows it
// begins with one of those characters, after any further apostrophes
// ('=1+1 reads as =1+1); a text that itself begins with apostrophes
// before such a character is written with one apostrophe more ("'=x" as
// "'" + "'=x"), and any other apostrophe is kept ("'quoted" is written and
// read as it is).
// Written files therefore read back to exactly the values written. The
// readers strip the apostrophe in every column, numeric ones too, so a
// file whose numbers some other program guarded ('-76.6) reads as well.
//
// A UTF-8 byte-order mark and CRLF line ends are accepted. Records are
// numbered 1..n in file order with Source "file:<base name>". Any bad row
// fails the whole read with a planner EINVALID error "name:LINE: reason",
// LINE counting from 1 as a text editor does (an *InputError, which
// carries file and line apart from the message).
package csv
