import { describe, expect, it } from 'vitest';
import { seededRandom } from './testing/random.js';
import { compileGlob, isEmptyQuery, matches, parseQuery, type Query, type QuerySubject } from './query.js';
import { POD_STATUSES } from './records.js';

function compile(text: string): Query {
  const parsed = parseQuery(text);
  if (!parsed.ok) throw new Error(`expected "${text}" to parse, got: ${parsed.error}`);
  return parsed.query;
}

const web: QuerySubject = {
  name: 'web-7d9f-abcde',
  namespace: 'prod-eu',
  labels: { app: 'web', 'app.kubernetes.io/name': 'shop', 'topology.kubernetes.io/zone': 'eu-1a', tier: '', team: 'x y' },
  status: 'Running',
  node: 'worker-3',
  owner: { kind: 'ReplicaSet', name: 'web-7d9f' },
};
const canary: QuerySubject = {
  name: 'api-canary',
  namespace: 'staging',
  labels: { app: 'api' },
  status: 'CrashLoopBackOff',
  owner: { kind: 'Deployment', name: 'api' },
};
const bare: QuerySubject = { name: 'my pod' };
const subjects = { web, canary, bare };

/** Names of the subjects a query keeps. */
function kept(text: string): string[] {
  const query = compile(text);
  return Object.entries(subjects)
    .filter(([, subject]) => matches(query, subject))
    .map(([name]) => name);
}

describe('parseQuery + matches', () => {
  it.each([
    ['', ['web', 'canary', 'bare']],
    ['   \t ', ['web', 'canary', 'bare']],
    // Free text: a case-insensitive substring of the name, or a glob over the whole name.
    ['WEB', ['web']],
    ['7d9f', ['web']],
    ['web-*', ['web']],
    ['*-canary', ['canary']],
    ['*canary*', ['canary']],
    ['canary-*', []],
    ['web', ['web']],
    ['"my pod"', ['bare']],
    ['"a:b"', []], // quoted colon: free text, not an unknown field
    // Namespace: exact unless globbed, case-insensitive.
    ['ns:prod-eu', ['web']],
    ['ns:prod', []],
    ['ns:PROD-*', ['web']],
    ['-ns:prod-*', ['canary', 'bare']],
    // Labels.
    ['app=web', ['web']],
    ['app=WEB', ['web']],
    ['app=*', ['web', 'canary']],
    ['app!=web', ['canary', 'bare']], // absent label matches !=, as in kubectl
    ['-app!=web', ['web']],
    ['app.kubernetes.io/name=shop', ['web']],
    ['topology.kubernetes.io/zone=eu-*', ['web']],
    ['tier=', ['web']], // present and empty
    ['tier!=', ['canary', 'bare']],
    ['app=', []],
    ['team="x y"', ['web']],
    ['Team="x y"', []], // label keys are case-sensitive
    ['constructor=*', []], // not an own label: must not reach Object.prototype
    // Status: exact names (any case, globs) and aliases.
    ['status:running', ['web']],
    ['status:ready', ['web']],
    ['status:failing', ['canary']],
    ['status:crash', ['canary']],
    ['status:Crash*', ['canary']],
    ['status:pending', []],
    ['-status:ready', ['canary', 'bare']],
    // Node: subjects without a node never match.
    ['node:worker-*', ['web']],
    ['node:*', ['web']],
    ['-node:*', ['canary', 'bare']],
    // Owner: name, or Kind/name, case-insensitive.
    ['owner:web-*', ['web']],
    ['owner:Deployment/api', ['canary']],
    ['owner:deployment/*', ['canary']],
    ['owner:replicaset/web-*', ['web']],
    ['owner:ReplicaSet/api', []],
    ['owner:*', ['web', 'canary']],
    ['owner:*/web-7d9f', ['web']],
    // AND and negation combined; field names are case-insensitive.
    ['NS:prod-* app=web status:ready node:worker-3', ['web']],
    ['ns:prod-* status:failing', []],
    ['-web -canary', ['bare']],
    ['"-my pod"', []], // a quoted dash is text, not negation
  ])('%j keeps %j', (text, expected) => {
    expect(kept(text)).toEqual(expected);
  });

  it('maps each status alias to the statuses it stands for', () => {
    const statusesKept = (text: string) => {
      const query = compile(text);
      return POD_STATUSES.filter((status) => matches(query, { name: 'p', status }));
    };
    expect(statusesKept('status:ready')).toEqual(['Running']);
    expect(statusesKept('status:notready')).toEqual(['NotReady']);
    expect(statusesKept('status:pending')).toEqual(['Pending', 'ContainerCreating']);
    expect(statusesKept('status:failing')).toEqual(['CrashLoopBackOff', 'Error', 'Failed']);
    expect(statusesKept('status:crash')).toEqual(['CrashLoopBackOff']);
    expect(statusesKept('status:succeeded')).toEqual(['Succeeded']);
    expect(statusesKept('status:TERMINATING')).toEqual(['Terminating']);
    expect(statusesKept('status:containercreating')).toEqual(['ContainerCreating']);
    expect(statusesKept('status:*ing')).toEqual(['Running', 'Pending', 'ContainerCreating', 'Terminating']);
  });

  it('reports whether a query is empty', () => {
    expect(isEmptyQuery(compile(''))).toBe(true);
    expect(isEmptyQuery(compile('  '))).toBe(true);
    expect(isEmptyQuery(compile('web'))).toBe(false);
  });
});

