import { jest } from '@jest/globals';
import dns from 'node:dns';
import type { AddressInfo } from 'node:net';
import { TestApp, startTestApp } from '../support/app';
import { describeOnEachStore } from '../support/stores';

type LookupAll = (host: string, options: object, callback: (error: Error | null, addresses: { address: string; family: number }[]) => void) => void;

/**
 * Every answer passes the front door (src/http/front.ts), whichever address it was asked on. For a
 * HOST that resolves to several addresses (localhost: 127.0.0.1 and ::1 on most machines), Fastify
 * would listen on the others with servers of its own; here `localhost` is made to resolve to two
 * loopback addresses, and whatever answers on either must carry the security headers.
 */
describeOnEachStore('the front door on every listening address', (store) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await startTestApp(store);
  });
  afterAll(() => app.close());

  it('HOST=localhost resolving to two addresses: no answer without the security headers', async () => {
    const lookup = dns.lookup as unknown as LookupAll;
    const spy = jest.spyOn(dns, 'lookup').mockImplementation(((host: string, options: object, callback: Parameters<LookupAll>[2]) => {
      if (host !== 'localhost' || typeof callback !== 'function') return lookup(host, options, callback);
      callback(null, [{ address: '127.0.0.1', family: 4 }, { address: '127.0.0.2', family: 4 }]);
    }) as never);
    try {
      await app.app.listen(0, 'localhost');
    } finally {
      spy.mockRestore();
    }
    const { port } = app.app.getHttpServer().address() as AddressInfo;
    const answers: string[] = [];
    for (const address of ['127.0.0.1', '127.0.0.2']) {
      const res = await fetch(`http://${address}:${port}/health/live`).catch(() => null);
      if (!res) continue; // nothing listens there: nothing to bypass
      answers.push(address);
      expect([address, res.status, res.headers.get('x-content-type-options'), res.headers.get('cache-control')]).toEqual([address, 200, 'nosniff', 'no-store']);
    }
    expect(answers).toContain('127.0.0.1');
  });
});
