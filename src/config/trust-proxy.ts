import { isIP } from 'node:net';

/** What Express's "trust proxy" setting is given: off, a hop count, or the proxies' addresses. */
export type TrustProxy = false | number | readonly string[];

/** proxy-addr's named ranges, as Express accepts them. */
const PRESETS = new Set(['loopback', 'linklocal', 'uniquelocal']);
/** More hops than any real chain of proxies: past it a count is a typo or a wish to trust everyone. */
const MAX_HOPS = 10;

const HOW_TO =
  'set the number of proxies in front of the service (for example TRUST_PROXY=1) or their addresses ' +
  '(for example TRUST_PROXY=10.0.0.0/8 or TRUST_PROXY=loopback,uniquelocal)';

/**
 * TRUST_PROXY, read so that it cannot be misread. Express takes a string such as "1" as an IP
 * address (0.0.0.1), so a hop count becomes a number here; `true` would believe whatever a
 * client writes in X-Forwarded-For (every rate limit, session address and log line forgeable),
 * so it is refused rather than passed on. Each problem is reported with the variable's name.
 */
export function parseTrustProxy(raw: string): TrustProxy {
  const value = raw.trim();
  if (value === '' || value === 'false') return false;
  if (value === 'true') {
    throw invalid(`TRUST_PROXY=true would trust every hop, i.e. believe any X-Forwarded-For a client sends: ${HOW_TO}`);
  }
  if (/^\d+$/.test(value)) {
    const hops = Number(value);
    if (hops > MAX_HOPS) throw invalid(`TRUST_PROXY=${value} is more hops than any proxy chain (at most ${MAX_HOPS}): ${HOW_TO}`);
    return hops === 0 ? false : hops;
  }
  const entries = value.split(',').map((entry) => entry.trim());
  const bad = entries.filter((entry) => !isProxyAddress(entry));
  if (bad.length > 0) {
    throw invalid(`TRUST_PROXY has ${bad.map((entry) => JSON.stringify(entry)).join(', ')}, which is not false, a hop count, an address, a CIDR or a preset (loopback, linklocal, uniquelocal): ${HOW_TO}`);
  }
  return entries;
}

function isProxyAddress(entry: string): boolean {
  if (PRESETS.has(entry)) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

function invalid(line: string): Error {
  return new Error(`Invalid configuration:\n  - ${line}`);
}
