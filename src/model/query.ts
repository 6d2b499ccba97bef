// The filter query language, shared by the views: what the user types in the filter box.
//
//   web            name contains "web"          web-* / *-canary   glob over the whole name
//   ns:prod-*      namespace glob               node:<glob>        node name glob
//   app=web        label value glob             app!=web           label differs or is absent
//   app=           label present and empty      owner:<glob>       owner name, or Kind/name
//   status:failing pod status or status alias   "my pod" ns:"a b"  quotes group spaces
//   -term          negates a term; terms separated by whitespace are ANDed.
//
// Quotes only group: a quoted `:`, `=` or leading `-` is literal text, but a quoted `*` is still a
// glob (no Kubernetes name or label value can contain `*`, so nothing is lost).
//
// Everything matches case-insensitively except label keys (which Kubernetes treats as
// case-sensitive identifiers). `parseQuery` does all the work once, per keystroke; `matches`
// then runs over every pod of every cluster (150,000 and more), so it must not allocate.

import { POD_STATUSES, type PodStatus } from './records.js';

/** What a query is matched against: a pod, or later a node or workload in the topology view. */
export interface QuerySubject {
  name: string;
  namespace?: string;
  labels?: Readonly<Record<string, string>>;
  /** A PodStatus value, compared exactly (records always carry the canonical spelling). */
  status?: string;
  node?: string;
  owner?: { kind: string; name: string };
}

/** Compiled query. Treat as opaque: build with `parseQuery`, use with `matches`. */
export interface Query {
  readonly terms: readonly CompiledTerm[];
}

/** One compiled term: a predicate built at parse time, and whether the term was negated. */
export interface CompiledTerm {
  readonly negate: boolean;
  readonly test: (subject: QuerySubject) => boolean;
}

export type ParsedQuery = { ok: true; query: Query } | { ok: false; error: string; offset: number };

export const MAX_QUERY_LENGTH = 2000;
export const MAX_QUERY_TERMS = 64;
export const QUERY_FIELDS = ['ns', 'status', 'node', 'owner'] as const;

/** Status words a person types, mapped to the statuses they mean. Checked before exact names. */
export const STATUS_ALIASES: Readonly<Record<string, readonly PodStatus[]>> = {
  ready: ['Running'],
  notready: ['NotReady'],
  pending: ['Pending', 'ContainerCreating'],
  failing: ['CrashLoopBackOff', 'Error', 'Failed'],
  crash: ['CrashLoopBackOff'],
  succeeded: ['Succeeded'],
  terminating: ['Terminating'],
};

const EMPTY_QUERY: Query = { terms: [] };

export function isEmptyQuery(query: Query): boolean {
  return query.terms.length === 0;
}

export function matches(query: Query, subject: QuerySubject): boolean {
  // Plain loop over closures built at parse time: no iterator, no allocation per call.
  const terms = query.terms;
  for (let i = 0; i < terms.length; i++) {
    const term = terms[i]!;
    if (term.test(subject) === term.negate) return false;
  }
  return true;
}

export function parseQuery(text: string): ParsedQuery {
  if (text.length > MAX_QUERY_LENGTH) return fail(`Query is too long (at most ${MAX_QUERY_LENGTH} characters).`, MAX_QUERY_LENGTH);
  const tokens = tokenize(text);
  if (!Array.isArray(tokens)) return tokens;
  if (tokens.length > MAX_QUERY_TERMS) return fail(`Too many terms (at most ${MAX_QUERY_TERMS}).`, tokens[MAX_QUERY_TERMS]!.offset);
  if (tokens.length === 0) return { ok: true, query: EMPTY_QUERY };
  const terms: CompiledTerm[] = [];
  for (const token of tokens) {
    const compiled = compileTerm(token);
    if ('error' in compiled) return fail(compiled.error, token.offset);
    terms.push(compiled);
  }
  return { ok: true, query: { terms } };
}

type Failure = { ok: false; error: string; offset: number };

function fail(error: string, offset: number): Failure {
  return { ok: false, error, offset };
}

// ---------------------------------------------------------------------------------------------
// Tokenizing

/**
 * A whitespace-separated term with its quotes removed. `quoted[i]` says whether `text[i]` was
 * inside quotes: quoted characters are always literal, so `"a:b"` is free text, not a field.
 */
