// Bundles the web map into dist/: app.js (TypeScript + Leaflet), app.css
// (Leaflet's CSS with its images inlined as data: URLs) and index.html.
// Nothing in the output refers to an external host: the intranet has none.
import * as esbuild from 'esbuild';
import { readdir, rm, copyFile, readFile, mkdir } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { generateOutline } from './gen-outline.mjs';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const dist = path.join(root, 'dist');

// The mainland China outline (where GCJ-02 applies), copied from geo/chinacrs.go.
await generateOutline();

await mkdir(dist, { recursive: true });
for (const name of await readdir(dist)) {
  if (name !== '.gitkeep') await rm(path.join(dist, name), { recursive: true, force: true });
}

await esbuild.build({
  absWorkingDir: root,
  entryPoints: [
    { in: 'src/main.ts', out: 'app' },
    { in: 'src/styles.css', out: 'app' },
  ],
  bundle: true,
  outdir: 'dist',
  format: 'iife',
  target: ['es2020'],
  minify: true,
  legalComments: 'none',
  loader: { '.png': 'dataurl', '.svg': 'dataurl' },
  logLevel: 'info',
});
await copyFile(path.join(root, 'static', 'index.html'), path.join(dist, 'index.html'));

// Guard: no stylesheet may load anything from another host.
const css = await readFile(path.join(dist, 'app.css'), 'utf8');
const external = [...css.matchAll(/url\(\s*["']?(?!data:|#)([^"')]+)/g)].map((m) => m[1]);
if (external.length > 0) {
  console.error('app.css refers to files that are not inlined:', external);
  process.exit(1);
}
console.log('built', (await readdir(dist)).filter((n) => n !== '.gitkeep').join(', '));
