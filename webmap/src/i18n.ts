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
  'layer.rings': '快反圈',
  'layer.gridShare': '网格可达率',
  'layer.failingSites': '未达标重点部位',
  'layer.proposals': '警务站选址建议',

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
  'legend.rings': '快反圈（{mode}）',
  'legend.ringTier': '{n}分钟可达',
  'legend.gridShare': '网格可达率（{n}分钟内道路占比）',
  'legend.shareRange': '{a}–{b}%',
  'legend.failingSite': '未达标重点部位',
  'legend.proposal': '选址建议（按序号）',

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
  'unit.km': '{n} 公里',
  'unit.percent': '{n}%',
  'unit.minSec': '{m}分{s}秒',

  'source.osm': 'OpenStreetMap',
  'source.file': '文件：{name}',
  'source.synthetic': '合成演示数据',
  'source.proposal': '选址建议（已采纳）',

  'error.meta': '无法加载工作区信息：{msg}',
  'error.layer': '无法加载图层「{layer}」：{msg}',
  'error.dismiss': '关闭',

  'resp.title': '快反圈',
  'resp.subtitle': '1、3、5分钟响应',
  'resp.mode': '出行方式',
  'resp.modeCar': '驾车',
  'resp.modeEbike': '电动车',
  'resp.modeFoot': '步行',
  'resp.tiers': '响应圈',
  'resp.tierN': '第{n}圈（分钟）',
  'resp.minutes': '分钟',
  'resp.perKiosk': '按警务站分别绘制',
  'resp.compute': '计算',
  'resp.computing': '计算中…',
  'resp.done': '已按{mode}计算 {kiosks} 个警务站的响应圈',
  'resp.failed': '快反圈计算失败：{msg}',
  'resp.badTiers': '响应圈须为三个递增的正数（分钟，最多 60）',
  'resp.networkKm': '{mode}可通行路网 {n} 公里',
  'resp.colTier': '响应圈',
  'resp.colRoad': '可达道路（公里）',
  'resp.colShare': '占路网',
  'resp.noBackup': '个网格缺少合围（共 {total} 个）',
  'resp.noBackupTitle': '{n}分钟内可达的警务站少于 2 个',
  'resp.failingSites': '处重点部位未达标（共 {total} 处）',
  'resp.gridTier': '网格可达率着色',
  'resp.gridOff': '不显示',
  'resp.gridBy': '按{n}分钟',
  'resp.unsnapped': '{n} 个警务站无法接入路网（未计入）',
  'resp.snapDist': '距道路 {n} 米',
  'resp.roadLength': '网格内道路',
  'resp.shareWithin': '{n}分钟可达',
  'resp.noRoad': '无道路',
  'resp.kiosksWithin': '{n}分钟内可达警务站',
  'resp.backupShare': '合围覆盖（≥2 个警务站）',
  'resp.requiredTier': '要求响应圈',
  'resp.actualTime': '实际到达',
  'resp.unreached': '15分钟内无法到达',
  'resp.reason': '原因',
  'resp.nearestKiosk': '最近警务站',
  'resp.reasonNoRoad': '附近没有可通行道路',
  'resp.reasonUnreached': '15分钟内没有警务站能到达',
  'resp.reasonSlow': '到达时间超出要求',

  'siting.title': '警务站选址',
  'siting.minutes': '响应时间',
  'siting.byCount': '新增数量',
  'siting.byTarget': '目标覆盖率',
  'siting.countUnit': '处',
  'siting.weight': '覆盖对象',
  'siting.weightRoad': '道路长度',
  'siting.weightIncidents': '警情',
  'siting.modeNote': '出行方式：{mode}',
  'siting.propose': '提出建议',
  'siting.working': '正在求解选址…',
  'siting.badInput': '请填写有效的响应时间，以及 1–20 处或 1–100% 的目标',
  'siting.failed': '选址失败：{msg}',
  'siting.none': '现有警务站已满足要求，无需新增',
  'siting.hint': '点击地图上的编号查看建议并采纳',
  'siting.coverNote': '新增 {n} 处后，{mode}{min}分钟内覆盖的{weight}占比',
  'siting.gap': '与最优解差距不超过 {n}%',
  'siting.minCount': '至少需要 {n} 处',
  'siting.proposalN': '选址建议 {n}',
  'siting.gainLine': '覆盖率 +{gain}% → {after}%',
  'siting.position': '位置（纬度, 经度）',
  'siting.junction': '路口',
  'siting.name': '名称',
  'siting.defaultName': '新建警务站（建议 {n}）',
  'siting.accept': '采纳',
  'siting.saving': '正在保存…',
  'siting.accepted': '已采纳：{name}',
  'siting.acceptedList': '已采纳：{names}',
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
  'layer.rings': 'Response rings',
  'layer.gridShare': 'Grid reach share',
  'layer.failingSites': 'Key sites failing their tier',
  'layer.proposals': 'Kiosk proposals',

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
  'legend.rings': 'Response rings ({mode})',
  'legend.ringTier': 'within {n} min',
  'legend.gridShare': 'Grid reach share (road within {n} min)',
  'legend.shareRange': '{a}–{b}%',
  'legend.failingSite': 'Key site failing its tier',
  'legend.proposal': 'Kiosk proposal (by rank)',

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
  'unit.km': '{n} km',
  'unit.percent': '{n}%',
  'unit.minSec': '{m} min {s} s',

  'source.osm': 'OpenStreetMap',
  'source.file': 'file: {name}',
  'source.synthetic': 'synthetic demo data',
  'source.proposal': 'accepted siting proposal',

  'error.meta': 'Could not load the workspace: {msg}',
  'error.layer': 'Could not load layer "{layer}": {msg}',
  'error.dismiss': 'Close',

  'resp.title': 'Response rings',
  'resp.subtitle': '1/3/5-minute response',
  'resp.mode': 'Travel mode',
  'resp.modeCar': 'Car',
  'resp.modeEbike': 'E-bike',
  'resp.modeFoot': 'On foot',
  'resp.tiers': 'Rings',
  'resp.tierN': 'Ring {n} (minutes)',
  'resp.minutes': 'min',
  'resp.perKiosk': 'One set per kiosk',
  'resp.compute': 'Compute',
  'resp.computing': 'Computing…',
  'resp.done': 'Rings by {mode} from {kiosks} kiosks',
  'resp.failed': 'Response rings failed: {msg}',
  'resp.badTiers': 'Rings must be three increasing positive numbers (minutes, at most 60)',
  'resp.networkKm': '{mode} network {n} km',
  'resp.colTier': 'Ring',
  'resp.colRoad': 'Roads reached (km)',
  'resp.colShare': 'Of network',
  'resp.noBackup': 'grids without backup (of {total})',
  'resp.noBackupTitle': 'fewer than 2 kiosks reach the grid within {n} minutes',
  'resp.failingSites': 'key sites failing their tier (of {total})',
  'resp.gridTier': 'Colour grids by reach',
  'resp.gridOff': 'off',
  'resp.gridBy': 'within {n} min',
  'resp.unsnapped': '{n} kiosk(s) not on the road network (left out)',
  'resp.snapDist': '{n} m from a road',
  'resp.roadLength': 'Roads in grid',
  'resp.shareWithin': 'Reached within {n} min',
  'resp.noRoad': 'no roads',
  'resp.kiosksWithin': 'Kiosks within {n} min',
  'resp.backupShare': 'Backup (≥ 2 kiosks)',
  'resp.requiredTier': 'Required ring',
  'resp.actualTime': 'Actual time',
  'resp.unreached': 'not reached within 15 min',
  'resp.reason': 'Reason',
  'resp.nearestKiosk': 'Nearest kiosk',
  'resp.reasonNoRoad': 'no routable road nearby',
  'resp.reasonUnreached': 'no kiosk reaches it within 15 minutes',
  'resp.reasonSlow': 'slower than its required ring',

  'siting.title': 'Kiosk siting',
  'siting.minutes': 'Response time',
  'siting.byCount': 'New kiosks',
  'siting.byTarget': 'Target coverage',
  'siting.countUnit': 'kiosks',
  'siting.weight': 'Cover',
  'siting.weightRoad': 'road length',
  'siting.weightIncidents': 'incidents',
  'siting.modeNote': 'Travel mode: {mode}',
  'siting.propose': 'Propose',
  'siting.working': 'Solving…',
  'siting.badInput': 'Enter a valid response time and 1–20 kiosks or a 1–100% target',
  'siting.failed': 'Kiosk siting failed: {msg}',
  'siting.none': 'The kiosks already meet the target: nothing to add',
  'siting.hint': 'Click a numbered marker to review and accept it',
  'siting.coverNote': 'share of {weight} within {min} min by {mode}, with {n} new',
  'siting.gap': 'optimal within {n}%',
  'siting.minCount': 'at least {n} needed',
  'siting.proposalN': 'Proposal {n}',
  'siting.gainLine': 'gain +{gain}% → {after}%',
  'siting.position': 'Position (lat, lon)',
  'siting.junction': 'Junction',
  'siting.name': 'Name',
  'siting.defaultName': 'New kiosk (proposal {n})',
  'siting.accept': 'Accept',
  'siting.saving': 'Saving…',
  'siting.accepted': 'Accepted: {name}',
  'siting.acceptedList': 'Accepted: {names}',
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