interface Token {
  offset: number;
  text: string;
  quoted: boolean[];
}

function tokenize(input: string): Token[] | Failure {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    if (isSpace(input[i]!)) {
      i++;
      continue;
    }
    const token: Token = { offset: i, text: '', quoted: [] };
    let inQuotes = false;
    for (; i < input.length && (inQuotes || !isSpace(input[i]!)); i++) {
      const c = input[i]!;
      if (c === '"') {
        inQuotes = !inQuotes;
        continue;
      }
      token.text += c;
      token.quoted.push(inQuotes);
    }
    if (inQuotes) return fail('Unterminated quote: add the closing ".', token.offset);
    tokens.push(token);
  }
  return tokens;
}

function isSpace(c: string): boolean {
  return c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v' || c === '\u00a0';
}

// ---------------------------------------------------------------------------------------------
// Compiling terms

type Compiled = CompiledTerm | { error: string };
type StringTest = (s: string) => boolean;

function compileTerm(token: Token): Compiled {
  let { text, quoted } = token;
  const negate = text[0] === '-' && !quoted[0];
  if (negate) {
    if (text.length === 1) return { error: 'A lone "-" must be followed by the term to exclude, e.g. -ns:kube-system.' };
    text = text.slice(1);
    quoted = quoted.slice(1);
  }
  const op = findOperator(text, quoted);
  const predicate =
    op === undefined
      ? compileName(text)
      : op.symbol === ':'
        ? compileField(text.slice(0, op.at), text.slice(op.at + 1))
        : compileLabel(text.slice(0, op.at), text.slice(op.at + op.symbol.length), op.symbol);
  if (typeof predicate !== 'function') return predicate;
  return { negate, test: predicate };
}

/** The first unquoted `:`, `=` or `!=`: what comes before it is a field name or label key. */
function findOperator(text: string, quoted: boolean[]): { at: number; symbol: ':' | '=' | '!=' } | undefined {
  for (let i = 0; i < text.length; i++) {
    if (quoted[i]) continue;
    if (text[i] === ':') return { at: i, symbol: ':' };
    if (text[i] === '=') return i > 0 && text[i - 1] === '!' && !quoted[i - 1] ? { at: i - 1, symbol: '!=' } : { at: i, symbol: '=' };
  }
  return undefined;
}

type Predicate = ((subject: QuerySubject) => boolean) | { error: string };

function compileName(text: string): Predicate {
  if (text === '') return { error: 'Empty quotes: type something to search for between them.' };
  // Without a glob, free text is a substring search: the glob *text*.
  const test = compileGlob(text.includes('*') ? text : `*${text}*`);
  return (s) => test(s.name);
}

function compileField(field: string, value: string): Predicate {
  const name = field.toLowerCase();
  if (name === '') return { error: `Missing field name before ":". Known fields: ${QUERY_FIELDS.join(', ')}.` };
  if (!(QUERY_FIELDS as readonly string[]).includes(name)) {
    return { error: `Unknown field "${field}". Known fields: ${QUERY_FIELDS.join(', ')} (for labels use key=value).` };
  }
  if (value === '') return { error: `"${name}:" needs a value, e.g. ${name}:${FIELD_EXAMPLES[name]}.` };
  switch (name) {
    case 'ns': {
      const test = compileGlob(value);
      return (s) => s.namespace !== undefined && test(s.namespace);
    }
    case 'node': {
      const test = compileGlob(value);
      return (s) => s.node !== undefined && test(s.node);
    }
    case 'owner':
      return compileOwner(value);
    default:
      return compileStatus(value);
  }
}

const FIELD_EXAMPLES: Record<string, string> = { ns: 'prod-*', status: 'failing', node: 'worker-1', owner: 'Deployment/web' };

function compileOwner(value: string): Predicate {
  // Kind/name is split here, not joined per pod: joining would allocate a string per match.
  const slash = value.indexOf('/');
  if (slash < 0) {
    const name = compileGlob(value);
    return (s) => s.owner !== undefined && name(s.owner.name);
  }
  const kindPart = value.slice(0, slash);
  const namePart = value.slice(slash + 1);
  if (kindPart === '' || namePart === '') return { error: 'owner: takes a name or Kind/name, e.g. owner:Deployment/web or owner:ReplicaSet/*.' };
  const kind = compileGlob(kindPart);
  const name = compileGlob(namePart);
  return (s) => s.owner !== undefined && kind(s.owner.kind) && name(s.owner.name);
}

