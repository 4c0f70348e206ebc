// Package kml writes Tidewatch layers and patrol plans as KML 2.2 (OGC
// 07-147r2), the format Google Earth, QGIS, ArcGIS and the common Chinese
// GIS desktops (SuperMap, MapGIS) open without a plugin.
//
// A file is one Document: shared Styles, then one Folder per layer, one
// Placemark per record. Every Placemark carries its record's fields as
// ExtendedData (<Data name="..."><value>...</value></Data>), so a GIS
// reads them as attribute columns, and a short HTML-free description for
// the pop-up balloon.
//
// Conventions:
//   - coordinates are WGS84 "lon,lat" tuples (KML's order), rounded to 7
//     decimals (about 1 cm), tuples separated by one space; no altitude;
//   - polygon outer rings are written counter-clockwise and holes
//     clockwise, as the KML specification asks; rings are closed;
//   - text (names, descriptions, data values) is XML-escaped; invalid
//     UTF-8 and characters XML 1.0 forbids become U+FFFD;
//   - colours are KML's aabbggrr hex (see Color);
//   - nothing refers to another host: styles give colours and scales but
//     no <Icon><href>, so a viewer draws its own default marker (the
//     police intranet has no route to Google's icon server);
//   - output is deterministic: the same input gives the same bytes.
//
// Geometries: a Point for cameras, kiosks, incidents, sites and plan stops;
// a LineString for roads and routes; a Polygon for grids and camera
// footprints; a MultiGeometry of Polygons for response rings (one
// Placemark per tier) and of LineStrings when a placemark has several
// lines.
package kml
