// The contract every ClusterSource keeps, as a vitest suite that any implementation registers
// with a way to make a subject (a source plus a driver that changes the cluster behind it). The
// simulated source runs it in unit tests; the Kubernetes source runs it against a real API
// server in test/integration. Not a test file itself: it only registers tests when called.
import { afterEach, describe, expect, it } from 'vitest';
import type { ClusterStatus } from '../model/cluster-status.js';
import type { ClusterRecord, Labels, NamespaceRecord, NodeRecord, PodRecord, RecordKind } from '../model/records.js';
import { validateRecord } from '../model/validate.js';
import type { ClusterSource, SourceEvent } from './source.js';

/** Changes the cluster behind a source, as API requests would. Resolves once accepted. */
export interface ContractDriver {
  createNamespace(name: string): Promise<void>;
  createPod(ns: string, name: string, labels: Record<string, string>, nodeName?: string): Promise<void>;
  deletePod(ns: string, name: string): Promise<void>;
  createNode(name: string, labels?: Record<string, string>): Promise<void>;
  cordonNode(name: string): Promise<void>;
  deleteNode(name: string): Promise<void>;
}

export interface ContractSubject {
  source: ClusterSource;
  driver: ContractDriver;
  cleanup(): Promise<void>;
}

/** A pod record larger than this, labels not counted, carries more than the views need. */
const MAX_POD_BYTES_WITHOUT_LABELS = 3_000;
const USAGE_KINDS: readonly RecordKind[] = ['NodeMetrics', 'PodMetrics'];

/** What a consumer holds after applying a source's events in order, plus what went wrong. */
export interface Collected {
  /** Records by "kind/uid" (usage records share the uid of the node or pod they measure). */
  readonly records: Map<string, ClusterRecord>;
  readonly statuses: ClusterStatus[];
  /** For each status event, how many records of each kind the model held at that moment. */
  readonly countsAtStatus: Map<ClusterStatus, Map<RecordKind, number>>;
  /** Every event, in order. */
  readonly log: SourceEvent[];
  /** Contract violations seen while applying events. */
  readonly problems: string[];
  /** Sink calls so far. */
  readonly calls: number;
  /** From now on, any event is a violation (call once stop() has resolved). */
  markStopped(): void;
  /** Resolves with the first truthy value of `probe`, re-evaluated after every sink call. */
  waitFor<T>(probe: () => T | undefined | false, what: string, timeoutMs: number): Promise<T>;
  find<K extends RecordKind>(kind: K, predicate: (r: Extract<ClusterRecord, { kind: K }>) => boolean): Extract<ClusterRecord, { kind: K }> | undefined;
}

