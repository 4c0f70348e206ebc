// Loads a TypeScript module from src/ in Node for unit tests: esbuild bundles it
// to ESM in memory and it is imported from a data: URL. Only for modules that
// do not need the DOM (i18n.ts, geometry.ts).
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

export async function loadTS(rel) {
  const out = await esbuild.build({
    absWorkingDir: root,
    entryPoints: [rel],
    bundle: true,
    format: 'esm',
    platform: 'neutral',
    write: false,
    logLevel: 'silent',
  });
  const code = out.outputFiles[0].text;
  return import('data:text/javascript;base64,' + Buffer.from(code).toString('base64'));
}
