// Resident set with many sessions in use (the growth level that holds SETTINGS.rssSessions).
import { setTimeout as sleep } from 'node:timers/promises';
import { api } from './api.mjs';
import { rssMb } from './procs.mjs';
import { SECRETS, SETTINGS, log, projectRequire as require, round } from './settings.mjs';

/**
 * RSS with 10k sessions in use: the level's store holds 10k seeded sessions; every one of them is
 * then used on the access path (twice, once in a quick run; 50 connections), with an access JWT signed here under the
 * same secret, kid, issuer and audience as a token the service issued. Without this, only the 50
 * API-made sessions would ever reach the server and an in-process cache would never fill.
 */
export async function measureRssSessions(ctx, server, seeded, sampleCookie, rssBoot) {
  const jwt = require('jsonwebtoken');
  const token = JSON.parse(decodeURIComponent(sampleCookie.slice('auth-cookie='.length)).slice(2)).token;
  const { header, payload } = jwt.decode(token, { complete: true });
  const cookies = seeded.map(({ id, userId, token: refreshToken }) => {
    const access = jwt.sign({ sid: id }, SECRETS.JWT_ACCESS_SECRET, {
      algorithm: 'HS256',
      keyid: header.kid,
      subject: userId,
      issuer: payload.iss,
      audience: payload.aud,
      expiresIn: 900,
    });
    return `auth-cookie=${encodeURIComponent(`j:${JSON.stringify({ token: access, refreshToken })}`)}`;
  });
  const probe = await api(server, 'GET', '/auth/me', { cookie: cookies[0] });
  if (probe.status !== 200) {
    log(`  RSS with ${seeded.length} sessions: skipped, a self-signed cookie was refused (${probe.status} ${probe.text.slice(0, 120)})`);
    return { skipped: `self-signed access cookie refused with ${probe.status}` };
  }
  const before = rssMb(server.pid);
  const usesEach = SETTINGS.rssSessionUses;
  const r = await ctx.loader.run({
    kind: 'cannon',
    url: `${server.url}/auth/me`,
    connections: SETTINGS.connections,
    amount: cookies.length * usesEach,
    cookies,
  });
  await sleep(300);
  const after = rssMb(server.pid);
  log(`  RSS with ${seeded.length} sessions each used ${usesEach}x (${r.ok} ok of ${r.total}): ${after} MB (boot ${rssBoot}, before this load ${before})`);
  return { sessions: seeded.length, usesEach, bootMb: rssBoot, beforeMb: before, afterMb: after, requests: r.total, ok: r.ok, perSec: round(r.perSec) };
}
