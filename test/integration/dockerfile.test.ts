// deploy/Dockerfile without a Docker engine (there is none here): its build stage's COPY and RUN
// steps replayed in a scratch directory holding only what the .dockerignore lets into the
// context, then the runtime stage's COPY --from=build, then its ENTRYPOINT started with the demo
// cluster. What this catches: a file the build needs but the context filter drops, a build step
// that fails from a clean tree, and a runtime import of a package that `npm prune --omit=dev`
// removed. What it cannot: the base image itself, and the user and file ownership in the image.
import { spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = path.resolve(import.meta.dirname, '../..');
const DOCKERFILE = path.join(ROOT, 'deploy/Dockerfile');
const scratch = mkdtempSync(path.join(os.tmpdir(), 'kubeglance-dockerfile-'));

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

interface Instruction {
  keyword: string;
  args: string;
}

/** The Dockerfile's instructions by stage name, continuation lines joined, comments dropped. */
function stages(text: string): Map<string, Instruction[]> {
  const joined = text.replace(/\\\n/g, ' ').split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  const result = new Map<string, Instruction[]>();
  let current: Instruction[] = [];
  for (const line of joined) {
    const [keyword = '', ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (keyword.toUpperCase() === 'FROM') {
      current = [];
      result.set(/\bAS\s+(\S+)/i.exec(args)?.[1] ?? 'final', current);
    } else {
      current.push({ keyword: keyword.toUpperCase(), args });
    }
  }
  return result;
}

/** Files of the repository that the .dockerignore (a deny-all with exceptions) lets in. */
function contextFilter(): (relative: string) => boolean {
  const lines = readFileSync(`${DOCKERFILE}.dockerignore`, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '' && !l.startsWith('#'));
  const rules = lines.map((line) => ({ include: line.startsWith('!'), pattern: globToRegExp(line.replace(/^!/, '')) }));
  return (relative) => rules.reduce((included, rule) => (rule.pattern.test(relative) ? rule.include : included), false);
}

function globToRegExp(glob: string): RegExp {
  const source = glob
    .split('**')
    .map((part) => part.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('[^/]*'))
    .join('.*');
  return new RegExp(`^${source}$`);
}

/**
 * COPY <src…> <dest> with Docker's rules: a directory source copies its contents, a destination
 * ending in "/" (or several sources) is a directory. `from` is the context (or the build stage's
 * root for --from=build, whose paths are absolute); only files `allowed` lets in are copied.
 */
function copy(args: string, from: string, workdir: string, allowed: (relative: string) => boolean = () => true): void {
  const parts = args.split(/\s+/).filter((part) => !part.startsWith('--'));
  const destination = parts.pop()!;
  const dest = path.resolve(workdir, destination);
  for (const source of parts) {
    const absolute = path.join(from, source);
    const isDirectory = existsSync(absolute) && statSync(absolute).isDirectory();
    if (!existsSync(absolute) || (!isDirectory && !allowed(path.relative(from, absolute)))) throw new Error(`COPY ${source}: not in the build context`);
    const target = isDirectory ? dest : destination.endsWith('/') || parts.length > 1 ? path.join(dest, path.basename(source)) : dest;
    mkdirSync(path.dirname(target), { recursive: true });
    cpSync(absolute, target, { recursive: true, filter: (file) => statSync(file).isDirectory() || allowed(path.relative(from, file)) });
  }
}

describe('deploy/Dockerfile, replayed without Docker', () => {
  it('builds from the filtered context and the pruned runtime tree starts and serves', async () => {
    const parsed = stages(readFileSync(DOCKERFILE, 'utf8'));
    const build = parsed.get('build');
    const runtime = parsed.get('final');
    expect(build, 'a stage named "build"').toBeDefined();
    expect(runtime, 'a final stage').toBeDefined();

    // Build stage: the context as the .dockerignore filters it.
    const allowed = contextFilter();
    const buildRoot = path.join(scratch, 'build');
    let workdir = buildRoot;
    for (const { keyword, args } of build!) {
      if (keyword === 'WORKDIR') {
        workdir = path.join(buildRoot, args);
        mkdirSync(workdir, { recursive: true });
      } else if (keyword === 'COPY') {
        copy(args, ROOT, workdir, allowed);
      } else if (keyword === 'RUN') {
        // --prefer-offline: the packages are in npm's cache from this checkout's own install.
        const command = args.replace(/\bnpm ci\b/, 'npm ci --prefer-offline');
        const result = spawnSync('bash', ['-c', command], { cwd: workdir, encoding: 'utf8', env: { ...process.env, npm_config_update_notifier: 'false' } });
        expect(result.status, `RUN ${args}\n${result.stderr?.slice(-3000)}`).toBe(0);
      }
    }
    // Test files are filtered out of the context: none may reach the build.
    expect(existsSync(path.join(workdir, 'src/cli/config.test.ts'))).toBe(false);

    // Runtime stage: only what it copies from the build stage.
    const appRoot = path.join(scratch, 'runtime');
    let appDir = appRoot;
    let entrypoint: string[] = [];
    for (const { keyword, args } of runtime!) {
      if (keyword === 'WORKDIR') {
        appDir = path.join(appRoot, args);
        mkdirSync(appDir, { recursive: true });
      } else if (keyword === 'COPY') {
        expect(args, 'the runtime stage copies only from the build stage').toMatch(/--from=build/);
        copy(args, buildRoot, appDir);
      } else if (keyword === 'ENTRYPOINT') {
        entrypoint = JSON.parse(args) as string[];
      } else if (keyword === 'USER') {
        expect(args).toMatch(/^[1-9]\d*:[1-9]\d*$/); // a numeric non-root user: runAsNonRoot can check it
      }
    }
    expect(existsSync(path.join(appDir, 'node_modules/vitest')), 'devDependencies pruned').toBe(false);
    expect(existsSync(path.join(appDir, 'node_modules/redis')), 'runtime dependencies kept').toBe(true);

    // The entrypoint, with an authorization file (YAML: js-yaml must be in the pruned tree).
    const authz = path.join(scratch, 'authz.yaml');
    writeFileSync(authz, 'default: { namespaces: ["*"], nodes: true }\n');
    const [command, ...args] = entrypoint;
    const child = spawn(command === 'node' ? process.execPath : command!, [...args, '--demo=small', '--port', '0', '--authz-file', authz], {
      cwd: appDir,
      env: { PATH: process.env.PATH, HOME: scratch, NODE_ENV: 'production' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let stdout = '';
        child.stdout.on('data', (d: Buffer) => {
          stdout += d.toString();
          const match = /listening on (\S+)/.exec(stdout);
          if (match) resolve(match[1]!);
        });
        child.on('exit', (code) => reject(new Error(`exited with ${code}: ${stderr}`)));
      });
      expect((await fetch(new URL('/healthz', url))).status).toBe(200);
      const page = await fetch(url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<script'); // the built browser app is served
    } finally {
      child.kill('SIGTERM');
    }
  }, 600_000);
});
