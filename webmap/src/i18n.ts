// UI strings. zh-CN is the default; English is a switch kept in localStorage.
// Every string the page shows goes through t(key). The English dictionary is
// typed against the Chinese one, so a key missing in either fails `tsc`, and
// test/i18n.test.mjs checks the same at run time plus every t('…') in src/.

export type Lang = 'zh-CN' | 'en';

export const LANGS: readonly Lang[] = ['zh-CN', 'en'];

export const STORAGE_KEY = 'tidewatch.lang';

const zh = {
  'app.title': 'Tidewatch 潮汐警务规划',
  'app.loading': '正在加载…',
  'app.switchTo': 'English',
  'app.switchTitle': 'Switch to English',
  'app.counts': '统计',

  'layer.basemap': '底图',
  'layer.roads': '道路',
  'layer.grids': '网格',
  'layer.cameras': '摄像头',
  'layer.kiosks': '警务站',
  'layer.incidents': '警情',
  'layer.sites': '重点部位',

  'count.roadKm': '道路 {n} 公里',
  'count.grids': '网格 {n}',
  'count.cameras': '摄像头 {n}',
  'count.kiosks': '警务站 {n}',
  'count.incidents': '警情 {n}',
  'count.sites': '重点部位 {n}',

  'synthetic.badge': '合成演示数据',
  'synthetic.layers': '合成演示数据：{layers}',
  'synthetic.tag': '合成',
  'synthetic.title': '这些图层是程序生成的演示数据，不是真实数据',

  'legend.title': '图例',
  'legend.roads': '道路（按等级）',
  'legend.roadMajor': '高速 / 快速路',
  'legend.roadPrimary': '主干道',
  'legend.roadSecondary': '次干道',
  'legend.roadMinor': '支路 / 街巷',
  'legend.roadService': '内部道路',
  'legend.roadFoot': '步行道',
  'legend.grid': '网格边界',
  'legend.cameras': '摄像头（按类型）',
  'legend.cameraView': '固定摄像头视域',
  'legend.kiosk': '警务站',
  'legend.incident': '警情（大小表示权重）',
  'legend.sites': '重点部位（按类别）',

  'kind.fixed': '固定枪机',
  'kind.dome': '球机',
  'kind.ptz': '云台',

  'category.school': '学校',
  'category.hospital': '医院',
  'category.bank': '银行',
  'category.transport': '交通枢纽',
  'category.market': '商场 / 市场',
  'category.government': '党政机关',
  'category.other': '其他',

  'prop.id': '编号',
  'prop.ref': '编码',
  'prop.highway': '道路等级',
  'prop.length': '长度',
  'prop.car': '机动车',
  'prop.foot': '步行',
  'prop.population': '人口',
  'prop.risk': '风险指数',
  'prop.generated': '自动生成',
  'prop.kind': '类型',
  'prop.direction': '朝向',
  'prop.fov': '视场角',
  'prop.range': '监控距离',
  'prop.defaulted': '默认值字段',
  'prop.staff': '警力',
  'prop.vehicles': '车辆',
  'prop.time': '时间',
  'prop.hour': '时段',
  'prop.category': '类别',
  'prop.weight': '权重',
  'prop.tier': '响应圈',
  'prop.source': '数据来源',

  'car.both': '双向通行',
  'car.forward': '单向（顺行）',
  'car.backward': '单向（逆行）',
  'car.none': '禁止机动车',

  'value.yes': '是',
  'value.no': '否',
  'value.unknown': '未知',
  'value.none': '无',

  'unit.metre': '{n} 米',
  'unit.degree': '{n} 度',
  'unit.tier': '{n}分钟',
  'unit.hour': '{n} 时',
  'unit.people': '{n} 人',
  'unit.vehicles': '{n} 辆',

  'source.osm': 'OpenStreetMap',
  'source.file': '文件：{name}',
  'source.synthetic': '合成演示数据',

  'error.meta': '无法加载工作区信息：{msg}',
  'error.layer': '无法加载图层「{layer}」：{msg}',
  'error.dismiss': '关闭',
} as const;

export type Key = keyof typeof zh;

