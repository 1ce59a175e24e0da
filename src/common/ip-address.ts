import { SocketAddress, isIP } from 'node:net';

/**
 * An IP address in the one spelling the service keeps, or null when `text` is not an address:
 * IPv4 dotted (node accepts no other form), IPv6 lower-case and compressed (RFC 5952, a zone
 * dropped), and an IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, how a dual-stack socket reports
 * an IPv4 peer) as the IPv4 address it is. One address, one spelling: two spellings would be two
 * rate-limit buckets. `[2001:db8::1]`, `192.0.2.1:4711` and host names are not addresses.
 */
export function canonicalIp(text: string | undefined): string | null {
  if (text === undefined) return null;
  const family = isIP(text);
  if (family === 4) return text;
  if (family !== 6) return null;
  const canonical = new SocketAddress({ address: text.replace(/%.*$/, ''), family: 'ipv6' }).address;
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(canonical);
  return mapped ? mapped[1] : canonical;
}

/**
 * The rate-limit bucket of a canonical address: an IPv4 address is its own; an IPv6 address
 * counts with the rest of its /`ipv6Prefix` network (64 by default), because one subscriber or
 * host is given a whole /64 (or more) and could otherwise take a fresh address, and bucket, per
 * request.
 */
export function addressBucket(ip: string, ipv6Prefix: number): string {
  if (isIP(ip) !== 6) return ip;
  const groups = hextets(ip);
  const masked = groups.map((group, i) => {
    const kept = Math.min(16, Math.max(0, ipv6Prefix - i * 16));
    return kept === 0 ? 0 : group & ((0xffff << (16 - kept)) & 0xffff);
  });
  const network = new SocketAddress({ address: masked.map((group) => group.toString(16)).join(':'), family: 'ipv6' }).address;
  return `${network}/${ipv6Prefix}`;
}

/** The eight 16-bit groups of a canonical IPv6 address (`::192.0.2.1` keeps its dotted tail there). */
function hextets(ip: string): number[] {
  const dotted = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  const hex = dotted ? ip.slice(0, dotted.index) + [(+dotted[1] << 8) | +dotted[2], (+dotted[3] << 8) | +dotted[4]].map((n) => n.toString(16)).join(':') : ip;
  const [head, tail] = hex.includes('::') ? hex.split('::') : [hex, undefined];
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  return [...left, ...zeros, ...right].map((group) => parseInt(group, 16));
}
