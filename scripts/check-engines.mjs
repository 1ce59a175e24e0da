// CI check: the running Node is inside package.json's `engines`, and every installed package's
// own `engines` accepts it (what `npm ci` reports as EBADENGINE) and also the lowest Node that
// package.json's `engines` claims (so the claim is not wider than the tree). With
// `--npm-log <file>` it also fails when that output of `npm ci` holds an EBADENGINE line.
// Exits 1 on any violation.
//   node scripts/check-engines.mjs [--npm-log npm-ci.log]
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const require = createRequire(join(root, 'package.json'));
const semver = require('semver');

/** Known exceptions, each with its reason; a package listed here is reported, not failed. None today. */
const KNOWN = {};

const node = process.version;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const problems = [];
const known = [];
if (!semver.satisfies(node, pkg.engines.node)) problems.push(`Node ${node} is outside package.json engines "${pkg.engines.node}"`);

// The lowest version of each range package.json claims ("^24.11.0" gives 24.11.0).
const floors = new semver.Range(pkg.engines.node).set.map((comparators) => semver.minVersion(comparators.map((c) => c.value).join(' ')).version);
const checked = [...new Set([node.slice(1), ...floors])];

const lock = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8'));
for (const [path, entry] of Object.entries(lock.packages)) {
  const range = entry.engines?.node;
  if (!path || !range || !existsSync(join(root, path))) continue; // the root, or not installed here
  const refused = checked.filter((version) => !semver.satisfies(version, range));
  if (refused.length === 0) continue;
  const name = path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);
  const what = `${name}@${entry.version} wants node "${range}", not ${refused.join(', ')}`;
  (name in KNOWN ? known : problems).push(`${what}${name in KNOWN ? `: ${KNOWN[name]}` : ''}`);
}

const logAt = process.argv.indexOf('--npm-log');
if (logAt !== -1) {
  const log = readFileSync(process.argv[logAt + 1], 'utf8');
  const offenders = [...log.matchAll(/EBADENGINE\s+package:\s*'([^']+)'/g)].map((m) => m[1]);
  for (const id of offenders) {
    const name = id.slice(0, id.lastIndexOf('@') || undefined);
    if (!(name in KNOWN)) problems.push(`npm ci printed EBADENGINE for ${id}`);
  }
  if (/EBADENGINE/.test(log) && offenders.length === 0) problems.push('npm ci printed EBADENGINE');
}

for (const line of known) console.log(`engines: known exception: ${line}`);
for (const line of problems) console.log(`engines: FAIL ${line}`);
console.log(
  problems.length === 0
    ? `engines: ok on Node ${node}; every package accepts ${checked.join(' and ')} (package.json engines "${pkg.engines.node}")`
    : `engines: ${problems.length} problem(s)`,
);
process.exit(problems.length === 0 ? 0 : 1);
