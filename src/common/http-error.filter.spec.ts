import { Logger, ServiceUnavailableException } from '@nestjs/common';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppConfig } from '../config/app-config';
import type { HttpRequest } from '../http/http';
import { logServerError, toErrorBody } from './http-error.filter';
import { PinoLogger } from './logging.module';

describe('logServerError', () => {
  let dir: string;
  let file: string;
  const lines = () => readFileSync(file, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'nca-errors-'));
    file = join(dir, 'app.log');
    Logger.overrideLogger(new PinoLogger({ log: { level: 'trace', file } } as AppConfig));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("writes a 5xx with its request's id, and a 500's stack; a 4xx not at all", () => {
    const logger = new Logger('HttpError');
    const request = { id: 7, method: 'GET', url: '/x', headers: {} } as unknown as HttpRequest;
    const bug = new Error('boom');
    logServerError(logger, toErrorBody(bug), bug, request);
    const unavailable = new ServiceUnavailableException('The data store is unavailable');
    logServerError(logger, toErrorBody(unavailable), unavailable, request);
    const client = new Error('ignored');
    logServerError(logger, { statusCode: 400, error: 'Bad Request', message: 'no' }, client, request);
    const [crash, outage, ...rest] = lines();
    expect(crash).toMatchObject({ level: 50, context: 'HttpError', requestId: 7, msg: '500 Internal server error', err: { stack: bug.stack } });
    expect(outage).toMatchObject({ level: 50, context: 'HttpError', requestId: 7, msg: '503 The data store is unavailable' });
    expect(outage).not.toHaveProperty('err');
    expect(rest).toEqual([]);
  });
});
