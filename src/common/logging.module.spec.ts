import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig } from '../config/app-config';
import { PinoLogger } from './logging.module';

describe('PinoLogger', () => {
  let dir: string;
  let file: string;
  let logger: PinoLogger;
  const lines = () => readFileSync(file, 'utf8').trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nca-logger-'));
    file = join(dir, 'app.log');
    logger = new PinoLogger({ log: { level: 'trace', file } } as AppConfig);
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("writes Nest's context as a field and an object's fields at the top level", () => {
    logger.log('started', 'Bootstrap');
    logger.warn({ event: 'refresh_token_reuse', userId: 'u1' }, 'Security');
    logger.verbose('detail');
    expect(lines()).toEqual([
      expect.objectContaining({ level: 30, context: 'Bootstrap', msg: 'started' }),
      expect.objectContaining({ level: 40, context: 'Security', event: 'refresh_token_reuse', userId: 'u1' }),
      expect.objectContaining({ level: 10, msg: 'detail' }),
    ]);
  });

  it('puts the stack of error(message, stack, context) into err, and the message in msg', () => {
    const stack = 'Error: boom\n    at handler (app.js:1:1)';
    logger.error('500 Internal server error', stack, 'HttpError');
    logger.error('503 The data store is unavailable', undefined, 'HttpError');
    const [withStack, without] = lines();
    expect(withStack).toMatchObject({ level: 50, context: 'HttpError', msg: '500 Internal server error', err: { type: 'Error', stack } });
    expect(without).toMatchObject({ level: 50, context: 'HttpError', msg: '503 The data store is unavailable' });
    expect(without).not.toHaveProperty('err');
  });

  it('numbers a plain node:http request and logs it once answered, without its headers', async () => {
    const ids: unknown[] = [];
    const server = createServer((req, res) => logger.middleware(req, res, () => (ids.push((req as { id?: unknown }).id), res.end())));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    await fetch(`http://127.0.0.1:${port}/auth/login`, { method: 'POST', headers: { cookie: 'auth-cookie=secret' } });
    await new Promise((resolve) => server.close(resolve));
    const [request] = lines();
    expect(ids).toEqual([1]);
    expect(request).toMatchObject({ req: { id: 1, method: 'POST', url: '/auth/login' }, res: { statusCode: 200 }, msg: 'request completed' });
    expect(Object.keys(request)).toContain('responseTime');
    expect(readFileSync(file, 'utf8')).not.toContain('secret');
  });
});
