// Test fixtures: real API objects as JSON, loaded fresh for each use so tests can edit them.
import { readFileSync } from 'node:fs';

export function fixture<T = Record<string, any>>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

/** The object of `kind` in a fixture file holding a list of objects. */
export function fixtureOf(file: string, kind: string, name?: string): Record<string, any> {
  const found = fixture<Record<string, any>[]>(file).find(
    (o) => o.kind === kind && (name === undefined || o.metadata.name === name),
  );
  if (!found) throw new Error(`no ${kind} ${name ?? ''} in ${file}`);
  return found;
}

/**
 * Copies of `base` with subtrees replaced by values of the wrong type, for robustness tests:
 * every object and array node, replaced in turn by each of the hostile values.
 */
export function* mutations(base: unknown): Generator<unknown> {
  const hostile: unknown[] = [null, -1, 1e308, '\u0000', [], {}];
  const paths: (string | number)[][] = [];
  const walk = (node: unknown, path: (string | number)[]) => {
    if (typeof node !== 'object' || node === null) return;
    paths.push(path);
    for (const [key, child] of Object.entries(node)) {
      walk(child, [...path, Array.isArray(node) ? Number(key) : key]);
      if (typeof child !== 'object' || child === null) paths.push([...path, key]);
    }
  };
  walk(base, []);
  for (const path of paths) {
    for (const value of hostile) {
      if (path.length === 0) {
        yield value;
        continue;
      }
      const copy = structuredClone(base) as Record<string | number, unknown>;
      let node: Record<string | number, unknown> = copy;
      for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
      node[path[path.length - 1] as string | number] = value;
      yield copy;
    }
  }
}
