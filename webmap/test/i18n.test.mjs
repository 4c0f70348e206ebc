// Both languages must have the same keys, no empty strings, the same
// placeholders, and every t('…') used in src/ must exist.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, readdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { loadTS } from '../scripts/load-ts.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const i18n = await loadTS('src/i18n.ts');
const zh = i18n.dictionaries['zh-CN'];
const en = i18n.dictionaries.en;

test('zh-CN and en have identical key sets', () => {
  const zk = Object.keys(zh).sort();
  const ek = Object.keys(en).sort();
  assert.ok(zk.length > 50, `expected a real dictionary, got ${zk.length} keys`);
  assert.deepEqual(zk.filter((k) => !(k in en)), [], 'keys missing in en');
  assert.deepEqual(ek.filter((k) => !(k in zh)), [], 'keys missing in zh-CN');
});

test('no empty or untrimmed strings', () => {
  for (const [lang, dict] of Object.entries(i18n.dictionaries)) {
    for (const [k, v] of Object.entries(dict)) {
      assert.equal(typeof v, 'string', `${lang} ${k}`);
      assert.ok(v.trim().length > 0, `${lang} ${k} is empty`);
      assert.equal(v, v.trim(), `${lang} ${k} has leading/trailing spaces`);
    }
  }
});

test('placeholders match between languages', () => {
  const ph = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const k of Object.keys(zh)) assert.deepEqual(ph(en[k]), ph(zh[k]), `placeholders of ${k}`);
});

test('the required zh-CN terms are used', () => {
  const want = { 'layer.roads': '道路', 'layer.grids': '网格', 'layer.cameras': '摄像头', 'layer.kiosks': '警务站', 'layer.incidents': '警情', 'layer.sites': '重点部位', 'synthetic.badge': '合成演示数据', 'app.title': 'Tidewatch 潮汐警务规划' };
  for (const [k, v] of Object.entries(want)) assert.equal(zh[k], v, k);
  assert.equal(en['synthetic.badge'], 'synthetic demo data');
});

test('t() fills placeholders and follows the language', () => {
  assert.equal(i18n.getLang(), 'zh-CN');
  assert.equal(i18n.t('unit.tier', { n: 3 }), '3分钟');
  assert.equal(i18n.t('unit.metre', { n: 80 }), '80 米');
  i18n.setLang('en'); // no localStorage in Node: must not throw
  assert.equal(i18n.t('unit.tier', { n: 3 }), '3-minute');
  assert.equal(i18n.t('layer.kiosks'), 'Police kiosks');
  i18n.setLang('zh-CN');
  assert.equal(i18n.initLang(), 'zh-CN', 'default language is zh-CN');
});

test('every key used in src/ exists in the dictionary', async () => {
  const srcDir = path.join(root, 'src');
  const files = (await readdir(srcDir)).filter((f) => f.endsWith('.ts'));
  const used = new Set();
  const dynamic = new Set();
  const prefixes = new Set(Object.keys(zh).map((k) => k.split('.')[0]));
  for (const f of files) {
    if (f === 'i18n.ts') continue;
    const text = await readFile(path.join(srcDir, f), 'utf8');
    // Any 'prefix.name' string literal whose prefix is a dictionary prefix is a key:
    // t('key'), typed Key fields (label: 'legend.roadMajor') and popup rows (['prop.ref', …]).
    for (const m of text.matchAll(/'([a-z]+)\.([a-zA-Z]+)'/g)) if (prefixes.has(m[1])) used.add(`${m[1]}.${m[2]}`);
    // Dynamic keys: t(`kind.${…}`)
    for (const m of text.matchAll(/\bt\(\s*`([a-z]+)\.\$\{/g)) dynamic.add(m[1]);
  }
  assert.ok(used.size > 40, `found only ${used.size} keys in src/`);
  const missing = [...used].filter((k) => !(k in zh));
  assert.deepEqual(missing, [], 'keys used in src/ but missing from the dictionary');
  // Dynamic keys t(`kind.${…}`) etc.: every value the code can produce must exist.
  const values = {
    kind: ['fixed', 'dome', 'ptz'],
    category: ['school', 'hospital', 'bank', 'transport', 'market', 'government', 'other'],
    car: ['both', 'forward', 'backward', 'none'],
  };
  for (const prefix of dynamic) {
    assert.ok(values[prefix], `no known values for dynamic key prefix ${prefix}.`);
    for (const v of values[prefix]) assert.ok(`${prefix}.${v}` in zh, `${prefix}.${v}`);
  }
  const unused = Object.keys(zh).filter((k) => !used.has(k) && !dynamic.has(k.split('.')[0]));
  assert.deepEqual(unused, [], 'dictionary keys no code uses');
});
