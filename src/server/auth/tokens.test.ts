import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';

// timingSafeEqual is wrapped so the tests can see that every comparison goes through it.
vi.mock('node:crypto', async (importOriginal) => {
  const original = await importOriginal<typeof import('node:crypto')>();
  return { ...original, timingSafeEqual: vi.fn(original.timingSafeEqual) };
});
const crypto = await import('node:crypto');
const { findToken, hashToken, MAX_TOKEN_ENTRIES, MAX_TOKEN_FILE_BYTES, parseTokenFile, TokenFile, TokenFileError, tokenHashText } = await import('./tokens.js');

const TOKEN_A = 'a'.repeat(40);
const TOKEN_B = 'b'.repeat(40);
const line = (name: string, token: string, extra = '') => `${name} ${tokenHashText(token)}${extra ? ` ${extra}` : ''}`;

const dir = mkdtempSync(path.join(tmpdir(), 'kubeglance-tokens-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const file = (text: string | Buffer) => {
  const p = path.join(dir, `tokens-${n++}`);
  writeFileSync(p, text);
  return p;
};

describe('parseTokenFile', () => {
  it('reads names, hashes and namespaces; skips comments and blank lines', () => {
    const text = ['# TV screens', '', line('lobby-tv', TOKEN_A, 'namespaces=shop,web,shop'), `\t${line('prometheus', TOKEN_B)}  \r`, ''].join('\n');
    const { entries, problems } = parseTokenFile(text);
    expect(problems).toEqual([]);
    expect(entries).toEqual([
      { name: 'lobby-tv', digest: hashToken(TOKEN_A), namespaces: ['shop', 'web'] },
      { name: 'prometheus', digest: hashToken(TOKEN_B) },
    ]);
  });

  it('accepts upper-case hex', () => {
    const { entries } = parseTokenFile(`tv sha256:${hashToken(TOKEN_A).toString('hex').toUpperCase()}`);
    expect(entries[0]!.digest).toEqual(hashToken(TOKEN_A));
  });

  it.each([
    ['a plain-text token', `tv ${TOKEN_A}`, 'second field must be sha256:<64 hex digits>'],
    ['a short hash', 'tv sha256:abcd', 'second field must be sha256'],
    ['a hash with a non-hex digit', `tv sha256:${'g'.repeat(64)}`, 'second field must be sha256'],
    ['a name alone', 'tv', 'second field must be sha256'],
    ['a name with HTML', `<script>alert(1)</script> ${tokenHashText(TOKEN_A)}`, 'the name must be'],
    ['a name with a control character', `t\u0007v ${tokenHashText(TOKEN_A)}`, 'the name must be'],
    ['an unknown option', line('tv', TOKEN_A, 'admin=true'), 'unexpected "admin=true"'],
    ['namespaces twice', line('tv', TOKEN_A, 'namespaces=a namespaces=b'), 'unexpected "namespaces=b"'],
    ['a bad namespace', line('tv', TOKEN_A, 'namespaces=Shop,../x'), 'namespaces= takes a comma-separated list'],
    ['an empty namespace list', line('tv', TOKEN_A, 'namespaces='), 'namespaces= takes'],
    ['a very long line', `tv ${tokenHashText(TOKEN_A)} ${'x'.repeat(5000)}`, 'longer than 4096 characters'],
    ['a NUL byte', `tv\0 ${tokenHashText(TOKEN_A)}`, 'the name must be'],
  ])('reports %s and leaves the line out', (_what, text, message) => {
    const { entries, problems } = parseTokenFile(`${line('ok', TOKEN_B)}\n${text}\n`);
    expect(entries.map((e) => e.name)).toEqual(['ok']);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.line).toBe(2);
    expect(problems[0]!.message).toContain(message);
  });

  it('refuses a second entry with the same name or the same token', () => {
    const { entries, problems } = parseTokenFile([line('tv', TOKEN_A), line('tv', TOKEN_B), line('other', TOKEN_A)].join('\n'));
    expect(entries.map((e) => e.name)).toEqual(['tv']);
    expect(problems.map((p) => p.message)).toEqual(['"tv" appears more than once', '"other" has the same token as an entry above']);
  });

  it('holds at most MAX_TOKEN_ENTRIES entries and a bounded list of problems', () => {
    const many = Array.from({ length: MAX_TOKEN_ENTRIES + 50 }, (_, i) => `t${i} sha256:${i.toString(16).padStart(64, '0')}`).join('\n');
    const { entries, problems } = parseTokenFile(many);
    expect(entries).toHaveLength(MAX_TOKEN_ENTRIES);
    expect(problems).toHaveLength(1);
    const junk = parseTokenFile('junk\n'.repeat(10_000));
    expect(junk.entries).toEqual([]);
    expect(junk.problems.length).toBeLessThanOrEqual(20);
  });
});

