#!/usr/bin/env node
// Builds the browser app into dist/web, which the server serves:
//   src/web/main.ts    → dist/web/assets/app.js (+ app.js.map), one ESM bundle with pixi.js
//   src/web/views/topology/layout-worker.ts
//                      → dist/web/assets/layout-worker.js (+ .map), the topology layout worker
//                        with ELK, an ESM bundle of its own for `new Worker(url, { type: 'module' })`
//   src/web/styles.css → dist/web/assets/app.css
//   src/web/index.html → dist/web/index.html
// Types are not checked here (esbuild only strips them): `npm run typecheck` does that.
//
//   node scripts/build-web.mjs           one build
//   node scripts/build-web.mjs --watch   rebuild on every change (reload the page to see it)
import { watchFile } from 'node:fs';
import { copyFile, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SRC = path.join(ROOT, 'src/web');
const OUT = path.join(ROOT, 'dist/web');
const ASSETS = path.join(OUT, 'assets');
const watch = process.argv.includes('--watch');

/** index.html and the stylesheet are copied as they are, after every build. */
async function copyStatic() {
  await mkdir(ASSETS, { recursive: true });
  await copyFile(path.join(SRC, 'index.html'), path.join(OUT, 'index.html'));
  await copyFile(path.join(SRC, 'styles.css'), path.join(ASSETS, 'app.css'));
}

const copyStaticPlugin = {
  name: 'copy-static',
  setup(build) {
    build.onEnd(async (result) => {
      if (result.errors.length > 0) return;
      await copyStatic();
      if (watch) console.error(`[build-web] built ${new Date().toLocaleTimeString()}`);
    });
  },
};

/** @type {import('esbuild').BuildOptions} */
const options = {
  absWorkingDir: ROOT,
  // Each entry is a self-contained bundle (no code splitting): the worker must not import app.js.
  entryPoints: { app: path.join(SRC, 'main.ts'), 'layout-worker': path.join(SRC, 'views/topology/layout-worker.ts') },
  outdir: ASSETS,
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'chrome120',
  minify: process.env.KUBEGLANCE_WEB_MINIFY !== "0",
  sourcemap: 'linked',
  // The browser code has its own tsconfig (DOM types, bundler resolution).
  tsconfig: path.join(ROOT, 'tsconfig.web.json'),
  logLevel: 'warning',
  plugins: [copyStaticPlugin],
};

// A stale file from an earlier build would otherwise still be served.
await rm(OUT, { recursive: true, force: true });
if (watch) {
  const context = await esbuild.context(options);
  await context.watch();
  // esbuild watches what it bundles; the two copied files are polled.
  for (const file of ['index.html', 'styles.css']) {
    watchFile(path.join(SRC, file), { interval: 500 }, () => {
      copyStatic().then(
        () => console.error(`[build-web] copied ${file}`),
        (error) => console.error(`[build-web] ${error.message}`),
      );
    });
  }
  console.error('[build-web] watching src/web and src/model; Ctrl-C stops');
} else {
  await esbuild.build(options);
}