describe('parseQuery errors', () => {
  it.each([
    ['foo:bar', 0, /Unknown field "foo".*ns, status, node, owner/],
    ['web  foo:bar', 5, /Unknown field "foo"/],
    [':bar', 0, /Missing field name/],
    ['ns:', 0, /"ns:" needs a value/],
    ['app=web ns:""', 8, /"ns:" needs a value/],
    ['status:bogus', 0, /Unknown status "bogus".*failing.*CrashLoopBackOff/],
    ['status:x*', 0, /Unknown status/],
    ['web "my pod', 4, /Unterminated quote/],
    ['ns:"a b', 0, /Unterminated quote/],
    ['web - api', 4, /lone "-"/],
    ['=web', 0, /Missing label key before "="/],
    ['!=web', 0, /Missing label key before "!="/],
    ['a<b=c', 0, /not a label key/],
    ['owner:Deployment/', 0, /Kind\/name/],
    ['""', 0, /Empty quotes/],
  ])('%j fails at %d', (text, offset, message) => {
    const parsed = parseQuery(text);
    expect(parsed.ok).toBe(false);
    if (parsed.ok) return;
    expect(parsed.offset).toBe(offset);
    expect(parsed.error).toMatch(message);
  });

  it('rejects queries over 2,000 characters and over 64 terms', () => {
    expect(parseQuery('a'.repeat(2000)).ok).toBe(true);
    expect(parseQuery('a'.repeat(2001))).toMatchObject({ ok: false, offset: 2000, error: expect.stringMatching(/too long/) });

    const terms = Array.from({ length: 65 }, (_, i) => `t${i}`);
    expect(parseQuery(terms.slice(0, 64).join(' ')).ok).toBe(true);
    const tooMany = terms.join(' ');
    expect(parseQuery(tooMany)).toMatchObject({ ok: false, offset: tooMany.indexOf('t64'), error: expect.stringMatching(/Too many terms/) });
  });
});

