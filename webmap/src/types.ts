// The data contract shared by the API, the GeoJSON writer and this map.
import type { Feature, FeatureCollection, LineString, Point, Polygon } from 'geojson';

export type LayerName = 'roads' | 'grids' | 'cameras' | 'kiosks' | 'incidents' | 'sites';

export const LAYER_NAMES: readonly LayerName[] = ['roads', 'grids', 'cameras', 'kiosks', 'incidents', 'sites'];

export interface Meta {
  name: string;
  bound: [number, number, number, number]; // W,S,E,N
  counts: {
    road_nodes: number;
    road_edges: number;
    road_km: number;
    grids: number;
    cameras: number;
    kiosks: number;
    incidents: number;
    sites: number;
  };
  notes?: string[];
  synthetic?: string[];
  /** The basemap; crs is the system its tiles are drawn in (missing = wgs84). */
  basemap?: { url: string; attribution: string; crs?: 'wgs84' | 'gcj02' | 'bd09'; minzoom?: number; maxzoom?: number; format?: string };
}

export interface RoadProps {
  id: number | string;
  highway: string;
  name: string;
  length_m: number;
  car: 'both' | 'forward' | 'backward' | 'none';
  foot: boolean;
}

export interface GridProps {
  id: number | string;
  name: string;
  population: number | null;
  risk: number | null;
  generated: boolean;
}

export interface CameraProps {
  id: number | string;
  ref: string;
  name: string;
  kind: 'fixed' | 'dome' | 'ptz';
  direction_deg: number;
  fov_deg: number;
  range_m: number;
  source: string;
  defaulted: string[] | null;
}

export interface KioskProps {
  id: number | string;
  ref: string;
  name: string;
  staff: number;
  vehicles: number;
  source: string;
}

export interface IncidentProps {
  id: number | string;
  ref: string;
  time: string;
  hour: number;
  category: string;
  weight: number;
  source: string;
}

export interface SiteProps {
  id: number | string;
  ref: string;
  name: string;
  category: string;
  tier: 1 | 3 | 5;
  source: string;
}

export type RoadFC = FeatureCollection<LineString, RoadProps>;
export type GridFC = FeatureCollection<Polygon, GridProps>;
export type CameraFeature = Feature<Point, CameraProps>;
export type PointFC<P> = FeatureCollection<Point, P>;
