import { loggableUrl } from './loggable-url';

describe('loggableUrl', () => {
  it('hides the token of a reset or verification link, and keeps the rest', () => {
    expect(loggableUrl('/reset?token=abcDEF123_-xyz')).toBe('/reset?token=[redacted]');
    expect(loggableUrl('/verify?x=1&token=secret&y=2')).toBe('/verify?x=1&token=[redacted]&y=2');
    expect(loggableUrl('/reset?TOKEN=secret#frag')).toBe('/reset?TOKEN=[redacted]#frag');
    expect(loggableUrl('/reset?token=a&token=b')).toBe('/reset?token=[redacted]&token=[redacted]');
  });

  it('leaves other URLs alone', () => {
    expect(loggableUrl('/users?page=2&limit=20')).toBe('/users?page=2&limit=20');
    expect(loggableUrl('/auth/me')).toBe('/auth/me');
    expect(loggableUrl('/x?notatoken=1')).toBe('/x?notatoken=1');
  });
});
