// Started (detached) by test/faults/harness.mjs. It reads "+PID" / "-PID" lines on stdin: the
// processes the fault run has started and not yet seen end. When stdin closes, the run has ended,
// normally or not (even by SIGKILL, which no exit handler sees): every PID still listed is killed.
'use strict';
const pids = new Set();
let buffered = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  buffered += chunk;
  const lines = buffered.split('\n');
  buffered = lines.pop();
  for (const line of lines) {
    const pid = Number(line.slice(1));
    if (!Number.isInteger(pid) || pid <= 0) continue;
    if (line[0] === '+') pids.add(pid);
    if (line[0] === '-') pids.delete(pid);
  }
});
const reap = () => {
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  process.exit(0);
};
process.stdin.on('end', reap);
process.stdin.on('close', reap);
process.stdin.on('error', reap);
// Ctrl-C reaches the whole foreground group; this process is detached, but stay put regardless.
process.on('SIGINT', () => undefined);
process.on('SIGHUP', () => undefined);