describe('findToken', () => {
  const entries = parseTokenFile([line('a', TOKEN_A), line('b', TOKEN_B), line('c', 'c'.repeat(40))].join('\n')).entries;
  const compare = vi.mocked(crypto.timingSafeEqual);
  beforeEach(() => {
    compare.mockClear();
  });

  it('finds the entry of a token, comparing digests in constant time against every entry', () => {
    expect(findToken(entries, TOKEN_A)?.name).toBe('a');
    // No early exit: the match on the first entry still compares the other two.
    expect(compare).toHaveBeenCalledTimes(3);
    for (const [given, expected] of compare.mock.calls) {
      expect((given as Buffer).length).toBe(32);
      expect((expected as Buffer).equals(hashToken(TOKEN_A))).toBe(true);
    }
  });

  it('finds nothing for a wrong, empty or oversized token, or the hash itself', () => {
    expect(findToken(entries, 'a'.repeat(39))).toBeUndefined();
    expect(findToken(entries, tokenHashText(TOKEN_A))).toBeUndefined();
    expect(findToken(entries, hashToken(TOKEN_A).toString('hex'))).toBeUndefined();
    compare.mockClear();
    expect(findToken(entries, '')).toBeUndefined();
    expect(findToken(entries, 'x'.repeat(5000))).toBeUndefined();
    expect(compare).not.toHaveBeenCalled();
  });
});

describe('TokenFile', () => {
  it('follows the file: a removed line is revoked, an added one accepted, at the next check', async () => {
    const p = file([line('a', TOKEN_A), line('b', TOKEN_B)].join('\n'));
    const tokens = await TokenFile.load(p, { checkIntervalMs: 0 });
    expect((await tokens.entries()).map((e) => e.name)).toEqual(['a', 'b']);
    writeFileSync(p, line('b', TOKEN_B));
    expect((await tokens.entries()).map((e) => e.name)).toEqual(['b']);
    writeFileSync(p, [line('b', TOKEN_B), line('a2', TOKEN_A)].join('\n'));
    expect((await tokens.entries()).map((e) => e.name)).toEqual(['b', 'a2']);
  });

  it('looks at the file at most once per interval', async () => {
    const p = file(line('a', TOKEN_A));
    const tokens = await TokenFile.load(p, { checkIntervalMs: 60_000 });
    writeFileSync(p, '');
    expect((await tokens.entries()).map((e) => e.name)).toEqual(['a']);
  });

  it('accepts no token while the file is gone, too big or unreadable, and recovers', async () => {
    const p = file(line('a', TOKEN_A));
    const warnings: unknown[] = [];
    const logger = { warn: (...args: unknown[]) => warnings.push(args), info: () => {} } as never;
    const tokens = await TokenFile.load(p, { checkIntervalMs: 0, logger });
    rmSync(p);
    expect(await tokens.entries()).toEqual([]);
    writeFileSync(p, Buffer.alloc(MAX_TOKEN_FILE_BYTES + 10, 0x20));
    expect(await tokens.entries()).toEqual([]);
    writeFileSync(p, `${line('a', TOKEN_A)}\nbroken line\n`);
    expect((await tokens.entries()).map((e) => e.name)).toEqual(['a']);
    expect(warnings.length).toBeGreaterThanOrEqual(2);
  });

  it('refuses at load a missing file, a huge file, a directory, or any bad line', async () => {
    await expect(TokenFile.load(path.join(dir, 'missing'))).rejects.toThrow(TokenFileError);
    await expect(TokenFile.load(dir)).rejects.toThrow(/not a regular file|EISDIR/);
    await expect(TokenFile.load(file(Buffer.alloc(MAX_TOKEN_FILE_BYTES + 1, 0x41)))).rejects.toThrow(/larger than 1048576 bytes/);
    await expect(TokenFile.load(file(`${line('a', TOKEN_A)}\nb plain\nc plain\n`))).rejects.toThrow(/line 2: "b": .* \(and 1 more\)$/);
  });

  it('shares one check between concurrent requests', async () => {
    const p = file(line('a', TOKEN_A));
    const tokens = await TokenFile.load(p, { checkIntervalMs: 0 });
    const results = await Promise.all(Array.from({ length: 50 }, () => tokens.entries()));
    expect(new Set(results).size).toBe(1);
  });
});
