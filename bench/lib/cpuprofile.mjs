// Summarises a V8 .cpuprofile: self time by function (file:line function), self and inclusive
// time by package, inclusive time by function, all as shares of the busy (non-idle) time and as
// microseconds per request.

/** Where a frame lives, short: "passport-jwt/lib/strategy.js", "app:auth/strategies/jwt.strategy.js", "node:internal/...". */
function whereOf(url, appDir) {
  if (!url) return '';
  let u = url.replace(/^file:\/\//, '');
  if (appDir && u.startsWith(appDir)) return `app:${u.slice(appDir.length).replace(/^\//, '')}`;
  const nm = u.lastIndexOf('/node_modules/');
  if (nm >= 0) return u.slice(nm + '/node_modules/'.length);
  return u;
}

function packageOf(frame, appDir) {
  const { functionName, url } = frame;
  if (!url) {
    if (functionName === '(garbage collector)' || functionName === '(program)' || functionName === '(idle)' || functionName === '(root)') return functionName;
    return '(native: V8 builtins / C++ bindings)';
  }
  const where = whereOf(url, appDir);
  if (where.startsWith('app:')) return 'app (dist/, our src)';
  if (where.startsWith('node:')) return 'node core (node:*)';
  if (url.includes('/node_modules/')) {
    const parts = where.split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  return where;
}

const SPECIAL = new Set(['(garbage collector)', '(program)', '(idle)', '(root)']);

function functionKey(frame, appDir) {
  const where = whereOf(frame.url, appDir);
  const name = frame.functionName || '(anonymous)';
  return where ? `${where}:${frame.lineNumber + 1} ${name}` : name;
}

/** The file (app) or package (node_modules) a frame is charged to; null for node core and native frames. */
function ownerOf(frame, appDir) {
  if (!frame.url) return SPECIAL.has(frame.functionName) && frame.functionName !== '(root)' ? frame.functionName : null;
  const where = whereOf(frame.url, appDir);
  if (where.startsWith('app:')) return where;
  if (where.startsWith('node:')) return null;
  if (frame.url.includes('/node_modules/')) {
    const parts = where.split('/');
    return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
  }
  return where;
}

export function analyse(profile, { requests = null, appDir = null, top = 30 } = {}) {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

  // Each sample weighs the time until the next one (the last gets the mean interval).
  const { samples, timeDeltas } = profile;
  const total = (profile.endTime - profile.startTime) / 1000; // ms
  const mean = samples.length > 1 ? total / samples.length : 0;
  const weight = samples.map((_, i) => (i + 1 < timeDeltas.length ? timeDeltas[i + 1] / 1000 : mean));

  const self = new Map();
  const selfPkg = new Map();
  const charged = new Map();
  const inclFn = new Map();
  const inclPkg = new Map();
  let idle = 0;
  const add = (map, key, ms) => map.set(key, (map.get(key) ?? 0) + ms);
  const frameCache = new Map();
  const info = (id) => {
    let v = frameCache.get(id);
    if (!v) {
      const f = byId.get(id).callFrame;
      v = { fn: functionKey(f, appDir), pkg: packageOf(f, appDir), name: f.functionName, owner: ownerOf(f, appDir), native: !f.url };
      frameCache.set(id, v);
    }
    return v;
  };

  for (let i = 0; i < samples.length; i++) {
    const ms = weight[i];
    const leaf = info(samples[i]);
    if (leaf.name === '(idle)') {
      idle += ms;
      continue;
    }
    // Native frames (C++ bindings, V8 builtins) are named after their nearest JS caller, so that
    // "get" reads "get [native] <- app:storage/sqlite/...:80".
    let leafKey = leaf.fn;
    if (leaf.native && !SPECIAL.has(leaf.name)) {
      const caller = parent.get(samples[i]);
      if (caller !== undefined && info(caller).name !== '(root)') leafKey = `${leaf.name || '(anonymous)'} [native] <- ${info(caller).fn}`;
    }
    add(self, leafKey, ms);
    add(selfPkg, leaf.pkg, ms);
    // Charged: the sample goes to the innermost app file or package on the stack, so node core
    // and native work (socket writes, HMAC, SQLite) count for whoever asked for it.
    let owner = null;
    for (let id = samples[i]; id !== undefined && owner === null; id = parent.get(id)) owner = info(id).owner;
    add(charged, owner ?? 'node core only (HTTP parsing, socket I/O, timers: no package on the stack)', ms);
    const seenFn = new Set();
    const seenPkg = new Set();
    for (let id = samples[i]; id !== undefined; id = parent.get(id)) {
      const f = info(id);
      if (f.name === '(root)') continue;
      if (!seenFn.has(f.fn)) {
        seenFn.add(f.fn);
        add(inclFn, f.fn, ms);
      }
      if (!seenPkg.has(f.pkg)) {
        seenPkg.add(f.pkg);
        add(inclPkg, f.pkg, ms);
      }
    }
  }
  const busy = weight.reduce((a, b) => a + b, 0) - idle;
  const rows = (map, n) =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([key, ms]) => ({
        key,
        pct: Math.round((ms / busy) * 1000) / 10,
        ms: Math.round(ms),
        usPerReq: requests ? Math.round(((ms * 1000) / requests) * 10) / 10 : null,
      }));
  return {
    totalMs: Math.round(total),
    busyMs: Math.round(busy),
    idleMs: Math.round(idle),
    samples: samples.length,
    requests,
    busyUsPerRequest: requests ? Math.round((busy * 1000) / requests) : null,
    selfByFunction: rows(self, top),
    selfByPackage: rows(selfPkg, 25),
    chargedByOwner: rows(charged, 30),
    inclusiveByPackage: rows(inclPkg, 25),
    inclusiveByFunction: rows(inclFn, top * 2),
  };
}

export function formatSummary(title, a) {
  const lines = [];
  const table = (heading, rs) => {
    lines.push(`  ${heading}`);
    for (const r of rs) lines.push(`    ${String(r.pct).padStart(5)}%  ${String(r.usPerReq ?? '').padStart(7)} us/req  ${r.key}`);
  };
  lines.push(`== ${title}`);
  lines.push(
    `  ${a.requests ?? '?'} requests; profile ${a.totalMs} ms, busy ${a.busyMs} ms, idle ${a.idleMs} ms; busy CPU per request ${a.busyUsPerRequest ?? '?'} us (percentages are of busy time)`,
  );
  table('charged to the innermost app file or package on the stack (node core / native work counts for its caller)', a.chargedByOwner);
  table('self time by package', a.selfByPackage);
  table('inclusive time by package (a sample counts once per package on its stack)', a.inclusiveByPackage);
  table('self time by function (file:line function)', a.selfByFunction);
  table('inclusive time by function', a.inclusiveByFunction);
  return lines.join('\n');
}

// CLI: node bench/lib/cpuprofile.mjs <file.cpuprofile> [requests] [appDir]
if (process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href) {
  const { readFileSync } = await import('node:fs');
  const [file, requests, appDir] = process.argv.slice(2);
  const profile = JSON.parse(readFileSync(file, 'utf8'));
  console.log(formatSummary(file, analyse(profile, { requests: requests ? Number(requests) : null, appDir: appDir ?? guessAppDir(profile) })));
}

/** The dist folder the profiled server ran from (a bench/.dist-<pid> snapshot, or dist/). */
export function guessAppDir(profile) {
  for (const n of profile.nodes) {
    const m = /^(?:file:\/\/)?(.*\/bench\/\.dist-\d+)\//.exec(n.callFrame.url);
    if (m) return m[1];
  }
  for (const n of profile.nodes) {
    const m = /^(?:file:\/\/)?(.*\/dist)\/main\.js$/.exec(n.callFrame.url);
    if (m && !m[1].includes('/node_modules/')) return m[1];
  }
  return null;
}
