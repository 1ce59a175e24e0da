import { isRecent } from './recent-auth';

describe('isRecent (REAUTH_MAX_AGE)', () => {
  const provedAt = 1_796_000_000; // auth_time, seconds
  const after = (seconds: number) => new Date((provedAt + seconds) * 1000);

  it('holds from the proof until just before the window ends', () => {
    expect(isRecent(provedAt, after(0), 600)).toBe(true);
    expect(isRecent(provedAt, after(599.999), 600)).toBe(true);
    expect(isRecent(provedAt, after(600), 600)).toBe(false);
    expect(isRecent(provedAt, after(3600), 600)).toBe(false);
  });

  it('is never recent without a known auth_time, or with a window of 0', () => {
    expect(isRecent(null, after(0), 600)).toBe(false);
    expect(isRecent(provedAt, after(0), 0)).toBe(false);
  });
});
