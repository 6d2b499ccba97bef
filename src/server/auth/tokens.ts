// Static bearer tokens (for TV screens and scrapers), kept hashed in a file of lines
//
//   <name> sha256:<64 hex digits> [namespaces=<ns>,<ns>…]
//
// `#` starts a comment line; blank lines are ignored. Revoking a token is removing its line: the
// file is looked at again (stat, at most once a second) and re-read when it changed. A file that
// cannot be read or is too large accepts no token at all (fail closed).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import type { Logger } from 'pino';

export interface TokenEntry {
  name: string;
  /** sha256 of the token, 32 bytes. */
  digest: Buffer;
  namespaces?: string[];
}

export interface TokenFileProblem {
  line: number;
  message: string;
}

/** Bounds on what is read: a token file is small; anything bigger is a mistake or an attack. */
export const MAX_TOKEN_FILE_BYTES = 1024 * 1024;
export const MAX_TOKEN_ENTRIES = 10_000;
const MAX_LINE_CHARS = 4096;
const MAX_PROBLEMS = 20;
/** Longer presented tokens are refused without hashing. */
export const MAX_TOKEN_CHARS = 4096;

const NAME = /^[A-Za-z0-9][A-Za-z0-9._@:-]{0,252}$/;
const HASH = /^sha256:([0-9a-fA-F]{64})$/;
const NAMESPACE = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function hashToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

/** The line value for a token: `sha256:<hex>`. */
export function tokenHashText(token: string): string {
  return `sha256:${hashToken(token).toString('hex')}`;
}

/** Parses the text of a token file. Bad lines are reported and left out; the rest are used. */
export function parseTokenFile(text: string): { entries: TokenEntry[]; problems: TokenFileProblem[] } {
  const entries: TokenEntry[] = [];
  const problems: TokenFileProblem[] = [];
  const names = new Set<string>();
  const digests = new Set<string>();
  const problem = (line: number, message: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push({ line, message });
  };
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const lineNo = i + 1;
    const line = lines[i]!;
    if (line.length > MAX_LINE_CHARS) {
      problem(lineNo, `longer than ${MAX_LINE_CHARS} characters`);
      continue;
    }
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (entries.length >= MAX_TOKEN_ENTRIES) {
      problem(lineNo, `more than ${MAX_TOKEN_ENTRIES} entries; the rest are ignored`);
      break;
    }
    const fields = trimmed.split(/[ \t]+/);
    const [name = '', hash = '', ...options] = fields;
    if (!NAME.test(name)) {
      problem(lineNo, 'the name must be letters, digits and . _ @ : - (up to 253), starting with a letter or digit');
      continue;
    }
    const hex = HASH.exec(hash)?.[1];
    if (hex === undefined) {
      problem(lineNo, `"${name}": the second field must be sha256:<64 hex digits> (kubeglance hash-token makes one)`);
      continue;
    }
    const entry: TokenEntry = { name, digest: Buffer.from(hex, 'hex') };
    let bad = false;
    for (const option of options) {
      const value = option.startsWith('namespaces=') ? option.slice('namespaces='.length) : undefined;
      if (value === undefined || entry.namespaces !== undefined) {
        problem(lineNo, `"${name}": unexpected "${option.slice(0, 40)}" (only namespaces=<ns>,<ns> may follow, once)`);
        bad = true;
        break;
      }
      const namespaces = value.split(',');
      if (namespaces.some((ns) => !NAMESPACE.test(ns))) {
        problem(lineNo, `"${name}": namespaces= takes a comma-separated list of namespace names`);
        bad = true;
        break;
      }
      entry.namespaces = [...new Set(namespaces)];
    }
    if (bad) continue;
    if (names.has(name)) {
      problem(lineNo, `"${name}" appears more than once`);
      continue;
    }
    const key = entry.digest.toString('hex');
    if (digests.has(key)) {
      problem(lineNo, `"${name}" has the same token as an entry above`);
      continue;
    }
    names.add(name);
    digests.add(key);
    entries.push(entry);
  }
  return { entries, problems };
}

/**
 * The entry whose digest is the presented token's. Every entry is compared, in constant time
 * each, so that the time taken says nothing about which bytes matched.
 */
