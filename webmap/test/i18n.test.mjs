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

// ---------- strings that bypass t() ----------
//
// Every string the page shows must come from the dictionaries. These checks
// read the sources: a CJK string literal in any .ts file but i18n.ts, English
// text in an HTML template (text between tags, or a title / aria-label /
// placeholder / alt attribute), a literal assigned to textContent, innerText,
// title, placeholder or ariaLabel, or passed to setAttribute('title' | 'aria-label'
// | 'placeholder' | 'alt', …), alert / confirm / prompt, showError or
// bindTooltip, and static text in static/index.html that the page does not
// replace from the dictionary at start. ALLOW lists what may stay: symbols and
// proper names, each with its reason.

/** Literal text (after removing ${…} and tags) that may appear outside t(). */
const ALLOW = new Map([
  ['警', 'the police glyph of the kiosk symbol (a symbol, the same in both languages)'],
  ['、', 'the Chinese list separator, chosen by getLang() next to the English ", "'],
  ['×', 'the close / remove symbol'],
  ['Tidewatch', 'the product name'],
  ['OpenStreetMap', 'a proper name'],
  ['GPX', 'a file format'],
  ['GeoJSON', 'a file format'],
  ['CSV', 'a file format'],
]);

const CJK = /[\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef]/;
const HOLE = '\u0000'; // a ${…} of a template literal

/**
 * The string literals of a TypeScript source: [{ text, line, before }] where
 * text is the literal's content (template holes replaced by HOLE, nested
 * templates inside holes reported on their own) and before is the code just in
 * front of it. Comments are skipped; regex literals are recognised by what
 * precedes a slash.
 */
