// What sources report about the load they cause, so `/metrics` can show the watch and API
// request counts kubeglance puts on a cluster. The server wires this to prom-client; tests and
// benchmarks may count directly.

export type ApiVerb = 'list' | 'watch' | 'get';

export interface SourceTelemetry {
  /** One HTTP request to the API server finished (or failed before a status: code 0). */
  apiRequest(cluster: string, verb: ApiVerb, resource: string, code: number): void;
  /** Response body bytes read from the API server. */
  apiBytes(cluster: string, resource: string, bytes: number): void;
  /** One watch event received (ADDED, MODIFIED, DELETED, BOOKMARK, ERROR). */
  watchEvent(cluster: string, resource: string, type: string): void;
  /** A full relist started, and why (e.g. "initial", "gone", "error"). */
  relist(cluster: string, resource: string, reason: string): void;
  /** Watches currently open, up or down by one. */
  watchOpen(cluster: string, resource: string, delta: 1 | -1): void;
}

export const noTelemetry: SourceTelemetry = {
  apiRequest() {},
  apiBytes() {},
  watchEvent() {},
  relist() {},
  watchOpen() {},
};
