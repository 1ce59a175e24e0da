import { loggableUrl } from './loggable-url';

describe('loggableUrl', () => {
  it('hides the token of a reset or verification link, and keeps the rest', () => {
    expect(loggableUrl('/reset?token=abcDEF123_-xyz')).toBe('/reset?token=[redacted]');
    expect(loggableUrl('/verify?x=1&token=secret&y=2')).toBe('/verify?x=1&token=[redacted]&y=2');
    expect(loggableUrl('/reset?token=a&token=b')).toBe('/reset?token=[redacted]&token=[redacted]');
    expect(loggableUrl('/reset?token=')).toBe('/reset?token=[redacted]');
  });

  it.each([
    ['/reset?%74oken=secret', '/reset?%74oken=[redacted]'],
    ['/reset?%74%6F%6B%65%6E=secret', '/reset?%74%6F%6B%65%6E=[redacted]'],
    ['/reset?%54%4f%4B%45%4E=secret', '/reset?%54%4f%4B%45%4E=[redacted]'],
    ['/reset?TOKEN=secret', '/reset?TOKEN=[redacted]'],
    ['/reset?ToKeN=secret&x=1', '/reset?ToKeN=[redacted]&x=1'],
    ['/verify?a=1&to%6Ben=s1&TOKEN=s2&%74oken=s3', '/verify?a=1&to%6Ben=[redacted]&TOKEN=[redacted]&%74oken=[redacted]'],
    ['/reset?token=secret#more', '/reset?token=[redacted]'],
    ['/reset?token=sec=ret', '/reset?token=[redacted]'],
  ])('hides the token whatever the spelling of its name: %s', (url, logged) => {
    expect(loggableUrl(url)).toBe(logged);
  });

  it('leaves other URLs alone', () => {
    expect(loggableUrl('/users?page=2&limit=20')).toBe('/users?page=2&limit=20');
    expect(loggableUrl('/auth/me')).toBe('/auth/me');
    expect(loggableUrl('/x?notatoken=1')).toBe('/x?notatoken=1');
    expect(loggableUrl('/x?token')).toBe('/x?token');
    expect(loggableUrl('/x?%ZZ=1&tok%en=2')).toBe('/x?%ZZ=1&tok%en=2');
  });
});
