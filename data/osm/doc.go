// Package osm reads OpenStreetMap extracts (.osm.pbf, .osm XML, gzip or
// bzip2 compressed XML) into the records Tidewatch plans with: a routable
// road network split at junctions with per-mode travel times, police
// posts (警务站), surveillance cameras (天网), building footprints, key
// sites (重点部位) and points of interest for the demo generator.
//
// Conventions: coordinates are (longitude, latitude) WGS84 degrees,
// lengths metres, travel costs seconds, speeds in the tables km/h.
//
// # Reading
//
// The input is scanned once. Every node's position is kept in a compact
// table (id plus lon,lat as int32 fixed point at 1e-7 degree, the OSM
// PBF precision) and every way's node list in one arena, so files that
// are not sorted (ways before their nodes, as osmconvert writes) work.
// Geometry is resolved after the scan. PBF files are decoded by this
// package's own bounds-checked decoder, blocks in parallel (GOMAXPROCS
// workers); a corrupt file gives an error naming the byte offset of the
// bad block, never a panic. Output slices are ordered by OSM
// element type (node, way, relation) then id, and IDs are 1..n in that
// order, so the output is deterministic.
//
// A way node that is missing from the file (a way cut by the extract)
// breaks the way there; Extract.MissingNodes counts such references.
//
// # Road network
//
// Routable highway classes and their default car speeds (km/h, urban
// Chinese-city values) are in [CarSpeedKmh]. Modes per class:
//
//   - car: motorway … living_street, service and *_link;
//   - ebike (e-bikes and motorbikes, non-motor lanes): every car class
//     except motorway and motorway_link, plus track, path and cycleway;
//   - foot: every class except motorway and motorway_link.
//
// Tags then refine access. The most specific tag present with a known
// value decides: car motorcar > motor_vehicle > vehicle; ebike moped >
// bicycle > vehicle; foot foot. Values yes|designated|permissive|
// destination|delivery|customers|official allow, no|private|
// agricultural|forestry|use_sidepath|dismount deny. The generic access
// tag only restricts: access=no|private denies a mode unless a mode tag
// allows it, but access=yes never opens a class the table closes (a
// footway with access=yes stays closed to cars). motorroad=yes closes a
// way to ebike and foot. Ways with area=yes are skipped (squares are not
// lines), as are highway=construction|proposed|raceway|platform and any
// class not in the table.
//
// One-way: oneway=yes|true|1 allows only the drawing direction, -1|reverse
// only the opposite one, reversible|alternating closes the way to car and
// ebike; junction=roundabout|circular and highway=motorway imply
// oneway=yes unless oneway=no. Car and ebike obey it; oneway:bicycle
// (yes|no|-1) overrides it for ebike. Foot ignores one-way tags.
//
// Speeds: car = min(table, maxspeed) where maxspeed parses as a number
// (km/h) or "<n> mph"; anything else (CN:urban, none, walk, "50;30") is
// ignored, and a maxspeed above the table does not raise it (the table is
// what urban traffic achieves). ebike = min(car, 25) on car classes and
// 15 on track, path and cycleway (or footway/pedestrian/bridleway opened
// by bicycle=yes); foot 5 (4.5 on steps). Travel seconds = LengthM /
// (speed / 3.6); directions a mode may not travel are planner.NoAccess.
//
// Ways are split into segments at their ends and at junction nodes: nodes
// used by two or more routable ways, or twice by one way. Each segment
// keeps every intermediate vertex; From and To are OSM node ids; LengthM
// is geodesic. Zero-length segments are dropped.
//
// # Clipping
//
// With Options.Bound, a road segment is kept whole when at least one of
// its vertices lies in the box, so the network stays routable up to the
// edge; point features (kiosks, cameras, POIs, sites at their
// representative point) are kept when inside the box; buildings when
// their outline's bounding box intersects it.
//
// # Features
//
// Kiosks: amenity=police nodes, ways and relations (at the area centroid
// for closed ways and multipolygons, else at the mean of the member
// vertices). Cameras: man_made=surveillance nodes whose
// surveillance:type is absent, camera or ALPR (guard and other non-camera
// values are skipped, as is surveillance=indoor). camera:type maps fixed →
// fixed, dome → dome, panning|ptz → ptz; when absent a camera with a
// camera:direction is taken as fixed, one without as a dome (a disc is the
// honest model when the bearing is unknown). camera:direction is degrees
// or a 16-point compass name. camera:angle is the tilt below horizontal
// on the OSM wiki, not a field of view, so it is not used. FOV and range
// come from the planner defaults and are listed in Camera.Defaulted, as
// are a defaulted kind and direction. Buildings: building=* (not "no")
// closed ways and multipolygon relations (one Building per outer ring,
// OSMID negated for relations); LevelsM is the height tag in metres, else
// building:levels × 3 m, else 0. Sites: see [SiteCategoryOf]; Tier is
// planner.DefaultTier. POIs: amenity=bar|pub|nightclub|restaurant|
// fast_food|cafe (Kind is the value) and shop=* (Kind "shop"), nodes and
// areas at their centroid.
package osm
