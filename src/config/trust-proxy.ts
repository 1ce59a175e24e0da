import { BlockList, isIP } from 'node:net';

/** What Express's "trust proxy" setting is given: off, a hop count, or the proxies' addresses. */
export type TrustProxy = false | number | readonly string[];

/** proxy-addr's named ranges, as Express defines them. */
const PRESETS: Record<string, readonly string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};
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
  if (entry in PRESETS) return true;
  const [address, prefix, ...rest] = entry.split('/');
  const family = isIP(address);
  if (family === 0 || rest.length > 0) return false;
  if (prefix === undefined) return true;
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128);
}

/**
 * Whether the hop at `address` (canonical, see canonicalIp), `hop` steps from the service (0: the
 * connection's peer), is a proxy whose X-Forwarded-For entry is believed: proxy-addr's reading of
 * the setting (the `hop` nearest for a count; an address in the list otherwise).
 */
export type TrustedHop = (address: string, hop: number) => boolean;

export function trustedHop(trustProxy: TrustProxy): TrustedHop {
  if (trustProxy === false) return () => false;
  if (typeof trustProxy === 'number') return (_address, hop) => hop < trustProxy;
  const proxies = new BlockList();
  for (const entry of trustProxy.flatMap((item) => PRESETS[item] ?? [item])) {
    const [address, prefix] = entry.split('/');
    const family = isIP(address) === 6 ? 'ipv6' : 'ipv4';
    if (prefix === undefined) proxies.addAddress(address, family);
    else proxies.addSubnet(address, Number(prefix), family);
  }
  // BlockList matches an IPv4 address against ::ffff:-mapped entries and back.
  return (address) => proxies.check(address, isIP(address) === 6 ? 'ipv6' : 'ipv4');
}

function invalid(line: string): Error {
  return new Error(`Invalid configuration:\n  - ${line}`);
}
