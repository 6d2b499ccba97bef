// Host names in configuration text: env values, container args and commands, ConfigMap values.
// The raw material of 'config' edges: the topology resolves them against the Services that
// exist, so this only has to find what is written as a host, not decide what it means.
//
// What counts as a host here:
//   - URLs, anywhere in the text: "postgres://user:pw@db.shop:5432/x" → db.shop (credentials are
//     never kept), multi-host authorities ("mongodb://a.shop,b.shop/x"), JDBC
//     ("jdbc:postgresql://db:5432/x", "jdbc:sqlserver://db:1433;databaseName=x") and Oracle thin
//     ("jdbc:oracle:thin:@//db:1521/svc", "…:@db:1521:SID");
//   - host:port tokens and broker lists ("redis:6379", "kafka-0.kafka:9092,kafka-1.kafka:9092");
//   - cluster DNS names ("orders.shop.svc", "orders.shop.svc.cluster.local");
//   - values under a key or flag that names a host: connection strings ("host=db.shop port=5432",
//     "Server=tcp:db.shop,1433;Database=x", "bootstrap.servers=kafka:9092"), YAML and JSON
//     ("host: cache", "\"host\": \"cache\""), flags ("--host db", "-h db", "--bootstrap-server=kafka:9092"),
//     and a whole value whose own name says it is a host (env DB_HOST=postgres, ConfigMap key redis.host).
//
// Everything is bounded: text is scanned by linear regular expressions only, values longer than
// a limit are skipped (they are blobs: certificates, bundles, dashboards), and a HostCollector
// stops at a number of hosts and a budget of characters per object. `$(VAR)` references are
// expanded as the kubelet does before any of this (see expandVars).
import { interner, ownCopy } from './interner.js';

const DNS_NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/;
const IPV4 = /^\d{1,3}(\.\d{1,3}){3}$/;
/**
 * Cluster DNS without its suffix: "orders.shop.svc.cluster.local" → "orders.shop" (service and
 * namespace), "kafka-0.kafka.data.svc" → "kafka-0.kafka.data" (a StatefulSet pod).
 */
const CLUSTER_DNS = /^(.+\.[^.]+)\.svc(\..+)?$/;
const LOOPBACK = new Set(['localhost', '127.0.0.1', '0.0.0.0']);

/** A host name as kept: lower case, no trailing dot, no cluster DNS suffix; undefined when it is none. */
export function normaliseHost(rawHost: string): string | undefined {
  const lower = rawHost.toLowerCase();
  const host = lower.endsWith('.') ? lower.slice(0, -1) : lower;
  if (host.length === 0 || host.length > 253 || LOOPBACK.has(host)) return undefined;
  if (IPV4.test(host)) return host;
  // A name needs a letter: "12:30" is a time, not host "12".
  if (!DNS_NAME.test(host) || !/[a-z]/.test(host)) return undefined;
  return host.includes('.svc') ? (CLUSTER_DNS.exec(host)?.[1] ?? host) : host;
}

// --- finding hosts in one value ------------------------------------------------------------------

