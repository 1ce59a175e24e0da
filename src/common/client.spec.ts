import { parseTrustProxy, trustedHop } from '../config/trust-proxy';
import { clientAddress } from './client';

const behind = (trustProxy: string) => {
  const trusted = trustedHop(parseTrustProxy(trustProxy));
  return (peer: string | undefined, forwardedFor?: string) => clientAddress(peer, forwardedFor, trusted);
};

describe('clientAddress', () => {
  it('is the peer when no proxy is trusted, whatever X-Forwarded-For says', () => {
    const direct = behind('false');
    expect(direct('203.0.113.5', '198.51.100.1')).toBe('203.0.113.5');
    expect(direct('::ffff:203.0.113.5')).toBe('203.0.113.5');
    expect(direct(undefined, '198.51.100.1')).toBeNull();
  });

  it('walks the trusted hops, nearest entry first, as proxy-addr does', () => {
    expect(behind('1')('127.0.0.1', '198.51.100.9, 198.51.100.1')).toBe('198.51.100.1');
    expect(behind('2')('127.0.0.1', '198.51.100.9, 10.0.0.2')).toBe('198.51.100.9');
    expect(behind('10.0.0.0/8,loopback')('127.0.0.1', '198.51.100.9, 198.51.100.7, 10.0.0.2')).toBe('198.51.100.7');
    expect(behind('10.0.0.0/8')('203.0.113.5', '198.51.100.1')).toBe('203.0.113.5'); // the peer is no proxy of ours
    expect(behind('1')('127.0.0.1')).toBe('127.0.0.1');
  });

  it.each(['not-an-ip', '9.9.9.9:1234', '[2001:db8::1]', '[2001:db8::1]:443', '', 'unknown', '198.51.100.1/24', 'evil.example'])(
    'never takes %j as the client: the proxy that wrote it is',
    (entry) => {
      expect(behind('1')('127.0.0.1', entry)).toBe('127.0.0.1');
      expect(behind('2')('127.0.0.1', `198.51.100.9, ${entry}`)).toBe('127.0.0.1');
      expect(behind('2')('127.0.0.1', `${entry}, 10.0.0.2`)).toBe('10.0.0.2');
      expect(behind('loopback,10.0.0.0/8')('::1', `${entry}, 10.0.0.2`)).toBe('10.0.0.2');
    },
  );

  it('writes each address one way: IPv4-mapped as IPv4, IPv6 compressed and lower-case', () => {
    expect(behind('1')('127.0.0.1', '::ffff:198.51.100.1')).toBe('198.51.100.1');
    expect(behind('1')('::ffff:127.0.0.1', '2001:DB8:0:0:0:0:0:5')).toBe('2001:db8::5');
    expect(behind('loopback')('::ffff:127.0.0.1', '198.51.100.1')).toBe('198.51.100.1'); // a mapped peer matches an IPv4 range
  });
});
