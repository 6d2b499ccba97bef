import { describe, expect, it } from 'vitest';
import { RECORD_KINDS, type ClusterRecord, type NodeRecord, type PodRecord, type ServiceRecord } from '../../model/records.js';
import { checkConsistency } from './consistency.js';
import { generateCluster } from './generate.js';

// The checker itself must catch what it claims to: break a consistent cluster and see.
const cluster = generateCluster({ size: 'small', seed: 1, now: Date.UTC(2025, 0, 6, 9) });
const records = (): ClusterRecord[] => RECORD_KINDS.flatMap((k) => [...cluster.ledger.records(k)]);
const running = () => records().find((r): r is PodRecord => r.kind === 'Pod' && r.status === 'Running' && r.owner?.kind === 'ReplicaSet' && r.podIP !== undefined) as PodRecord;

describe('checkConsistency', () => {
  it('finds nothing wrong with a generated cluster', () => {
    expect(checkConsistency(records())).toEqual([]);
  });

  it('catches a pod on a node that does not exist', () => {
    const pod = running();
    const broken = records().map((r) => (r === pod ? { ...pod, nodeName: 'gone' } : r));
    expect(checkConsistency(broken).join('\n')).toMatch(/on missing node gone/);
  });

  it('catches a missing owner and a ReplicaSet short of pods', () => {
    const pod = running();
    const broken = records().filter((r) => r.uid !== pod.owner?.uid);
    expect(checkConsistency(broken).join('\n')).toMatch(/owner ReplicaSet .* does not exist/);
    const fewer = records().filter((r) => r !== pod);
    expect(checkConsistency(fewer).join('\n')).toMatch(/active pods, \d+ desired/);
  });

  it('catches an overcommitted node', () => {
    const pod = running();
    const broken = records().map((r) => (r === pod ? { ...pod, requests: { cpu: 1_000_000, memory: 1 } } : r));
    expect(checkConsistency(broken).join('\n')).toMatch(/overcommitted/);
  });

  it('catches endpoints that do not match the selector, and hosts naming no service', () => {
    const svc = records().find((r): r is ServiceRecord => r.kind === 'Service' && r.selector !== undefined && r.namespace === 'shop') as ServiceRecord;
    const broken = records().map((r) => (r === svc ? { ...svc, selector: { app: 'nothing' } } : r));
    expect(checkConsistency(broken).join('\n')).toMatch(/endpoints \d+ differ from the 0 matching pods/);
    const withoutServices = records().filter((r) => !(r.kind === 'Service' && r.namespace === 'orders'));
    expect(checkConsistency(withoutServices).join('\n')).toMatch(/env host .* names no service/);
  });

  it('catches usage for a node that is gone', () => {
    const node = records().find((r): r is NodeRecord => r.kind === 'Node' && r.ready) as NodeRecord;
    const broken = records().filter((r) => r !== node);
    expect(checkConsistency(broken).join('\n')).toMatch(/NodeMetrics .* measures nothing/);
  });
});