/** The last character of a URL scheme, right before "://". */
const SCHEME_END = /[a-z0-9+.-]/i;
/** The authority after "://": up to the path, query, fragment, a parameter separator or a quote. */
const AUTHORITY = /[^\s/?#"'`<>;\\|()[\]{}]{0,512}/y;
const MAX_AUTHORITY = 512;
/** The scheme of a next URL at the end of an authority: ",SSL:" before "//". */
const NEXT_SCHEME = /,[a-z][a-z0-9+.-]{0,31}:$/i;
/** Oracle thin: "@//host:port/service" or "@host:port:SID" right after a colon. */
const ORACLE_THIN = /:@(?:\/\/)?([a-z0-9][a-z0-9.-]{0,512})/gi;
/**
 * A key that names a host, then its value: connection strings, properties, YAML, JSON, flags
 * with "=". The key must start the text or follow a character that is not a letter or digit, so
 * "DB_HOST=x", "--db-host=x" and "spring.redis.host=x" count and "ghost=x" does not.
 */
const KEYED_VALUE =
  /(?:^|[^a-z0-9])(?:host|hostname|hosts|server|servers|data source|addr|brokers?|broker[._-]list|bootstrap[._-]servers?)["']?[ \t]{0,8}[:=][ \t]{0,8}["']?([a-z0-9][a-z0-9.:,_-]{0,512})/gi;
/** A flag that takes a host as its next word: "-h db", "--host db", "--bootstrap-server kafka:9092". */
const FLAG_VALUE =
  /(?:^|\s)(?:-h|--host|--hostname|--server|--addr|--address|--brokers?|--broker-list|--bootstrap-servers?)[ \t]+([a-z0-9][a-z0-9.:,_-]{0,512})/gi;
const MAX_KEYED_VALUE = 512;
/** Separators between words of free text: whitespace, list and assignment punctuation, quotes, brackets. */
const TOKEN_SEPARATORS = /[\s,;=()"'`<>|&[\]{}]+/;
/** A name and a port in free text. One-digit "ports" are image tags ("redis:7"), not ports. */
const HOST_PORT = /^([a-z0-9.-]+):[1-9]\d{1,4}$/i;
/** One entry of a host list: a name or IPv4 address with an optional port, or an IPv6 literal. */
const HOST_ENTRY = /^(\[[0-9a-f:.]*\]|[a-z0-9.-]+)(?::\d{1,5})?$/i;
const CLUSTER_DNS_WORD = /\.svc(\.|$)/i;
/** Whether a text may hold a cluster DNS word: ".svc" not followed by more of a label. */
const MAY_HAVE_CLUSTER_DNS = /\.svc(?![a-z0-9-])/i;

/**
 * The hosts a value names, form by form (URLs, keyed values, flags, then host:port and cluster
 * DNS words), repeats included. `keyed`: the value is stored under a name that says it is a host
 * (env DB_HOST, ConfigMap key redis.host, the word after --host), so a bare name such as
 * "postgres" counts too.
 */
export function hostsIn(text: string, keyed = false): string[] {
  const found: string[] = [];
  if (keyed) hostList(text.trim(), found);
  if (text.includes('://')) urlHosts(text, found);
  if (text.includes(':@')) keyedValues(text, ORACLE_THIN, found);
  if (text.includes('=') || text.includes(':')) keyedValues(text, KEYED_VALUE, found);
  if (text.includes('-')) keyedValues(text, FLAG_VALUE, found);
  if (text.includes(':') || MAY_HAVE_CLUSTER_DNS.test(text)) words(text, found);
  return found;
}

/**
 * Found by "://" rather than by a pattern for the scheme: a scan for the separator is cheap, and
 * which scheme it is does not matter (http, postgresql inside jdbc:postgresql, kafka's PLAINTEXT).
 */
function urlHosts(text: string, found: string[]): void {
  let from = 0;
  for (let at = text.indexOf('://'); at !== -1; at = text.indexOf('://', from)) {
    const start = at + 3;
    from = start;
    if (at === 0 || !SCHEME_END.test(text[at - 1] as string)) continue; // no scheme: "://x"
    AUTHORITY.lastIndex = start;
    let authority = AUTHORITY.exec(text)?.[0] ?? '';
    // Resume after the authority: every character is read once, whatever the text.
    from = start + authority.length;
    if (authority.length >= MAX_AUTHORITY) continue; // cut short: its last host could be cut too
    // A list of URLs ("PLAINTEXT://a:9092,SSL://b:9093"): the next scheme is not part of this one.
    const next = NEXT_SCHEME.exec(authority);
    if (next && text.startsWith('//', from)) {
      authority = authority.slice(0, next.index);
      from = start + next.index + 1; // the next URL's scheme
    }
    // Credentials end at the last "@" (a password may hold an unescaped "@"); never kept.
    hostList(authority.slice(authority.lastIndexOf('@') + 1), found);
  }
}

/** The values `pattern` (a global regular expression, its value in group 1) finds, each as a host list. */
function keyedValues(text: string, pattern: RegExp, found: string[]): void {
  pattern.lastIndex = 0;
  for (let match = pattern.exec(text); match !== null; match = pattern.exec(text)) {
    const value = match[1] ?? '';
    if (value.length <= MAX_KEYED_VALUE) hostList(value, found);
  }
}

/**
 * A list of hosts as connection strings write them: "a:9092,b:9092", "tcp:db.shop,1433" (SQL
 * Server puts the port after a comma), "db1,db2". Entries that are not a host are skipped.
 */
function hostList(value: string, found: string[]): void {
  for (const entry of value.replace(/^tcp:/i, '').split(',')) {
    const match = HOST_ENTRY.exec(entry.trim());
    const host = match?.[1];
    // IPv6 literals name no Service; a lone number is SQL Server's port.
    if (host === undefined || host.startsWith('[') || /^\d+$/.test(host)) continue;
    push(found, host);
  }
}

/** host:port words and cluster DNS names in free text ("until nc -z db.shop.svc 5432", "redis:6379"). */
function words(text: string, found: string[]): void {
  for (const raw of text.split(TOKEN_SEPARATORS)) {
    // Only a word with a port or a cluster DNS name can be a host; URLs had their own pass.
    if ((!raw.includes(':') && !raw.includes('.svc')) || raw.includes('://')) continue;
    // "user:pw@mq.shop:5672/vhost" → "mq.shop:5672": no credentials, no path.
    const word = raw.slice(raw.lastIndexOf('@') + 1).split('/', 1)[0] ?? '';
    if (word === '') continue;
    const hostPort = HOST_PORT.exec(word);
    if (hostPort) push(found, hostPort[1] ?? '');
    else if (CLUSTER_DNS_WORD.test(word)) push(found, word);
  }
}

function push(found: string[], rawHost: string): void {
  const host = normaliseHost(rawHost);
  if (host !== undefined) found.push(host);
}

// --- names that say their value is a host --------------------------------------------------------

/** The end of a key that names a host: DB_HOST, redis.host, KAFKA_BROKERS, bootstrap.servers, LOKI_ADDR. */
const HOST_KEY = /(?:^|[._-])(?:host|hostname|hosts|server|servers|addr|address|brokers?|bootstrap[._-]servers?)$/i;
/** By convention these name the process's own host or bind address, not a peer. */
const OWN_HOST_KEYS = new Set(['host', 'hostname']);

/** Whether an env var name or ConfigMap key says its value is a host (or a list of hosts). */
export function namesHost(key: string): boolean {
  return key.length <= 256 && HOST_KEY.test(key) && !OWN_HOST_KEYS.has(key.toLowerCase());
}

const HOST_FLAGS = new Set(['-h', '--host', '--hostname', '--server', '--addr', '--address', '--broker', '--brokers', '--broker-list', '--bootstrap-server', '--bootstrap-servers']);

/** Whether a command-line word is a flag whose next word is a host ("--host", "db"). */
export function isHostFlag(word: string): boolean {
  return HOST_FLAGS.has(word.trim());
}

// --- $(VAR) expansion -----------------------------------------------------------------------------

/**
 * Expands `$(VAR)` references as the kubelet does in env values, commands and args
 * (k8s.io/kubernetes third_party/forked/golang/expansion): a known name is replaced by its value;
 * an unknown one stays as written; `$$` is an escaped `$` (so `$$(VAR)` gives the literal
 * `$(VAR)`); a `$(` without a closing `)` and a `$` before anything else stay as written. A
 * replaced value is not expanded again, so references cannot cycle.
 *
 * `lookup` gives the value of a name, or undefined when it is unknown (not defined, or defined
 * from a Secret, a ConfigMap, the downward API). Undefined when the result would be longer
 * than `maxLength`: a value that would grow without bound (`B=$(A)$(A)…`, `C=$(B)$(B)…`) is a
 * value we do not read.
 */
export function expandVars(input: string, lookup: (name: string) => string | undefined, maxLength: number): string | undefined {
  if (!input.includes('$')) return input.length <= maxLength ? input : undefined;
  let out = '';
  let checkpoint = 0;
  // Set once no ")" follows: every later "$(" is then incomplete too (keeps this linear).
  let closerAfter = 0;
  let noCloser = false;
  for (let cursor = 0; cursor < input.length - 1; cursor++) {
    if (input[cursor] !== '$') continue;
    out += input.slice(checkpoint, cursor);
    const next = input[cursor + 1];
    if (next === '$') {
      out += '$';
      cursor += 1;
    } else if (next === '(' && !noCloser) {
      if (closerAfter <= cursor + 1) closerAfter = input.indexOf(')', cursor + 2);
      if (closerAfter === -1) {
        noCloser = true;
        out += '$(';
        cursor += 1;
      } else {
        const name = input.slice(cursor + 2, closerAfter);
        out += lookup(name) ?? `$(${name})`;
        cursor = closerAfter;
      }
    } else {
      out += `$${next}`;
      cursor += 1;
    }
    checkpoint = cursor + 1;
    if (out.length > maxLength) return undefined;
  }
  out += input.slice(checkpoint);
  return out.length <= maxLength ? out : undefined;
}

// --- collecting hosts of one object ---------------------------------------------------------------

/**
 * The hosts of values seen recently. Every pod of a template repeats the same env values and
 * args: 150,000 pods hold a few thousand distinct ones, and a lookup costs far less than the
 * passes of hostsIn. Bounded like the interner's tables: a full table starts over.
 */
class RecentHosts {
  private table = new Map<string, readonly string[]>();

  constructor(
    private readonly maxEntries = 20_000,
    /** Longer values are rarely repeated (scripts, config files): not worth a slot. */
    private readonly maxLength = 512,
  ) {}

  hostsIn(text: string, keyed: boolean): readonly string[] {
    if (text.length > this.maxLength) return hostsIn(text, keyed);
    const key = keyed ? `\u0000${text}` : text;
    const known = this.table.get(key);
    if (known !== undefined) return known;
    // Shared strings: a name cut out of the text would keep the text alive with it.
    const found = Object.freeze(hostsIn(text, keyed).map((host) => interner.string(host)));
    if (this.table.size >= this.maxEntries) this.table = new Map();
    // A copy of its own: the text may be part of a much larger string (a LIST response body).
    this.table.set(ownCopy(key), found);
    return found;
  }
}

const recentHosts = new RecentHosts();

/** Keys and env var names beyond this are cut in field paths: a path names a place, it need not hold a novel. */
const MAX_FIELD_KEY_LENGTH = 128;

/** A key as written inside a field path (`env[DATABASE_URL]`, `data[redis.host]`), cut when very long. */
export function fieldKey(key: string): string {
  return key.length <= MAX_FIELD_KEY_LENGTH ? key : ownCopy(`${key.slice(0, MAX_FIELD_KEY_LENGTH - 1)}…`);
}

export interface HostLimits {
  /** Hosts kept per object. */
  maxHosts: number;
  /** Longer values are skipped whole (a prefix could end in the middle of a name). */
  maxValueLength: number;
  /** Characters expanded and scanned per object, over all its values. */
  budget: number;
}

/**
 * The distinct hosts of one object (a pod spec, a ConfigMap) and where each was first found,
 * within limits: once full or out of budget it reads nothing more, so a hostile object (a 1 MB
 * value, 10,000 env vars) costs a bounded amount of work.
 */
export class HostCollector {
  readonly hosts: string[] = [];
  readonly fields: string[] = [];
  private readonly seen = new Set<string>();
  private budget: number;

  constructor(readonly limits: HostLimits) {
    this.budget = limits.budget;
  }

  /** Whether reading more can still add a host: room left, and budget left. */
  get open(): boolean {
    return this.hosts.length < this.limits.maxHosts && this.budget > 0;
  }

  /**
   * Takes `chars` from the budget, for work on one value; false (nothing taken) when the value
   * is over the length limit or the budget does not cover it. A value refused for its size
   * leaves the budget to the values after it.
   */
  afford(chars: number): boolean {
    if (!this.open || chars > this.limits.maxValueLength || chars > this.budget) return false;
    this.budget -= chars;
    return true;
  }

  /**
   * Adds the hosts of one value, found at `field`; `keyed` as in hostsIn. The field may be given
   * as a function: it is then built only when a host of the value is kept, not for every value read.
   */
  scan(text: string, field: string | (() => string), keyed = false): void {
    if (!this.afford(text.length)) return;
    let path: string | undefined;
    for (const host of recentHosts.hostsIn(text, keyed)) {
      if (this.seen.has(host)) continue;
      if (this.hosts.length >= this.limits.maxHosts) return;
      this.seen.add(host);
      // Shared: every pod of a template names the same hosts at the same places.
      this.hosts.push(host);
      path ??= typeof field === 'string' ? field : field();
      this.fields.push(interner.string(path));
    }
  }
}