describe('compileGlob', () => {
  it.each([
    ['web', 'web', true],
    ['web', 'WEB', true],
    ['web', 'webs', false],
    ['a*b*c', 'abc', true],
    ['a*b*c', 'aXbYc', true],
    ['a*b*c', 'acb', false],
    ['a*a', 'a', false], // prefix and suffix must not overlap
    ['a*a', 'aa', true],
    ['*ab*ab*', 'abab', true],
    ['*ab*ab*', 'aba', false],
    ['***', '', true],
    ['a**b', 'ab', true],
    ['', '', true],
    ['', 'x', false],
    ['a.c', 'abc', false], // regex metacharacters are literal
    ['(.*+?[', '(.*+?[', true],
    ['x*$^', 'x-$^', true],
  ])('%j against %j → %s', (pattern, subject, expected) => {
    expect(compileGlob(pattern)(subject)).toBe(expected);
  });

  it('agrees with a reference glob matcher on random patterns', () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const pick = (alphabet: string, length: number) => Array.from({ length }, () => alphabet[random(alphabet.length)]).join('');
    for (let i = 0; i < 2000; i++) {
      const pattern = pick('ab*', random(7));
      const subject = pick('abAB', random(8));
      const reference = new RegExp(`^${pattern.replace(/\*/g, '.*')}$`, 'i').test(subject);
      expect(compileGlob(pattern)(subject), `${pattern} vs ${subject}`).toBe(reference);
    }
  });
});

describe('hostile input', () => {
  it('parses markup, regex metacharacters and long strings without throwing', () => {
    const inputs = [
      '<script>alert(1)</script>',
      '(.*+?[',
      'ns:(.*+?[ app=[a-z]+ node:\\d{1,3} owner:^$|/(',
      '-"<img src=x onerror=alert(1)>"',
      'a'.repeat(1999),
      `${'*'.repeat(1000)}x`,
      '"'.repeat(2000),
      '\u0000\uffff\ud800 💥 ns:ünïcødé',
    ];
    for (const input of inputs) {
      const parsed = parseQuery(input);
      if (parsed.ok) expect(typeof matches(parsed.query, web)).toBe('boolean');
      else expect(parsed.offset).toBeGreaterThanOrEqual(0);
    }
    // Metacharacters are literal: a substring search without `*`, a glob with it.
    expect(kept('(.+?[')).toEqual([]);
    expect(matches(compile('(.+?['), { name: 'x(.+?[y' })).toBe(true);
    expect(matches(compile('(.*+?['), { name: '(.-+?[' })).toBe(true);
    expect(matches(compile('(.*+?['), { name: 'x(.-+?[' })).toBe(false);
  });

  it('never throws on 5,000 random queries: a query or an error with an offset inside the text', () => {
    // Seeded (mulberry32): the same cases on every run.
    const next = seededRandom(20261126);
    const pieces = ['ns:', 'status:', 'node:', 'owner:', 'app=', 'app!=', '-', '"', '*', ' ', '  ', ':', '=', '!', 'web', 'Deployment/', '\\', '<script>', '\u0000', 'é', 'x'.repeat(300)];
    let errors = 0;
    for (let i = 0; i < 5_000; i++) {
      const text = Array.from({ length: Math.floor(next() * 12) }, () => pieces[Math.floor(next() * pieces.length)]).join('');
      const parsed = parseQuery(text);
      if (parsed.ok) {
        expect(typeof matches(parsed.query, web)).toBe('boolean');
      } else {
        errors++;
        expect(parsed.error.length).toBeGreaterThan(0);
        expect(parsed.offset).toBeGreaterThanOrEqual(0);
        expect(parsed.offset).toBeLessThanOrEqual(text.length);
      }
    }
    // The fuzz reaches both outcomes.
    expect(errors).toBeGreaterThan(100);
    expect(errors).toBeLessThan(4_900);
  });

  it('matches many-star globs in linear time (no catastrophic backtracking)', () => {
    // As one RegExp, ^.*a.*a…b$ against a run of a's takes minutes; here it must be instant.
    const query = compile(`${'*a'.repeat(25)}*b`);
    const name = 'a'.repeat(253);
    const started = performance.now();
    for (let i = 0; i < 1000; i++) expect(matches(query, { name })).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});