const en: Record<Key, string> = {
  'app.title': 'Tidewatch Tidal Policing Planner',
  'app.loading': 'Loading…',
  'app.switchTo': '中文',
  'app.switchTitle': '切换到中文',
  'app.counts': 'Counts',

  'layer.basemap': 'Basemap',
  'layer.roads': 'Roads',
  'layer.grids': 'Grids',
  'layer.cameras': 'Cameras',
  'layer.kiosks': 'Police kiosks',
  'layer.incidents': 'Incidents',
  'layer.sites': 'Key sites',

  'count.roadKm': 'roads {n} km',
  'count.grids': 'grids {n}',
  'count.cameras': 'cameras {n}',
  'count.kiosks': 'kiosks {n}',
  'count.incidents': 'incidents {n}',
  'count.sites': 'key sites {n}',

  'synthetic.badge': 'synthetic demo data',
  'synthetic.layers': 'synthetic demo data: {layers}',
  'synthetic.tag': 'synthetic',
  'synthetic.title': 'These layers are generated demo data, not real records',

  'legend.title': 'Legend',
  'legend.roads': 'Roads (by class)',
  'legend.roadMajor': 'Motorway / trunk',
  'legend.roadPrimary': 'Primary',
  'legend.roadSecondary': 'Secondary',
  'legend.roadMinor': 'Minor street',
  'legend.roadService': 'Service road',
  'legend.roadFoot': 'Footway',
  'legend.grid': 'Grid boundary',
  'legend.cameras': 'Cameras (by kind)',
  'legend.cameraView': 'Fixed camera view',
  'legend.kiosk': 'Police kiosk',
  'legend.incident': 'Incident (size = weight)',
  'legend.sites': 'Key sites (by category)',

  'kind.fixed': 'Fixed',
  'kind.dome': 'Dome',
  'kind.ptz': 'PTZ',

  'category.school': 'School',
  'category.hospital': 'Hospital',
  'category.bank': 'Bank',
  'category.transport': 'Transport hub',
  'category.market': 'Mall / market',
  'category.government': 'Government',
  'category.other': 'Other',

  'prop.id': 'ID',
  'prop.ref': 'Ref',
  'prop.highway': 'Road class',
  'prop.length': 'Length',
  'prop.car': 'Vehicles',
  'prop.foot': 'On foot',
  'prop.population': 'Population',
  'prop.risk': 'Risk index',
  'prop.generated': 'Generated',
  'prop.kind': 'Kind',
  'prop.direction': 'Direction',
  'prop.fov': 'Field of view',
  'prop.range': 'Range',
  'prop.defaulted': 'Defaulted fields',
  'prop.staff': 'Staff',
  'prop.vehicles': 'Vehicles',
  'prop.time': 'Time',
  'prop.hour': 'Hour',
  'prop.category': 'Category',
  'prop.weight': 'Weight',
  'prop.tier': 'Response ring',
  'prop.source': 'Source',

  'car.both': 'Two-way',
  'car.forward': 'One-way (forward)',
  'car.backward': 'One-way (backward)',
  'car.none': 'No motor vehicles',

  'value.yes': 'yes',
  'value.no': 'no',
  'value.unknown': 'unknown',
  'value.none': 'none',

  'unit.metre': '{n} m',
  'unit.degree': '{n}°',
  'unit.tier': '{n}-minute',
  'unit.hour': '{n}:00',
  'unit.people': '{n}',
  'unit.vehicles': '{n}',

  'source.osm': 'OpenStreetMap',
  'source.file': 'file: {name}',
  'source.synthetic': 'synthetic demo data',

  'error.meta': 'Could not load the workspace: {msg}',
  'error.layer': 'Could not load layer "{layer}": {msg}',
  'error.dismiss': 'Close',
};

export const dictionaries: Record<Lang, Record<Key, string>> = { 'zh-CN': zh, en };

let current: Lang = 'zh-CN';

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null; // storage disabled by policy
  }
}

/** Reads the stored language; zh-CN unless English was chosen before. */
export function initLang(): Lang {
  const stored = storage()?.getItem(STORAGE_KEY);
  current = stored === 'en' ? 'en' : 'zh-CN';
  return current;
}

export function getLang(): Lang {
  return current;
}

export function setLang(lang: Lang): void {
  current = lang;
  storage()?.setItem(STORAGE_KEY, lang);
}

/** The string for key in the current language, with {name} placeholders filled. */
export function t(key: Key, vars?: Record<string, string | number>): string {
  let s: string = dictionaries[current][key] ?? dictionaries['zh-CN'][key] ?? key;
  if (vars) {
    for (const [k, v] of Object.entries(vars)) s = s.split(`{${k}}`).join(String(v));
  }
  return s;
}

/** Formats a number for the current language (thousands separators, fixed digits). */
export function num(n: number, digits = 0): string {
  return n.toLocaleString(current === 'en' ? 'en-US' : 'zh-CN', {
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  });
}
