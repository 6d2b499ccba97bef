// What a reflector remembers of the objects it emitted: enough to skip an unchanged update, to
// know what to delete after a relist, and (for pods and nodes) which uid has a given name.
//
// That is the record itself, by namespace and name. The consumer (the store) keeps exactly the
// records a reflector emits, so holding a reference costs one table entry and nothing more; the
// next version is compared field by field (no hash, no collision); and the same table tells the
// metrics poller which uid pod shop/web has, without a second index. Names are unique within a
// namespace for one resource, and a record and a watch DELETED event both carry them.
//
// A consumer that drops some records on purpose (the event limiter keeps the newest events
// only) tells the reflector to forget them, so that nothing is remembered the consumer does not
// hold; an update of a forgotten object is emitted again as new.
import type { ClusterRecord } from '../../model/records.js';
import { sameJson } from '../../model/same-json.js';

export class KnownObjects {
  /** namespace ("" for cluster-scoped kinds) → name → the record last emitted */
  private readonly byNamespace = new Map<string, Map<string, ClusterRecord>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  /**
   * Remembers a record about to be emitted. `same`: it equals the one emitted last, do not emit
   * it. `replaced`: the uid of another object that had the same name (a pod recreated while a
   * relist was due), which is gone.
   */
  remember(record: ClusterRecord): { same: boolean; replaced?: string } {
    const namespace = record.namespace ?? '';
    let byName = this.byNamespace.get(namespace);
    if (byName === undefined) {
      byName = new Map();
      this.byNamespace.set(namespace, byName);
    }
    const previous = byName.get(record.name);
    if (previous !== undefined && previous.uid === record.uid && sameJson(previous, record)) return { same: true };
    byName.set(record.name, record);
    if (previous === undefined) this.count++;
    return previous === undefined || previous.uid === record.uid ? { same: false } : { same: false, replaced: previous.uid };
  }

  /**
   * Forgets the object with this uid (deleted, or dropped by the consumer); false when it was not
   * known. Namespace ("" for cluster-scoped kinds) and name find it at once; without them, a scan.
   */
  forget(uid: string, namespace: string | undefined, name: string | undefined): boolean {
    if (namespace === undefined || name === undefined) {
      // An event that names no object: find it by uid (a scan, for a malformed event).
      for (const [ns, byName] of this.byNamespace) {
        for (const [n, record] of byName) if (record.uid === uid) return this.forget(uid, ns, n);
      }
      return false;
    }
    const byName = this.byNamespace.get(namespace);
    // A delete of an older object of the same name (already replaced) forgets nothing.
    if (byName?.get(name)?.uid !== uid) return false;
    byName.delete(name);
    this.count--;
    if (byName.size === 0) this.byNamespace.delete(namespace);
    return true;
  }

  /** Forgets every object whose uid `keep` refuses (after a relist: not listed); returns their uids. */
  sweep(keep: (uid: string) => boolean): string[] {
    const gone: string[] = [];
    for (const [namespace, byName] of this.byNamespace) {
      for (const [name, record] of byName) {
        if (keep(record.uid)) continue;
        byName.delete(name);
        gone.push(record.uid);
      }
      if (byName.size === 0) this.byNamespace.delete(namespace);
    }
    this.count -= gone.length;
    return gone;
  }

  /** The record last emitted under this namespace ("" for cluster-scoped kinds) and name. */
  find(namespace: string, name: string): ClusterRecord | undefined {
    return this.byNamespace.get(namespace)?.get(name);
  }
}
