/**
 * DATA_DIR holds password hashes, addresses, token hashes and the development secrets: a new
 * folder is created 0700 and every file the service writes there 0600 (the SQLite file, and the
 * -wal and -shm files SQLite gives the same mode); files left open to others by an earlier
 * version are tightened and logged, a folder open to others is kept with a warning.
 */
import { jest } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { chmodSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestApp, startTestApp } from '../support/app';
import { describeOnEachStore } from '../support/stores';
import { signup } from '../support/users';

/** Every entry under `dir` (itself included) with its permission bits, as `path: mode` in octal. */
function modes(dir: string): Record<string, string> {
  const out: Record<string, string> = { '.': (statSync(dir).mode & 0o777).toString(8) };
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) out[entry] = (statSync(join(dir, entry)).mode & 0o777).toString(8);
  return out;
}

const SQLITE_FILES = ['nest-cookie-auth.sqlite', 'nest-cookie-auth.sqlite-wal', 'nest-cookie-auth.sqlite-shm'];

describeOnEachStore('the data folder', (store) => {
  const sqlite = store.name === 'sqlite';
  let parent: string;
  let dataDir: string;
  let app: TestApp | undefined;
  beforeEach(() => {
    parent = mkdtempSync(join(tmpdir(), 'nca-datadir-'));
    dataDir = join(parent, 'nested', 'data');
  });
  afterEach(async () => {
    await app?.close();
    app = undefined;
    jest.restoreAllMocks();
    rmSync(parent, { recursive: true, force: true });
  });

  it('is created 0700 with every file in it 0600', async () => {
    app = await startTestApp(store, { DATA_DIR: dataDir });
    await signup(app); // writes through the WAL
    const found = modes(dataDir);
    expect(Object.keys(found)).toEqual(expect.arrayContaining(['.', 'secrets.json', ...(sqlite ? SQLITE_FILES : [])]));
    for (const [entry, mode] of Object.entries(found)) expect(`${entry}: ${mode}`).toBe(`${entry}: ${statSync(join(dataDir, entry)).isDirectory() ? '700' : '600'}`);
  });

  it('tightens files an earlier version left open to others, saying so; keeps an open folder, with a warning', async () => {
    app = await startTestApp(store, { DATA_DIR: dataDir });
    await signup(app);
    await app.app.close();
    // Another process on the file keeps its -wal and -shm in place (a stop would remove them).
    const neighbour = sqlite ? await store.open(app.env) : undefined;
    const ours = ['secrets.json', ...(sqlite ? SQLITE_FILES : [])].map((name) => join(dataDir, name));
    for (const file of ours) chmodSync(file, 0o644);
    chmodSync(dataDir, 0o755);

    const warnings: string[] = [];
    jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
    app = await app.restart();
    for (const file of ours) expect(`${file}: ${(statSync(file).mode & 0o777).toString(8)}`).toBe(`${file}: 600`);
    expect((statSync(dataDir).mode & 0o777).toString(8)).toBe('755');
    for (const file of ours) expect(warnings).toContain(`${file} was open to other users (mode 644): now 600`);
    expect(warnings).toContainEqual(expect.stringMatching(new RegExp(`^${dataDir} is open to other users \\(mode 755\\).*chmod 700 ${dataDir}$`)));
    expect((await app.http().get('/health')).status).toBe(200);
    await neighbour?.close();
  });
});
