// The image (deploy/Dockerfile) and `npm install kubeglance` carry only `dependencies`: every
// package the server imports at run time must be listed there, not only in devDependencies (where
// it would work in a checkout and fail in production, or work by accident as someone else's
// dependency). Browser code is bundled at build time and test code never ships, so both are
// left out.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const packageJson = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };

/** Server-side source files that ship: not tests, not test support, not the browser app. */
function shippedSources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'testing' || full === path.join(ROOT, 'src/web') ? [] : shippedSources(full);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') && !entry.name.endsWith('.contract.ts') ? [full] : [];
  });
}

/** The package a bare specifier names: `a/b/c` → `a`, `@scope/a/b` → `@scope/a`. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

describe('runtime dependencies', () => {
  it('every package the shipped server code imports is in "dependencies"', () => {
    const imported = new Map<string, string>();
    for (const file of shippedSources(path.join(ROOT, 'src'))) {
      // Type-only imports vanish at compile time; everything else is loaded at run time.
      for (const match of readFileSync(file, 'utf8').matchAll(/^import (?!type )[^;]*? from '([^'.][^']*)'/gms)) {
        const specifier = match[1]!;
        if (!specifier.startsWith('node:')) imported.set(packageOf(specifier), path.relative(ROOT, file));
      }
    }
    expect(imported.size).toBeGreaterThan(5); // the scan finds the server's imports at all
    const missing = [...imported].filter(([name]) => packageJson.dependencies[name] === undefined).map(([name, file]) => `${name} (${file})`);
    expect(missing).toEqual([]);
  });
});
