import { parseTrustProxy } from './trust-proxy';

describe('parseTrustProxy', () => {
  it('reads off, a hop count as a number, and address lists', () => {
    expect(parseTrustProxy('false')).toBe(false);
    expect(parseTrustProxy('')).toBe(false);
    expect(parseTrustProxy('0')).toBe(false);
    expect(parseTrustProxy('1')).toBe(1); // a number: Express would read the string "1" as the address 0.0.0.1
    expect(parseTrustProxy('2')).toBe(2);
    expect(parseTrustProxy('loopback, 10.0.0.0/8,192.168.1.10, fd00::/8')).toEqual(['loopback', '10.0.0.0/8', '192.168.1.10', 'fd00::/8']);
    expect(parseTrustProxy('uniquelocal,linklocal')).toEqual(['uniquelocal', 'linklocal']);
  });

  it('refuses true (believe every client) with the reason and what to set instead', () => {
    expect(() => parseTrustProxy('true')).toThrow(/^Invalid configuration:\n  - TRUST_PROXY=true would trust every hop.*set the number of proxies.*TRUST_PROXY=1/s);
  });

  it.each(['yes', '1.5', '-1', 'loopback,', '10.0.0.0/33', 'fd00::/129', '10.0.0.0/8/1', 'proxy.internal', '11'])(
    'refuses %j, naming the variable',
    (value) => {
      expect(() => parseTrustProxy(value)).toThrow(/^Invalid configuration:\n  - TRUST_PROXY/);
    },
  );
});
