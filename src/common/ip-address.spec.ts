import { addressBucket, canonicalIp } from './ip-address';

describe('canonicalIp', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['2001:DB8:0:0:0:0:0:1', '2001:db8::1'],
    ['2001:db8::1', '2001:db8::1'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::FFFF:c000:0201', '192.0.2.1'],
    ['0:0:0:0:0:0:0:1', '::1'],
    ['fe80::1%eth0', 'fe80::1'],
  ])('%s is %s', (text, canonical) => {
    expect(canonicalIp(text)).toBe(canonical);
  });

  it.each(['not-an-ip', '9.9.9.9:1234', '[2001:db8::1]', '[2001:db8::1]:443', '01.2.3.4', '1.2.3', 'localhost', '', ' 192.0.2.1', '192.0.2.1\n'])('%j is not an address', (text) => {
    expect(canonicalIp(text)).toBeNull();
  });
});

describe('addressBucket', () => {
  it('keeps an IPv4 address as it is', () => {
    expect(addressBucket('192.0.2.1', 64)).toBe('192.0.2.1');
  });

  it('puts an IPv6 address in its /64 (or the configured prefix)', () => {
    expect(addressBucket('2001:db8:1:2:aaaa:bbbb:cccc:dddd', 64)).toBe('2001:db8:1:2::/64');
    expect(addressBucket('2001:db8:1:2::ffff', 64)).toBe('2001:db8:1:2::/64');
    expect(addressBucket('2001:db8:1:2:aaaa::1', 56)).toBe('2001:db8:1::/56');
    expect(addressBucket('2001:db8:1:2ff::1', 56)).toBe('2001:db8:1:200::/56');
    expect(addressBucket('2001:db8::1', 128)).toBe('2001:db8::1/128');
    expect(addressBucket('::1', 64)).toBe('::/64');
    expect(addressBucket(canonicalIp('::192.0.2.1')!, 128)).toBe(`${canonicalIp('::192.0.2.1')}/128`);
  });
});
