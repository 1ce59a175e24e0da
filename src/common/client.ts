import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { TrustProxy, trustedHop } from '../config/trust-proxy';
import { HttpRequest, header, requestIdOf } from '../http/http';
import type { RawMiddleware } from '../http/platform';
import { canonicalIp } from './ip-address';

/** Where a request comes from, as kept on sessions and written into security events. */
export interface ClientInfo {
  /** Canonical (canonicalIp); null only when the connection was gone before the request was read. */
  ip: string | null;
  userAgent: string | null;
  /** The request log's id of the request (not kept on sessions): a security event names its request by it. */
  requestId?: string | number | null;
}

const CLIENT_ADDRESS = Symbol('clientAddress');
type Addressed = IncomingMessage & { [CLIENT_ADDRESS]?: string | null };

/**
 * The one place the client's address is decided, for rate limits, sessions and security events
 * alike, on both platforms (neither platform's own `req.ip` is read): the front door runs this on
 * node's request before the platform sees it.
 */
export function clientAddresses(trustProxy: TrustProxy): RawMiddleware {
  const trusted = trustedHop(trustProxy);
  return function clientAddresses(req, _res, next) {
    const forwardedFor = req.headers['x-forwarded-for']; // node joins repeated lines with ", "
    (req as Addressed)[CLIENT_ADDRESS] = clientAddress(req.socket.remoteAddress, Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor, trusted);
    next();
  };
}

/**
 * From the connection's peer back through X-Forwarded-For (each proxy appends the address it was
 * connected from, so the nearest hop's entry is last), believing each entry for as long as the hop
 * that wrote it is trusted, as Express's proxy-addr walks it. Unlike proxy-addr, an entry that is
 * not an IP address (`not-an-ip`, `192.0.2.1:4711`, `[2001:db8::1]`) ends the walk: the client is
 * then the hop that wrote it, so no string a client makes up becomes an address or a rate-limit
 * bucket of its own. Addresses come out canonical (canonicalIp).
 */
export function clientAddress(peer: string | undefined, forwardedFor: string | undefined, trusted: (address: string, hop: number) => boolean): string | null {
  let client = canonicalIp(peer);
  let rest = forwardedFor;
  for (let hop = 0; client !== null && rest !== undefined && trusted(client, hop); hop++) {
    const comma = rest.lastIndexOf(',');
    const entry = canonicalIp(rest.slice(comma + 1).trim());
    if (entry === null) break;
    client = entry;
    rest = comma < 0 ? undefined : rest.slice(0, comma);
  }
  return client;
}

export function clientOf(req: HttpRequest): ClientInfo {
  const raw = ((req as { raw?: Addressed }).raw ?? req) as Addressed;
  return { ip: raw[CLIENT_ADDRESS] ?? null, userAgent: header(req, 'user-agent')?.slice(0, 512) ?? null, requestId: requestIdOf(req) };
}

/** The calling client's address (as TRUST_PROXY resolves it) and user agent. */
export const Client = createParamDecorator((_: unknown, context: ExecutionContext) =>
  clientOf(context.switchToHttp().getRequest<HttpRequest>()),
);