export function findToken(entries: readonly TokenEntry[], token: string): TokenEntry | undefined {
  if (token.length === 0 || token.length > MAX_TOKEN_CHARS) return undefined;
  const digest = hashToken(token);
  let found: TokenEntry | undefined;
  for (const entry of entries) {
    if (timingSafeEqual(entry.digest, digest) && found === undefined) found = entry;
  }
  return found;
}

export class TokenFileError extends Error {
  override name = 'TokenFileError';
}

export interface TokenFileOptions {
  logger?: Logger;
  /** How often the file is looked at again, at most. Default 1 s. */
  checkIntervalMs?: number;
}

/**
 * The entries of a token file, following the file as it changes. `entries()` stats the file at
 * most once per check interval (concurrent requests share one check) and re-reads it when its
 * size, mtime, ctime or inode changed.
 */
export class TokenFile {
  private current: readonly TokenEntry[] = [];
  private version = '';
  private checkedAt = -Infinity;
  private checking: Promise<void> | undefined;
  private readonly checkIntervalMs: number;

  private constructor(
    readonly path: string,
    private readonly options: TokenFileOptions,
  ) {
    this.checkIntervalMs = options.checkIntervalMs ?? 1_000;
  }

  /** Reads the file once; a file that is missing, too big or has a bad line is refused. */
  static async load(path: string, options: TokenFileOptions = {}): Promise<TokenFile> {
    const file = new TokenFile(path, options);
    const { entries, problems, version } = await readTokenFile(path);
    if (problems.length > 0) {
      const [first] = problems;
      throw new TokenFileError(`token file ${path}, line ${first!.line}: ${first!.message}` + (problems.length > 1 ? ` (and ${problems.length - 1} more)` : ''));
    }
    file.current = entries;
    file.version = version;
    file.checkedAt = Date.now();
    return file;
  }

  async entries(): Promise<readonly TokenEntry[]> {
    if (Date.now() - this.checkedAt >= this.checkIntervalMs) {
      this.checking ??= this.refresh().finally(() => {
        this.checking = undefined;
      });
      await this.checking;
    }
    return this.current;
  }

  private async refresh(): Promise<void> {
    this.checkedAt = Date.now();
    try {
      const info = await stat(this.path);
      const version = fileVersion(info);
      if (version === this.version) return;
      const { entries, problems } = await readTokenFile(this.path);
      for (const { line, message } of problems) this.options.logger?.warn({ tokenFile: this.path, line }, `token file line ignored: ${message}`);
      this.current = entries;
      this.version = version;
      this.options.logger?.info({ tokenFile: this.path, tokens: entries.length }, 'token file re-read');
    } catch (error) {
      if (this.current.length > 0 || this.version !== 'unreadable') {
        this.options.logger?.warn({ tokenFile: this.path, err: error }, 'token file unreadable: no token is accepted until it is back');
      }
      this.current = [];
      this.version = 'unreadable';
    }
  }
}

async function readTokenFile(path: string): Promise<{ entries: TokenEntry[]; problems: TokenFileProblem[]; version: string }> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    throw new TokenFileError(`token file ${path}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new TokenFileError(`token file ${path}: not a regular file`);
    // Read one byte more than allowed: a file that grew between stat and read is still caught.
    const buffer = Buffer.alloc(MAX_TOKEN_FILE_BYTES + 1);
    let length = 0;
    while (length < buffer.length) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, length);
      if (bytesRead === 0) break;
      length += bytesRead;
    }
    if (length > MAX_TOKEN_FILE_BYTES) throw new TokenFileError(`token file ${path}: larger than ${MAX_TOKEN_FILE_BYTES} bytes`);
    const { entries, problems } = parseTokenFile(buffer.subarray(0, length).toString('utf8'));
    return { entries, problems, version: fileVersion(info) };
  } finally {
    await handle.close();
  }
}

/** What tells a changed file from the one read: inode, size, mtime, ctime. */
function fileVersion(info: Stats): string {
  return `${info.ino}:${info.size}:${info.mtimeMs}:${info.ctimeMs}`;
}
