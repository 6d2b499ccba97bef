// Every strip function, applied to the real API objects in the fixtures, gives a record the
// model's validator accepts: no field records.ts does not define, none of the wrong type.
import { describe, expect, it } from 'vitest';
import { validateRecord } from '../../model/validate.js';
import { WATCHED_KINDS } from './kinds.js';
import { readNodeUsage, readPodUsage } from './strip/metrics.js';
import { fixture, mutations } from './testing/fixtures.js';

const objects: Record<string, any>[] = [
  fixture('pod-web.json'),
  fixture('node.json'),
  fixture('namespace.json'),
  fixture('event.json'),
  ...fixture<Record<string, any>[]>('workloads.json'),
  ...fixture<Record<string, any>[]>('network.json'),
];

describe('strip functions against the model validator', () => {
  it.each(objects.map((o) => [`${o.kind} ${o.metadata.name}`, o]))('%s', (_name, object) => {
    const row = WATCHED_KINDS.find((k) => k.kind === object.kind);
    if (!row) throw new Error(`no row for ${object.kind}`);
    const record = row.strip(object);
    expect(record?.kind).toBe(object.kind);
    expect(validateRecord(record)).toEqual([]);
  });

  it('stays valid (or refuses) whatever field of a pod or node has the wrong type', () => {
    for (const [file, kind] of [['pod-web.json', 'Pod'], ['node.json', 'Node']] as const) {
      const row = WATCHED_KINDS.find((k) => k.kind === kind)!;
      for (const mutated of mutations(fixture(file))) {
        const record = row.strip(mutated);
        if (record) expect(validateRecord(record), JSON.stringify(mutated).slice(0, 200)).toEqual([]);
      }
    }
  });

  it('usage records', () => {
    const metrics = fixture('metrics.json');
    const node = readNodeUsage(metrics.node)!;
    const pod = readPodUsage(metrics.pod)!;
    expect(validateRecord({ kind: 'NodeMetrics', uid: 'n', ...node })).toEqual([]);
    expect(validateRecord({ kind: 'PodMetrics', uid: 'p', ...pod })).toEqual([]);
  });
});