function compileStatus(value: string): Predicate {
  const wanted = resolveStatuses(value);
  if (wanted.size === 0) {
    return { error: `Unknown status "${value}". Use ${Object.keys(STATUS_ALIASES).join(', ')}, or a pod status: ${POD_STATUSES.join(', ')}.` };
  }
  return (s) => s.status !== undefined && wanted.has(s.status);
}

function resolveStatuses(value: string): Set<string> {
  const alias = Object.hasOwn(STATUS_ALIASES, value.toLowerCase()) ? STATUS_ALIASES[value.toLowerCase()] : undefined;
  if (alias) return new Set(alias);
  const test = compileGlob(value);
  return new Set(POD_STATUSES.filter((status) => test(status)));
}

/** Kubernetes label keys: an optional DNS prefix and "/", then a name of [A-Za-z0-9._-]. */
const LABEL_KEY = /^[A-Za-z0-9._/-]+$/;

function compileLabel(key: string, value: string, symbol: '=' | '!='): Predicate {
  if (key === '') return { error: `Missing label key before "${symbol}", e.g. app${symbol}web.` };
  if (!LABEL_KEY.test(key)) return { error: `"${key}" is not a label key: keys use letters, digits and . _ - /.` };
  // An empty value means "present and empty"; a glob of '' compiles to exactly that.
  const test = compileGlob(value);
  // `!=` is the negation of `=`, so it also matches subjects without the label, as kubectl does.
  const negate = symbol === '!=';
  return (s) => {
    // typeof, not `!== undefined`: keys like "constructor" would otherwise reach Object.prototype.
    const actual = s.labels?.[key];
    return (typeof actual === 'string' && test(actual)) !== negate;
  };
}

// ---------------------------------------------------------------------------------------------
// Globs

/**
 * Compiles a case-insensitive glob where `*` matches any run of characters and everything else
 * is literal.
 *
 * Not one `^a.*b.*c$` RegExp: with several stars that backtracks combinatorially (25 stars
 * against a 60-character name takes minutes). Instead the literal pieces between stars are
 * matched in order, each at its leftmost position, which is correct for `*`-only globs and takes
 * time linear in the subject per piece. Each piece is a RegExp compiled here, once; matching
 * only moves `lastIndex`, so it does not allocate.
 */
export function compileGlob(pattern: string): StringTest {
  const pieces = pattern.split(/\*+/);
  if (pieces.length === 1) {
    const exact = new RegExp(`^${escapeRegExp(pattern)}$`, 'i');
    return (s) => exact.test(s);
  }
  const first = pieces[0]!;
  const last = pieces[pieces.length - 1]!;
  const middle = pieces.slice(1, -1).filter((piece) => piece !== '');
  if (first === '' && last === '' && middle.length === 0) return () => true;
  // Sticky ('y') tests at exactly lastIndex; global ('g') searches from lastIndex onwards. In
  // non-unicode case-insensitive mode a match is as long as the piece, so lengths add up.
  const prefix = first === '' ? undefined : new RegExp(escapeRegExp(first), 'iy');
  const suffix = last === '' ? undefined : new RegExp(escapeRegExp(last), 'iy');
  const inner = middle.map((piece) => new RegExp(escapeRegExp(piece), 'ig'));
  const minLength = first.length + last.length;
  return (s) => {
    if (s.length < minLength) return false;
    if (prefix && !testAt(prefix, s, 0)) return false;
    let pos = first.length;
    for (let i = 0; i < inner.length; i++) {
      const re = inner[i]!;
      re.lastIndex = pos;
      if (!re.test(s)) return false;
      pos = re.lastIndex;
    }
    const suffixAt = s.length - last.length;
    return pos <= suffixAt && (!suffix || testAt(suffix, s, suffixAt));
  };
}

function testAt(sticky: RegExp, s: string, at: number): boolean {
  sticky.lastIndex = at;
  return sticky.test(s);
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}
