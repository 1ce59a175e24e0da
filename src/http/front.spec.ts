import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serveThroughFront } from './front';
import type { RawMiddleware } from './platform';

describe('serveThroughFront', () => {
  let server: Server;
  let platformCalls: number;
  const platform = (_req: IncomingMessage, res: ServerResponse) => {
    platformCalls++;
    res.end('from the platform');
  };
  const headerFirst: RawMiddleware = (_req, res, next) => (res.setHeader('X-Front', 'yes'), next());

  async function serve(front: RawMiddleware[]): Promise<string> {
    platformCalls = 0;
    server = createServer(platform);
    serveThroughFront(server, front);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  }
  afterEach(() => new Promise((resolve) => server.close(resolve)));

  it('runs the list in order, then hands the request to the platform', async () => {
    const order: string[] = [];
    const url = await serve([headerFirst, (_req, _res, next) => (order.push('second'), next())]);
    const res = await fetch(url);
    expect([res.status, res.headers.get('x-front'), await res.text(), order, platformCalls]).toEqual([200, 'yes', 'from the platform', ['second'], 1]);
  });

  it('answers 500 in the standard shape, with the headers set so far, when a middleware throws; the platform never sees it', async () => {
    const url = await serve([headerFirst, () => { throw new Error('boom'); }]);
    const res = await fetch(url);
    expect([res.status, res.headers.get('x-front'), await res.json(), platformCalls]).toEqual([500, 'yes', { statusCode: 500, error: 'Internal Server Error', message: 'Internal server error' }, 0]);
  });

  it('a middleware that answers itself ends the request there; one that neither answers nor calls next() is a 500', async () => {
    const url = await serve([(req, res, next) => (req.url === '/answered' ? res.end('answered early') : req.url === '/stuck' ? undefined : next())]);
    const answered = await fetch(`${url}answered`);
    expect([answered.status, await answered.text(), platformCalls]).toEqual([200, 'answered early', 0]);
    const stuck = await fetch(`${url}stuck`);
    expect([stuck.status, platformCalls]).toEqual([500, 0]);
  });
});
