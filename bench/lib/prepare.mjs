// Before any server starts: a private copy of dist/ and a compiled tutorial baseline.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Servers start from a copy of dist/ inside bench/ (so node_modules still resolves): a rebuild
 * by someone else mid-run (nest build empties dist/ first) cannot pull files away.
 */
export function snapshotDist(root, cleanup) {
  const dist = join(root, 'dist');
  if (!existsSync(join(dist, 'main.js'))) throw new Error('dist/main.js is missing: build first (npx nest build, or npm run bench)');
  const snapshot = join(root, 'bench', `.dist-${process.pid}`);
  cpSync(dist, snapshot, { recursive: true });
  cleanup.push(() => rmSync(snapshot, { recursive: true, force: true }));
  return snapshot;
}

/** Compiles bench/tutorial with the project's TypeScript when its output is missing or older. */
export function buildTutorial(root, log) {
  const src = join(root, 'bench/tutorial/src/main.ts');
  const out = join(root, 'bench/tutorial/dist/main.js');
  if (!existsSync(out) || statSync(out).mtimeMs < statSync(src).mtimeMs) {
    log('bench: compiling bench/tutorial (tsc -p bench/tutorial/tsconfig.json)');
    execFileSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'bench/tutorial/tsconfig.json')], {
      stdio: 'inherit',
    });
  }
  return out;
}

/** Which code was measured: the commit, whether the tree was dirty, and when dist/ was built. */
export function codeInfo(root) {
  const git = (...args) => {
    try {
      return execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return null;
    }
  };
  const status = git('status', '--porcelain', '--', 'src');
  const distMs = existsSync(join(root, 'dist/main.js')) ? statSync(join(root, 'dist/main.js')).mtimeMs : null;
  const srcMs = newestMtime(join(root, 'src'));
  return {
    commit: git('rev-parse', '--short', 'HEAD'),
    srcDirty: status === null ? null : status.length > 0,
    distBuiltAt: distMs === null ? null : new Date(distMs).toISOString(),
    srcChangedAt: srcMs === null ? null : new Date(srcMs).toISOString(),
    // dist/ older than the newest file in src/: the figures are for an older build than the commit.
    distStale: distMs !== null && srcMs !== null && srcMs > distMs,
  };
}

function newestMtime(dir) {
  let newest = null;
  try {
    for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
      if (!entry.isFile()) continue;
      const ms = statSync(join(entry.parentPath ?? entry.path, entry.name)).mtimeMs;
      if (newest === null || ms > newest) newest = ms;
    }
  } catch {
    return null;
  }
  return newest;
}

/** BENCH_ENV_<NAME>=value in the bench's environment becomes <NAME>=value in every service it starts. */
export function extraServiceEnv() {
  return Object.fromEntries(
    Object.entries(process.env)
      .filter(([k]) => k.startsWith('BENCH_ENV_'))
      .map(([k, v]) => [k.slice('BENCH_ENV_'.length), v]),
  );
}

/**
 * Removes what an earlier benchmark killed with SIGKILL could not: its dist/ snapshot and temp
 * folders (both carry the dead process's pid in their names). Its children exit by themselves.
 */
export function sweepStale(root) {
  const alive = (pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch (error) {
      return error.code === 'EPERM';
    }
  };
  const sweep = (dir, pattern) => {
    let names = [];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const pid = Number(pattern.exec(name)?.[1]);
      if (pid > 0 && pid !== process.pid && !alive(pid)) rmSync(join(dir, name), { recursive: true, force: true });
    }
  };
  sweep(join(root, 'bench'), /^\.dist-(\d+)$/);
  sweep(tmpdir(), /^nca-bench-(\d+)-/);
}
