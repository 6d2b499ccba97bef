// A small in-process imitation of kube-apiserver's list/watch behaviour over real HTTP, for unit
// tests of the API client, reflector, metrics poller and source: paginated LIST with continue
// tokens and remainingItemCount, WATCH from a resourceVersion with history replay, bookmarks,
// 410 for compacted history and expired continue tokens, field selectors, discovery, and rules
// that inject failures (403, 404, 429 with Retry-After, 500, dropped connections).
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';

type Obj = Record<string, any>;

export interface FakeRequest {
  path: string;
  query: URLSearchParams;
  watch: boolean;
  headers: http.IncomingHttpHeaders;
}

interface Rule {
  match: (request: FakeRequest) => boolean;
  respond: (res: ServerResponse, request: FakeRequest) => void;
  times: number;
}

interface Watcher {
  res: ServerResponse;
  namespace?: string;
  fieldSelector?: string;
  bookmarks: boolean;
}

interface HistoryEntry {
  rv: number;
  type: 'ADDED' | 'MODIFIED' | 'DELETED';
  object: Obj;
}

/** One resource (e.g. pods) across namespaces, with its change history. */
export class FakeCollection {
  readonly objects = new Map<string, Obj>();
  private readonly history: HistoryEntry[] = [];
  /** Watches from before this resourceVersion get 410: etcd compacted their history. */
  compactedBefore = 0;
  readonly watchers = new Set<Watcher>();

  constructor(private readonly server: FakeApiServer) {}

  /** Adds or replaces an object (by metadata.uid) and tells the watchers. */
  upsert(object: Obj): Obj {
    const rv = this.server.nextResourceVersion();
    const stored = structuredClone(object);
    stored.metadata.resourceVersion = String(rv);
    const type = this.objects.has(stored.metadata.uid) ? 'MODIFIED' : 'ADDED';
    this.objects.set(stored.metadata.uid, stored);
    this.record({ rv, type, object: stored });
    return stored;
  }

  delete(uid: string): void {
    const object = this.objects.get(uid);
    if (!object) throw new Error(`no object ${uid}`);
    this.objects.delete(uid);
    const rv = this.server.nextResourceVersion();
    this.record({ rv, type: 'DELETED', object: { ...object, metadata: { ...object.metadata, resourceVersion: String(rv) } } });
  }

  /** Changes the store without telling anyone, as if it happened while nobody watched. */
  silently(change: () => void): void {
    const watchers = [...this.watchers];
    this.watchers.clear();
    change();
    for (const watcher of watchers) this.watchers.add(watcher);
  }

  /** Forgets history: later watches from an older resourceVersion get 410. */
  compact(): void {
    this.compactedBefore = this.server.resourceVersion;
    this.history.length = 0;
  }

  bookmark(): void {
    const rv = this.server.nextResourceVersion();
    for (const watcher of this.watchers) {
      if (!watcher.bookmarks) continue;
      writeEvent(watcher.res, { type: 'BOOKMARK', object: { kind: 'Bookmark', metadata: { resourceVersion: String(rv) } } });
    }
  }

  /** Ends every open watch normally, as the server does when timeoutSeconds is up. */
  endWatches(): void {
    for (const watcher of this.watchers) watcher.res.end();
    this.watchers.clear();
  }

  /** Sends a watch ERROR event (e.g. 410 Expired) and ends every open watch. */
  failWatches(code: number, reason: string): void {
    for (const watcher of this.watchers) {
      writeEvent(watcher.res, { type: 'ERROR', object: { kind: 'Status', status: 'Failure', code, reason, message: reason } });
      watcher.res.end();
    }
    this.watchers.clear();
  }

  list(namespace: string | undefined, fieldSelector: string | undefined): Obj[] {
    return [...this.objects.values()].filter((o) => selects(o, namespace, fieldSelector));
  }

  changesSince(rv: number, namespace: string | undefined, fieldSelector: string | undefined): HistoryEntry[] {
    return this.history.filter((e) => e.rv > rv && selects(e.object, namespace, fieldSelector));
  }

  private record(entry: HistoryEntry): void {
    this.history.push(entry);
    for (const watcher of this.watchers) {
      if (selects(entry.object, watcher.namespace, watcher.fieldSelector)) {
        writeEvent(watcher.res, { type: entry.type, object: entry.object });
      }
    }
  }
}

