import { describe, expect, it } from 'vitest';
import { ClusterState } from './cluster-state.js';
import { hasPods, podVertexId, topOwner } from './pod-owner.js';
import { pod } from './testing/records.js';

describe('podVertexId', () => {
  const state = new ClusterState('c', 'c');
  state.apply({ op: 'upsert', record: { kind: 'ReplicaSet', uid: 'rs-1', name: 'cart-7d9', namespace: 'shop', createdAt: 0, desired: 2, ready: 2, owner: { kind: 'Deployment', name: 'cart', uid: 'd-1' } } });
  state.apply({ op: 'upsert', record: { kind: 'Job', uid: 'job-1', name: 'report-123', namespace: 'shop', createdAt: 0, desired: 1, ready: 0, succeeded: 0, failed: 0, active: 1, owner: { kind: 'CronJob', name: 'report', uid: 'cj-1' } } });

  it('names the Deployment of a ReplicaSet pod and the CronJob of a Job pod', () => {
    expect(podVertexId(state, pod('p1', { namespace: 'shop', owner: { kind: 'ReplicaSet', name: 'cart-7d9', uid: 'rs-1' } }))).toBe('Deployment/shop/cart');
    expect(podVertexId(state, pod('p1', { namespace: 'shop', owner: { kind: 'Job', name: 'report-123', uid: 'job-1' } }))).toBe('CronJob/shop/report');
  });

  it('keeps a direct controller, a ReplicaSet it does not know, and a bare pod as themselves', () => {
    expect(podVertexId(state, pod('p2', { namespace: 'db', owner: { kind: 'StatefulSet', name: 'pg', uid: 's-1' } }))).toBe('StatefulSet/db/pg');
    expect(topOwner(state, pod('p3', { namespace: 'x', owner: { kind: 'ReplicaSet', name: 'orphan', uid: 'rs-gone' } }))).toEqual({ kind: 'ReplicaSet', name: 'orphan', uid: 'rs-gone' });
    expect(podVertexId(state, pod('p4', { name: 'debug', namespace: 'tools' }))).toBe('Pod/tools/debug');
  });

  it('says which vertices stand for pods', () => {
    expect(hasPods({ kind: 'Deployment' })).toBe(true);
    expect(hasPods({ kind: 'Pod' })).toBe(true);
    expect(hasPods({ kind: 'Service' })).toBe(false);
    expect(hasPods({ kind: 'Outside' })).toBe(false);
  });
});