function stringLiterals(src) {
  const out = [];
  let i = 0;
  let line = 1;
  let code = ''; // the code outside literals and comments, for `before`
  const regexBefore = /(^|[=(,:;!&|?{}[+\-*%<>~^]|\breturn|\btypeof|\bcase|\bin|\bof)\s*$/;
  function readQuoted(q) {
    let s = '';
    i++;
    while (i < src.length && src[i] !== q) {
      if (src[i] === '\\') {
        s += src[i + 1] === 'n' ? '\n' : src[i + 1];
        i += 2;
        continue;
      }
      if (src[i] === '\n') line++;
      s += src[i++];
    }
    i++;
    return s;
  }
  function readTemplate() {
    // at the backtick
    const start = line;
    let s = '';
    i++;
    while (i < src.length && src[i] !== '`') {
      if (src[i] === '\\') {
        s += src[i + 1];
        i += 2;
        continue;
      }
      if (src[i] === '$' && src[i + 1] === '{') {
        i += 2;
        s += HOLE;
        readCode(1); // the expression, up to its closing brace
        continue;
      }
      if (src[i] === '\n') line++;
      s += src[i++];
    }
    i++;
    return { s, start };
  }
  // Reads code until depth braces close (depth 0: to the end of the source).
  function readCode(depth) {
    while (i < src.length) {
      const c = src[i];
      const n = src[i + 1];
      if (c === '\n') {
        line++;
        code += c;
        i++;
      } else if (c === '/' && n === '/') {
        while (i < src.length && src[i] !== '\n') i++;
      } else if (c === '/' && n === '*') {
        i += 2;
        while (i < src.length && !(src[i] === '*' && src[i + 1] === '/')) {
          if (src[i] === '\n') line++;
          i++;
        }
        i += 2;
      } else if (c === '/' && regexBefore.test(code.slice(-40))) {
        // a regex literal: skip it (with its classes, where / needs no escape)
        i++;
        let cls = false;
        while (i < src.length && (cls || src[i] !== '/') && src[i] !== '\n') {
          if (src[i] === '\\') i++;
          else if (src[i] === '[') cls = true;
          else if (src[i] === ']') cls = false;
          i++;
        }
        i++;
        code += '/re/';
      } else if (c === "'" || c === '"') {
        const l = line;
        const before = code.slice(-80);
        const s = readQuoted(c);
        out.push({ text: s, line: l, before });
        code += '""';
      } else if (c === '`') {
        const before = code.slice(-80);
        const { s, start } = readTemplate();
        out.push({ text: s, line: start, before });
        code += '""';
      } else if (c === '{') {
        depth && depth++;
        code += c;
        i++;
      } else if (c === '}') {
        if (depth) {
          depth--;
          if (depth === 0) {
            i++;
            return;
          }
        }
        code += c;
        i++;
      } else {
        code += c;
        i++;
      }
    }
  }
  readCode(0);
  return out;
}

/** Text of a literal a user would read: holes and tags removed, whitespace squeezed. */
function visibleParts(text) {
  const parts = [];
  const html = /<[a-zA-Z][^>]*>|<\/[a-zA-Z]+>/.test(text);
  if (html) {
    for (const m of text.matchAll(/\s(?:title|aria-label|placeholder|alt)="([^"]*)"/g)) parts.push(m[1]);
    const noTags = text.replace(/<style[\s\S]*?<\/style>/g, ' ').replace(/<[^>]*>/g, '\n');
    parts.push(...noTags.split('\n'));
  } else parts.push(text);
  return parts.map((p) => p.split(HOLE).join(' ').replace(/&[a-z]+;|&#\d+;/g, ' ').replace(/\s+/g, ' ').trim()).filter(Boolean);
}

function allowed(part) {
  let rest = part;
  for (const a of ALLOW.keys()) rest = rest.split(a).join(' ');
  return rest;
}

const SINK = /(\.(textContent|innerText|title|placeholder|ariaLabel|alt)\s*\+?=\s*|setAttribute\(\s*""\s*,\s*|\b(alert|confirm|prompt|showError|bindTooltip)\(\s*)$/;
const SINK_ATTR = /setAttribute\(\s*""\s*,\s*$/;
const WORDS = /[A-Za-z]{2,}/;

/** The strings of one source that bypass t(): [{ line, text, why }]. */
function bypasses(src, file = '') {
  const found = [];
  const lits = stringLiterals(src);
  for (let k = 0; k < lits.length; k++) {
    const { text, line, before } = lits[k];
    const isHTML = /<[a-zA-Z][^>]*>/.test(text);
    for (const part of visibleParts(text)) {
      const rest = allowed(part);
      if (CJK.test(rest)) found.push({ file, line, text: part, why: 'CJK text outside the dictionary' });
      else if (isHTML && WORDS.test(rest) && /[a-zA-Z]{3,}|\s/.test(rest) && !/^[\w-]+(=|:)/.test(rest)) found.push({ file, line, text: part, why: 'English text in HTML outside t()' });
    }
    if (!isHTML && SINK.test(before)) {
      // setAttribute's first literal is the attribute name: only the value counts, and only for text attributes.
      if (SINK_ATTR.test(before)) {
        const name = lits[k - 1]?.text;
        if (!['title', 'aria-label', 'placeholder', 'alt'].includes(name)) continue;
      }
      const rest = allowed(text.split(HOLE).join(' '));
      if (WORDS.test(rest) && !CJK.test(rest)) found.push({ file, line, text, why: 'a literal shown to the user without t()' });
    }
  }
  return found;
}

test('the string scanner finds what bypasses t() and nothing else', () => {
  const src = [
    "// a comment with 中文 is fine",
    "/* 也是注释 */ const re = /[\"'<>]/g;",
    "el.textContent = 'Loading…';",
    "el.textContent = t('app.loading');",
    "b.innerHTML = `<b>${esc(t('legend.title'))}</b><span class=\"x\">Save now</span>`;",
    "b.innerHTML = `<button title=\"Close\">×</button>`;",
    "const label = '警务站';",
    "const kiosk = '<div class=\"tw-kiosk\">警</div>';",
    "const sep = getLang() === 'en' ? ', ' : '、';",
    "el.setAttribute('aria-label', 'Dismiss');",
    "el.setAttribute('data-layer', 'roads');",
    "const u = `/api/v1/layers/${name}?bbox=${bbox}`;",
    "const n = `${t('a.b')} ${`内嵌`}`;",
  ].join('\n');
  const got = bypasses(src).map((f) => `${f.line}:${f.text}`);
  assert.deepEqual(got, ['3:Loading…', '5:Save now', '6:Close', '7:警务站', '10:Dismiss', '13:内嵌']);
});

test('no UI string in src/*.ts bypasses t()', async () => {
  const srcDir = path.join(root, 'src');
  const files = (await readdir(srcDir)).filter((f) => f.endsWith('.ts') && f !== 'i18n.ts' && !f.endsWith('.gen.ts'));
  const found = [];
  for (const f of files) found.push(...bypasses(await readFile(path.join(srcDir, f), 'utf8'), `src/${f}`));
  assert.deepEqual(
    found.map((x) => `${x.file}:${x.line}: ${x.why}: ${JSON.stringify(x.text)}`),
    [],
    'put these strings into src/i18n.ts (both languages) and show them with t(), or add a symbol / proper name to ALLOW with its reason',
  );
});

test('static/index.html shows only what the page replaces from the dictionary', async () => {
  const html = await readFile(path.join(root, 'static', 'index.html'), 'utf8');
  const zhValues = new Set(Object.values(zh));
  const sources = (await Promise.all((await readdir(path.join(root, 'src'))).filter((f) => f.endsWith('.ts')).map((f) => readFile(path.join(root, 'src', f), 'utf8')))).join('\n');
  const problems = [];
  const body = html.replace(/<script[\s\S]*?<\/script>/g, '').replace(/<style[\s\S]*?<\/style>/g, '').replace(/<!--[\s\S]*?-->/g, '');
  // Text nodes with the element that holds them.
  const re = /<([a-zA-Z][\w-]*)([^>]*)>([^<]*)/g;
  for (const m of body.matchAll(re)) {
    const [, tag, attrs, rawText] = m;
    const id = /\sid="([^"]+)"/.exec(attrs)?.[1];
    const texts = [rawText.replace(/\s+/g, ' ').trim()];
    for (const a of attrs.matchAll(/\s(title|aria-label|placeholder|alt)="([^"]*)"/g)) texts.push(a[2].trim());
    for (const text of texts) {
      if (!text || !/[A-Za-z\u3400-\u9fff]/.test(allowed(text))) continue; // empty, or only symbols
      if (!zhValues.has(text)) {
        problems.push(`<${tag}${id ? ` id="${id}"` : ''}>: ${JSON.stringify(text)} is not a zh-CN dictionary string`);
        continue;
      }
      // A dictionary string is fine where the page puts the current language's text at start.
      const replaced = tag === 'title' ? /document\.title\s*=/.test(sources) : !!id && new RegExp(`['"\`#]${id}['"\`]`).test(sources);
      if (!replaced) problems.push(`<${tag}${id ? ` id="${id}"` : ''}>: ${JSON.stringify(text)} stays in Chinese after the English switch (no code sets it)`);
    }
  }
  assert.deepEqual(problems, []);
});

test('English strings are English, Chinese strings are translated', () => {
  // Keys whose text is the same, or in the other script, on purpose.
  const SAME = new Set(['source.osm', 'app.switchTo', 'app.switchTitle']);
  const bad = [];
  for (const [k, v] of Object.entries(en)) if (CJK.test(allowed(v)) && !SAME.has(k)) bad.push(`en ${k}: ${v}`);
  for (const [k, v] of Object.entries(zh)) {
    if (SAME.has(k)) continue;
    if (v === en[k] && /[A-Za-z]{2,}/.test(v.replace(/\{\w+\}/g, ''))) bad.push(`zh-CN ${k} is the English text: ${v}`);
    else if (!CJK.test(v) && /[A-Za-z]{3,}/.test(allowed(v).replace(/\{\w+\}/g, ''))) bad.push(`zh-CN ${k} has no Chinese: ${v}`);
  }
  assert.deepEqual(bad, []);
});