export class FakeApiServer {
  resourceVersion = 1000;
  /** Served API group versions, for /apis discovery ("v1" is always served). */
  groupVersions = ['apps/v1', 'batch/v1', 'discovery.k8s.io/v1', 'networking.k8s.io/v1'];
  version = 'v1.36.3';
  /** Items per page when the client sends no smaller limit. */
  maxPageSize = 500;
  /** Compress list responses, as kube-apiserver does for large ones. */
  gzip = false;
  readonly requests: FakeRequest[] = [];
  private readonly collections = new Map<string, FakeCollection>();
  private readonly rules: Rule[] = [];
  private server: http.Server | undefined;
  private port = 0;

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  nextResourceVersion(): number {
    return ++this.resourceVersion;
  }

  /** The collection for a resource base path, e.g. "/api/v1/pods" or "/apis/apps/v1/deployments". */
  collection(basePath: string): FakeCollection {
    let collection = this.collections.get(basePath);
    if (!collection) {
      collection = new FakeCollection(this);
      this.collections.set(basePath, collection);
    }
    return collection;
  }

  /** Answers matching requests with `respond` instead of the normal behaviour, `times` times. */
  on(match: (request: FakeRequest) => boolean, respond: Rule['respond'], times = Infinity): void {
    this.rules.push({ match, respond, times });
  }

  /** Answers matching requests with a Status error. */
  fail(
    match: (request: FakeRequest) => boolean,
    code: number,
    options: { times?: number; reason?: string; headers?: Record<string, string> } = {},
  ): void {
    this.on(match, (res) => sendStatus(res, code, options.reason ?? http.STATUS_CODES[code] ?? 'Error', options.headers), options.times);
  }

  clearRules(): void {
    this.rules.length = 0;
  }

  /** Cuts every open connection, as a crashing API server or a broken network would. */
  dropConnections(): void {
    for (const collection of this.collections.values()) collection.watchers.clear();
    this.server?.closeAllConnections();
  }

  async start(): Promise<void> {
    const server = http.createServer((req, res) => this.handle(req, res));
    this.server = server;
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    // Stop accepting first, then cut what is open: otherwise a client reconnects in between.
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const collection of this.collections.values()) collection.watchers.clear();
    server.closeAllConnections();
    await closed;
  }

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://fake');
    const request: FakeRequest = {
      path: url.pathname,
      query: url.searchParams,
      watch: url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1',
      headers: req.headers,
    };
    this.requests.push(request);
    if (req.method !== 'GET') return sendStatus(res, 405, 'MethodNotAllowed');
    const rule = this.rules.find((r) => r.times > 0 && r.match(request));
    if (rule) {
      rule.times--;
      return rule.respond(res, request);
    }
    if (request.path === '/version') return sendJson(res, { gitVersion: this.version, major: '1', minor: '36' });
    if (request.path === '/apis') {
      const groups = new Map<string, string[]>();
      for (const gv of this.groupVersions) {
        const [group = '', version = ''] = gv.split('/');
        groups.set(group, [...(groups.get(group) ?? []), version]);
      }
      return sendJson(res, {
        kind: 'APIGroupList',
        apiVersion: 'v1',
        groups: [...groups].map(([name, versions]) => ({
          name,
          versions: versions.map((version) => ({ groupVersion: `${name}/${version}`, version })),
          preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
        })),
      });
    }
    const route = parseCollectionPath(request.path);
    if (!route || !this.serves(route.groupVersion)) return sendStatus(res, 404, 'NotFound', undefined, 'the server could not find the requested resource');
    const collection = this.collection(route.basePath);
    const fieldSelector = url.searchParams.get('fieldSelector') ?? undefined;
    if (request.watch) return this.watch(res, collection, route.namespace, fieldSelector, url.searchParams);
    return this.list(res, collection, route.namespace, fieldSelector, url.searchParams);
  }

  private serves(groupVersion: string): boolean {
    return groupVersion === 'v1' || this.groupVersions.includes(groupVersion);
  }

  private list(res: ServerResponse, collection: FakeCollection, namespace: string | undefined, fieldSelector: string | undefined, query: URLSearchParams): void {
    const limit = Math.min(Number(query.get('limit') ?? this.maxPageSize) || this.maxPageSize, this.maxPageSize);
    const token = query.get('continue');
    let listRv = this.resourceVersion;
    let offset = 0;
    if (token) {
      const [rv, start] = token.split(':').map(Number);
      if ((rv ?? 0) < collection.compactedBefore) {
        return sendStatus(res, 410, 'Expired', undefined, 'The provided continue parameter is too old to display a consistent list result.');
      }
      listRv = rv ?? listRv;
      offset = start ?? 0;
    }
    const items = collection.list(namespace, fieldSelector);
    const page = items.slice(offset, offset + limit);
    const remaining = items.length - offset - page.length;
    const metadata: Obj = { resourceVersion: String(listRv) };
    if (remaining > 0) {
      metadata.continue = `${listRv}:${offset + page.length}`;
      metadata.remainingItemCount = remaining;
    }
    sendJson(res, { kind: 'List', apiVersion: 'v1', metadata, items: page }, this.gzip);
  }

  private watch(res: ServerResponse, collection: FakeCollection, namespace: string | undefined, fieldSelector: string | undefined, query: URLSearchParams): void {
    const from = Number(query.get('resourceVersion') ?? '0');
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    res.flushHeaders(); // as kube-apiserver does: a watch is established before any event
    if (from < collection.compactedBefore) {
      writeEvent(res, { type: 'ERROR', object: { kind: 'Status', status: 'Failure', code: 410, reason: 'Expired', message: `too old resource version: ${from}` } });
      res.end();
      return;
    }
    for (const entry of collection.changesSince(from, namespace, fieldSelector)) {
      writeEvent(res, { type: entry.type, object: entry.object });
    }
    const watcher: Watcher = { res, bookmarks: query.get('allowWatchBookmarks') === 'true' };
    if (namespace !== undefined) watcher.namespace = namespace;
    if (fieldSelector !== undefined) watcher.fieldSelector = fieldSelector;
    collection.watchers.add(watcher);
    const timeoutSeconds = Number(query.get('timeoutSeconds') ?? '0');
    const timer = timeoutSeconds > 0 ? setTimeout(() => res.end(), timeoutSeconds * 1000) : undefined;
    res.on('close', () => {
      collection.watchers.delete(watcher);
      if (timer) clearTimeout(timer);
    });
  }
}

