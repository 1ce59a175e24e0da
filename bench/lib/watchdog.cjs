// Preloaded (`node -r`) into every server the benchmark starts: if the benchmark process dies
// without cleaning up (SIGKILL, OOM), its servers notice the new parent and exit by themselves.
'use strict';
const parent = Number(process.env.BENCH_PARENT_PID);
if (parent > 0) {
  setInterval(() => {
    if (process.ppid !== parent) process.exit(1);
  }, 1000).unref();
}
