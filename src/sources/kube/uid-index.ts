// name → uid of the pods and nodes the reflectors emitted. metrics.k8s.io names what it
// measured but has no uid, and usage records are keyed by the uid of the pod or node.
import type { SourceEvent } from '../source.js';

export class UidIndex {
  /** namespace ("" for nodes) → name → uid */
  private readonly uids = new Map<string, Map<string, string>>();
  /** uid → [namespace, name], to forget a uid on delete */
  private readonly names = new Map<string, [string, string]>();

  constructor(private readonly kind: 'Pod' | 'Node') {}

  observe(events: SourceEvent[]): void {
    for (const event of events) {
      if (event.type === 'upsert' && event.record.kind === this.kind) {
        const { uid, name } = event.record;
        const namespace = 'namespace' in event.record ? (event.record.namespace ?? '') : '';
        this.forget(uid);
        let byName = this.uids.get(namespace);
        if (!byName) {
          byName = new Map();
          this.uids.set(namespace, byName);
        }
        byName.set(name, uid);
        this.names.set(uid, [namespace, name]);
      } else if (event.type === 'delete' && event.kind === this.kind) {
        this.forget(event.uid);
      }
    }
  }

  uidOf(namespace: string | undefined, name: string): string | undefined {
    return this.uids.get(namespace ?? '')?.get(name);
  }

  private forget(uid: string): void {
    const key = this.names.get(uid);
    if (!key) return;
    this.names.delete(uid);
    const [namespace, name] = key;
    const byName = this.uids.get(namespace);
    // A newer object with the same name (a recreated StatefulSet pod) keeps its entry.
    if (byName?.get(name) === uid) byName.delete(name);
    if (byName?.size === 0) this.uids.delete(namespace);
  }
}
