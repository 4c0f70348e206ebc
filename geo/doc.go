// Package geo holds pure geometry and network code: points, lines and
// polygons in WGS84 (lon,lat order everywhere), distances in metres,
// local planar projections, polygon validation, spatial indexes and road
// graphs with shortest paths.
//
// Conventions:
//   - every coordinate pair is (longitude, latitude) in decimal degrees, WGS84,
//     unless a name says otherwise (Projected points are metres east, north);
//   - distances and lengths are metres, travel costs are seconds;
//   - the package has no domain words: it knows roads only as weighted
//     directed edges with a geometry.
package geo