function parseCollectionPath(path: string): { basePath: string; groupVersion: string; namespace?: string } | undefined {
  const core = /^\/api\/(v1)(?:\/namespaces\/([^/]+))?\/([a-z]+)$/.exec(path);
  const grouped = /^\/apis\/([^/]+)\/([^/]+)(?:\/namespaces\/([^/]+))?\/([a-z]+)$/.exec(path);
  if (core) {
    const [, version = '', namespace, resource = ''] = core;
    return withNamespace({ basePath: `/api/${version}/${resource}`, groupVersion: version }, namespace);
  }
  if (grouped) {
    const [, group = '', version = '', namespace, resource = ''] = grouped;
    return withNamespace({ basePath: `/apis/${group}/${version}/${resource}`, groupVersion: `${group}/${version}` }, namespace);
  }
  return undefined;
}

function withNamespace<T extends object>(route: T, namespace: string | undefined): T & { namespace?: string } {
  return namespace === undefined ? route : { ...route, namespace: decodeURIComponent(namespace) };
}

/** Namespace and "a.b=value" field selectors, the only kinds the source uses. */
function selects(object: Obj, namespace: string | undefined, fieldSelector: string | undefined): boolean {
  if (namespace !== undefined && object.metadata?.namespace !== namespace) return false;
  if (!fieldSelector) return true;
  return fieldSelector.split(',').every((term) => {
    const [path = '', expected] = term.split('=');
    const actual = path.split('.').reduce<any>((node, key) => node?.[key], object);
    return String(actual) === expected;
  });
}

function writeEvent(res: ServerResponse, event: Obj): void {
  if (!res.writableEnded) res.write(`${JSON.stringify(event)}\n`);
}

function sendJson(res: ServerResponse, body: unknown, gzip = false): void {
  const text = JSON.stringify(body);
  if (gzip) {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Encoding': 'gzip' });
    res.end(gzipSync(text));
  } else {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end(text);
  }
}

export function sendStatus(res: ServerResponse, code: number, reason: string, headers?: Record<string, string>, message?: string): void {
  res.writeHead(code, { 'Content-Type': 'application/json', ...headers });
  res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', code, reason, message: message ?? `${reason} (${code})` }));
}

/** A minimal valid Pod. */
export function fakePod(name: string, namespace = 'default', extra: { node?: string; phase?: string; image?: string } = {}): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, uid: `uid-${namespace}-${name}`, creationTimestamp: '2025-01-01T00:00:00Z', labels: { app: name.split('-')[0] } },
    spec: { nodeName: extra.node ?? 'node-1', containers: [{ name: 'app', image: extra.image ?? 'app:1' }] },
    status: { phase: extra.phase ?? 'Running' },
  };
}

/** A minimal valid Node. */
export function fakeNode(name: string): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, uid: `uid-node-${name}`, creationTimestamp: '2025-01-01T00:00:00Z' },
    spec: {},
    status: { allocatable: { cpu: '4', memory: '16Gi', pods: '110' }, conditions: [{ type: 'Ready', status: 'True' }] },
  };
}
