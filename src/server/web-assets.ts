// The built browser app (scripts/build-web.mjs → dist/web): index.html and the flat directory
// assets/. Only files found by listing assets/ are ever served, so no request path reaches the
// file system: `..`, encoded slashes and the like simply are not names in the list.
import { createHash } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { gzip as gzipCallback } from 'node:zlib';

/**
 * dist/web of this checkout: this module is two levels below the repository root both as
 * src/server/web-assets.ts (run by tsx) and as dist/server/web-assets.js.
 */
export const DEFAULT_WEB_ROOT = fileURLToPath(new URL('../../dist/web', import.meta.url));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.wasm': 'application/wasm',
};
/** Text compresses well; images and fonts are compressed already. */
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.map', '.json', '.txt', '.svg']);
/** Below this a file is sent as is. */
const GZIP_MIN_BYTES = 1024;
/** A name missing from the list re-reads the directory at most this often (a rebuild adds files). */
const RESCAN_MS = 1000;

export interface WebFile {
  body: Buffer;
  /** gzip of body, when worth it (made once per content). */
  gzipped?: Buffer;
  contentType: string;
  /** Weak ETag from the content (weak: the same tag covers the plain and the gzipped body). */
  etag: string;
}

interface CacheEntry {
  mtimeMs: number;
  size: number;
  file: Promise<WebFile>;
}

const gzip = promisify(gzipCallback);

export class WebAssets {
  readonly root: string;
  private readonly assetsDir: string;
  /** The names that may be served: the last listing of assets/. */
  private names = new Set<string>();
  private scannedAt = -Infinity;
  private scanning: Promise<void> | undefined;
  private readonly cache = new Map<string, CacheEntry>();

  constructor(root: string = DEFAULT_WEB_ROOT) {
    this.root = path.resolve(root);
    this.assetsDir = path.join(this.root, 'assets');
  }

  /** index.html, or undefined when the app has not been built. */
  index(): Promise<WebFile | undefined> {
    return this.load(path.join(this.root, 'index.html'));
  }

  /** A file of assets/ by its URL name (the part after `/assets/`), or undefined. */
  async asset(name: string): Promise<WebFile | undefined> {
    if (!this.names.has(name)) {
      await this.rescan();
      if (!this.names.has(name)) return undefined;
    }
    const file = await this.load(path.join(this.assetsDir, name));
    if (file === undefined) this.scannedAt = -Infinity;
    return file;
  }

  /**
   * Lists the regular, non-hidden files of assets/ with a known type (no subdirectories, no
   * links), unless that was done less than RESCAN_MS ago. Requests arriving during a listing wait
   * for it.
   */
  private rescan(): Promise<void> {
    if (this.scanning) return this.scanning;
    if (performance.now() - this.scannedAt < RESCAN_MS) return Promise.resolve();
    this.scanning = readdir(this.assetsDir, { withFileTypes: true })
      .catch(() => [])
      .then((entries) => {
        this.names = new Set(
          entries
            .filter((entry) => entry.isFile() && !entry.name.startsWith('.') && path.extname(entry.name) in CONTENT_TYPES)
            .map((entry) => entry.name),
        );
      })
      .finally(() => {
        this.scannedAt = performance.now();
        this.scanning = undefined;
      });
    return this.scanning;
  }

  /** Reads a file once per version (size and mtime), with its ETag and gzip. */
  private async load(file: string): Promise<WebFile | undefined> {
    let stats;
    try {
      stats = await stat(file);
    } catch {
      this.cache.delete(file);
      return undefined;
    }
    if (!stats.isFile()) return undefined;
    const cached = this.cache.get(file);
    if (cached && cached.mtimeMs === stats.mtimeMs && cached.size === stats.size) return cached.file;
    const entry: CacheEntry = { mtimeMs: stats.mtimeMs, size: stats.size, file: readWebFile(file) };
    entry.file.catch(() => {
      if (this.cache.get(file) === entry) this.cache.delete(file);
    });
    this.cache.set(file, entry);
    return entry.file.catch(() => undefined);
  }
}

async function readWebFile(file: string): Promise<WebFile> {
  const body = await readFile(file);
  const ext = path.extname(file);
  const etag = `W/"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  const contentType = CONTENT_TYPES[ext] ?? 'application/octet-stream';
  const gzipped = COMPRESSIBLE.has(ext) && body.length >= GZIP_MIN_BYTES ? await gzip(body, { level: 9 }) : undefined;
  return gzipped && gzipped.length < body.length ? { body, gzipped, contentType, etag } : { body, contentType, etag };
}

/** Whether an If-None-Match header matches the ETag: a list or `*`, compared weakly (RFC 9110 13.1.2). */
export function etagMatches(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const opaque = (tag: string) => tag.trim().replace(/^W\//, '');
  return header.split(',').some((tag) => tag.trim() === '*' || opaque(tag) === opaque(etag));
}
