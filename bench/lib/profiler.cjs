// Preloaded (`node -r`) into a server by bench/profile.mjs, which starts it with an IPC channel:
// the message 'profile:start' starts a V8 CPU profile of this process through the in-process
// inspector, 'profile:stop' stops it and writes BENCH_PROFILE_DIR/profile-<n>.cpuprofile (Chrome
// DevTools format); each is acknowledged with { profile: 'started-<n>' | 'stopped-<n>' }.
// (Not a signal: Nest's enableShutdownHooks() treats SIGUSR2 as a shutdown signal, and SIGUSR1
// belongs to the inspector.)
'use strict';
const inspector = require('node:inspector');
const fs = require('node:fs');
const path = require('node:path');

const dir = process.env.BENCH_PROFILE_DIR;
if (dir && process.send) {
  const interval = Number(process.env.BENCH_PROFILE_INTERVAL_US || 500);
  const session = new inspector.Session();
  session.connect();
  let n = 0;
  session.post('Profiler.enable', () => session.post('Profiler.setSamplingInterval', { interval }));
  process.on('message', (msg) => {
    if (msg === 'profile:start') {
      session.post('Profiler.start', () => process.send({ profile: `started-${n}` }));
    } else if (msg === 'profile:stop') {
      session.post('Profiler.stop', (error, result) => {
        if (error) return process.send({ profile: `error-${n++}: ${error.message}` });
        fs.writeFileSync(path.join(dir, `profile-${n}.cpuprofile`), JSON.stringify(result.profile));
        process.send({ profile: `stopped-${n++}` });
      });
    }
  });
  process.channel?.unref(); // the channel alone must not keep the server alive
}
