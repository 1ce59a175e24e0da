// Raw bcrypt.compare throughput, the login path's floor: started by the parent with the same
// CPU pinning and UV_THREADPOOL_SIZE as the server, it keeps `concurrency` async compares in
// flight (as many as the login load has requests in flight) for `durationMs`, then prints JSON.
import bcrypt from 'bcrypt';
import { performance } from 'node:perf_hooks';

const { hash, password, concurrency, durationMs } = JSON.parse(process.argv[2]);
if (!(await bcrypt.compare(password, hash))) throw new Error('bcrypt-raw: the password does not match the hash');

let done = 0;
const cpu0 = process.cpuUsage(); // all threads of the process: the libuv pool does the hashing
const start = performance.now();
const end = start + durationMs;
async function worker() {
  while (performance.now() < end) {
    const ok = await bcrypt.compare(password, hash);
    if (!ok) throw new Error('bcrypt-raw: mismatch');
    if (performance.now() <= end) done++;
  }
}
await Promise.all(Array.from({ length: concurrency }, worker));
const { user, system } = process.cpuUsage(cpu0);
const cpuS = (user + system) / 1e6;
process.stdout.write(
  JSON.stringify({
    perSec: done / (durationMs / 1000),
    ok: done,
    durationS: durationMs / 1000,
    cpuS,
    cpuShare: cpuS / ((performance.now() - start) / 1000),
    perCpuS: done / cpuS,
    threadpool: process.env.UV_THREADPOOL_SIZE ?? '4 (default)',
  }),
);
