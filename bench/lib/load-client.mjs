// Parent side of the load-generator child (bench/lib/loader.mjs): start it pinned, send jobs.
import { fileURLToPath } from 'node:url';
import { spawnNode, stopChild } from './procs.mjs';

const LOADER = fileURLToPath(new URL('./loader.mjs', import.meta.url));

export async function startLoader(cpu) {
  const child = spawnNode(cpu, [LOADER], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const pending = new Map();
  let nextId = 1;
  await new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`load generator exited early (${code})`)));
    child.on('message', function first(msg) {
      if (msg?.ready) {
        child.off('message', first);
        resolve();
      }
    });
  });
  child.on('message', (msg) => {
    const waiter = pending.get(msg.id);
    if (!waiter) return;
    pending.delete(msg.id);
    if (msg.error) waiter.reject(new Error(`load generator: ${msg.error}`));
    else waiter.resolve(msg.result);
  });
  child.on('exit', (code) => {
    for (const waiter of pending.values()) waiter.reject(new Error(`load generator exited (${code})`));
    pending.clear();
  });
  return {
    pid: child.pid,
    run(job) {
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        child.send({ ...job, id });
      });
    },
    stop: () => stopChild(child),
  };
}