/** Starts the source with a sink that applies every event to a Map model and checks it. */
export function collect(source: ClusterSource): Collected {
  const records = new Map<string, ClusterRecord>();
  const kindOfUid = new Map<string, RecordKind>();
  const counts = new Map<RecordKind, number>();
  const statuses: ClusterStatus[] = [];
  const countsAtStatus = new Map<ClusterStatus, Map<RecordKind, number>>();
  const log: SourceEvent[] = [];
  const problems: string[] = [];
  const waiters = new Set<() => void>();
  let calls = 0;
  let stopped = false;

  const bump = (kind: RecordKind, by: number) => counts.set(kind, (counts.get(kind) ?? 0) + by);

  const apply = (event: SourceEvent): void => {
    log.push(event);
    if (event.type === 'status') {
      statuses.push(event.status);
      countsAtStatus.set(event.status, new Map(counts));
      return;
    }
    if (event.type === 'delete') {
      const key = `${event.kind}/${event.uid}`;
      if (!records.delete(key)) problems.push(`delete of ${key}, which was never upserted (or was already deleted)`);
      else {
        bump(event.kind, -1);
        if (!USAGE_KINDS.includes(event.kind)) kindOfUid.delete(event.uid);
      }
      return;
    }
    const r = event.record;
    const label = `${r.kind} ${'namespace' in r && r.namespace ? `${r.namespace}/` : ''}${r.name}`;
    for (const p of validateRecord(r)) problems.push(`${label}: ${p}`);
    const notJson = jsonProblem(r, 'record');
    if (notJson) problems.push(`${label}: not plain JSON data: ${notJson}`);
    if (r.kind === 'Pod') {
      const bytes = JSON.stringify(r).length - JSON.stringify(r.labels ?? {}).length;
      if (bytes > MAX_POD_BYTES_WITHOUT_LABELS) problems.push(`${label}: ${bytes} bytes of JSON without labels; compact records should be far smaller`);
    }
    if (!USAGE_KINDS.includes(r.kind)) {
      const other = kindOfUid.get(r.uid);
      if (other !== undefined && other !== r.kind) problems.push(`${label}: uid ${r.uid} is already the uid of a ${other}`);
      kindOfUid.set(r.uid, r.kind);
    }
    const key = `${r.kind}/${r.uid}`;
    if (!records.has(key)) bump(r.kind, 1);
    records.set(key, r);
  };

  source.start((events) => {
    calls++;
    if (stopped) problems.push(`${events.length} event(s) after stop() resolved`);
    if (!Array.isArray(events) || events.length === 0) problems.push('a sink call without events');
    for (const e of events) apply(e);
    for (const check of [...waiters]) check();
  });

  return {
    records,
    statuses,
    countsAtStatus,
    log,
    problems,
    get calls() {
      return calls;
    },
    markStopped() {
      stopped = true;
    },
    waitFor<T>(probe: () => T | undefined | false, what: string, timeoutMs: number): Promise<T> {
      return new Promise<T>((resolve, reject) => {
        const check = () => {
          const value = probe();
          if (value === undefined || value === false) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(value);
        };
        const timer = setTimeout(() => {
          waiters.delete(check);
          reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
        }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    find(kind, predicate) {
      for (const r of records.values()) if (r.kind === kind && predicate(r as never)) return r as never;
      return undefined;
    },
  };
}

/** Why a value is not plain JSON data (undefined when it is). */
function jsonProblem(v: unknown, path: string): string | undefined {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return undefined;
  if (typeof v === 'number') return Number.isFinite(v) ? undefined : `${path} is ${v}`;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const p = jsonProblem(v[i], `${path}[${i}]`);
      if (p) return p;
    }
    return undefined;
  }
  if (typeof v === 'object') {
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) return `${path} is a ${proto?.constructor?.name ?? 'non-plain'} object`;
    for (const [k, x] of Object.entries(v)) {
      if (x === undefined) continue;
      const p = jsonProblem(x, `${path}.${k}`);
      if (p) return p;
    }
    return undefined;
  }
  return `${path} is a ${typeof v}`;
}

const PHASE_ORDER = ['connecting', 'syncing', 'live'];

/** A label value of the maximum length (63) using every character class label values allow. */
function longLabelValue(i: number): string {
  const value = `v${i}-` + 'aZ09._-'.repeat(10);
  return `${value.slice(0, 62)}z`;
}

/** Many labels, with prefixed keys, maximum-length values. */
function manyLabels(count = 40): Labels {
  const labels: Labels = { app: 'contract-probe' };
  for (let i = 0; i < count; i++) labels[`contract.kubeglance.io/label-${i}`] = longLabelValue(i);
  return labels;
}

function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.floor(Math.random() * 36 ** 4).toString(36)}`;
}

export function describeSourceContract(name: string, makeSubject: () => Promise<ContractSubject>, options: { timeoutMs?: number } = {}): void {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const testTimeout = timeoutMs * 4;

  describe(`ClusterSource contract: ${name}`, () => {
    let subject: ContractSubject | undefined;

    afterEach(async () => {
      const s = subject;
      subject = undefined;
      if (!s) return;
      await s.source.stop();
      await s.cleanup();
    });

    async function startLive(): Promise<{ subject: ContractSubject; c: Collected; live: ClusterStatus }> {
      subject = await makeSubject();
      const c = collect(subject.source);
      const live = await c.waitFor(() => c.statuses.find((s) => s.phase === 'live'), "status phase 'live'", timeoutMs);
      return { subject, c, live };
    }

    it(
      'reaches live through ordered phases, with valid, compact, uniquely keyed records',
      async () => {
        const { c, live } = await startLive();
        const before = c.statuses.slice(0, c.statuses.indexOf(live) + 1).map((s) => s.phase);
        const ranks = before.map((p) => PHASE_ORDER.indexOf(p));
        expect(ranks.every((r) => r >= 0), `phases before live: ${before.join(' → ')}`).toBe(true);
        expect(ranks, 'phases never go back before live').toEqual([...ranks].sort((a, b) => a - b));
        const counts = c.countsAtStatus.get(live) as Map<RecordKind, number>;
        for (const [kind, status] of Object.entries(live.kinds) as [RecordKind, NonNullable<ClusterStatus['kinds'][RecordKind]>][]) {
          expect(['live', 'unavailable'], `${kind} is ${status.state} when the cluster is live`).toContain(status.state);
          if (status.state === 'live') expect(status.count, `${kind} count in the live status`).toBe(counts.get(kind) ?? 0);
        }
        expect(c.find('Node', () => true), 'at least one Node').toBeDefined();
        expect(c.find('Namespace', (n) => n.name === 'default'), 'the default Namespace').toBeDefined();
        expect(c.problems).toEqual([]);
      },
      testTimeout,
    );

    it(
      'carries a created and deleted pod as upserts and a delete of the same uid, labels verbatim',
      async () => {
        const { subject, c } = await startLive();
        const ns = uniqueName('contract');
        const nodeName = uniqueName('contract-node');
        await subject.driver.createNamespace(ns);
        await c.waitFor(() => c.find('Namespace', (n: NamespaceRecord) => n.name === ns), `Namespace ${ns}`, timeoutMs);
        await subject.driver.createNode(nodeName);
        await c.waitFor(() => c.find('Node', (n: NodeRecord) => n.name === nodeName), `Node ${nodeName}`, timeoutMs);

        const labels = manyLabels();
        await subject.driver.createPod(ns, 'probe', labels, nodeName);
        const pod = await c.waitFor(() => c.find('Pod', (p: PodRecord) => p.namespace === ns && p.name === 'probe' && p.nodeName === nodeName), `Pod ${ns}/probe on ${nodeName}`, timeoutMs);
        expect(pod.labels).toEqual(labels);

        await subject.driver.deletePod(ns, 'probe');
        await c.waitFor(() => c.log.some((e) => e.type === 'delete' && e.kind === 'Pod' && e.uid === pod.uid), `delete of Pod ${pod.uid}`, timeoutMs);
        expect(c.find('Pod', (p: PodRecord) => p.uid === pod.uid)).toBeUndefined();
        expect(c.problems).toEqual([]);
      },
      testTimeout,
    );

    it(
      'carries a node created, cordoned and deleted under one uid',
      async () => {
        const { subject, c } = await startLive();
        const nodeName = uniqueName('contract-node');
        await subject.driver.createNode(nodeName, { 'contract.kubeglance.io/probe': 'yes' });
        const node = await c.waitFor(() => c.find('Node', (n: NodeRecord) => n.name === nodeName), `Node ${nodeName}`, timeoutMs);
        expect(node.labels?.['contract.kubeglance.io/probe']).toBe('yes');
        expect(node.unschedulable).toBe(false);

        await subject.driver.cordonNode(nodeName);
        const cordoned = await c.waitFor(() => c.find('Node', (n: NodeRecord) => n.name === nodeName && n.unschedulable), `Node ${nodeName} unschedulable`, timeoutMs);
        expect(cordoned.uid).toBe(node.uid);

        await subject.driver.deleteNode(nodeName);
        await c.waitFor(() => c.log.some((e) => e.type === 'delete' && e.kind === 'Node' && e.uid === node.uid), `delete of Node ${node.uid}`, timeoutMs);
        expect(c.problems).toEqual([]);
      },
      testTimeout,
    );

    it(
      'emits nothing once stop() has resolved',
      async () => {
        const { subject, c } = await startLive();
        await subject.source.stop();
        c.markStopped();
        const ns = uniqueName('contract');
        await subject.driver.createNamespace(ns);
        await subject.driver.createPod(ns, 'after-stop', { app: 'contract-probe' });
        await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, timeoutMs / 4)));
        expect(c.problems).toEqual([]);
      },
      testTimeout,
    );
  });
}
