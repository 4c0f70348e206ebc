// Package geojson reads and writes Tidewatch records as GeoJSON (RFC 7946:
// WGS84, coordinates in lon,lat order).
//
// Reading: [Decode] walks a FeatureCollection (or a single Feature)
// feature by feature; ReadGrids, ReadCameras, ReadKiosks, ReadSites and
// ReadIncidents build planner records from it, interpreting properties with
// the planner.*FromAttrs builders (property names are case-insensitive). Records
// are numbered 1..n in file order; Source is "file:<base name>"; Ref is the
// feature's id member, else its ref or id property. Any bad feature fails
// the whole read with a planner EINVALID error "name: feature N (line L):
// reason", N counting features from 1 (an *InputError, which carries
// file, feature and line apart from the message). Grid MultiPolygons are split into
// one grid per part, every part keeping the feature's name and numbers.
//
// Writing: WriteRoads, WriteGrids, WriteCameras, WriteKiosks,
// WriteIncidents and WriteSites stream a FeatureCollection, one feature
// per line, with the properties of the API's layer contract. Coordinates
// are rounded to 7 decimals (about 1 cm); polygon rings are written
// counter-clockwise outside and clockwise for holes.
package geojson
