#!/usr/bin/env bash
# Runs a command against the MongoDB wire-protocol emulator in ../shared/mongo-emulator
# (beside the repository; it is not vendored here). Usage:
#   scripts/with-mongo-emulator.sh npm run test:jest -- test/contract
# Starts the emulator on a free port, exports MONGODB_URI and MONGODB_LABEL (so the suites say
# they ran on the emulator, not a real mongod) and MONGO_COMMAND_LOG (the emulator's log of what
# each command asked for: write concern, read concern and preference, maxTimeMS), runs the
# command, stops the emulator, and exits with the command's status. Without the emulator folder
# it says so and exits 0 without running.
#
# The TTL monitor runs every 60 s, as mongod's does: an expired document stays readable for up to
# a minute, so every read that must ignore expired documents is tested with them still there.
set -euo pipefail

if [ $# -eq 0 ]; then
  echo "usage: $0 <command...>" >&2
  exit 2
fi

ROOT=$(git -C "$(dirname "${BASH_SOURCE[0]}")" rev-parse --show-toplevel 2>/dev/null ||
  (cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd))
EMULATOR=$(cd "$ROOT/.." && pwd)/shared/mongo-emulator

if [ ! -x "$EMULATOR/start.sh" ]; then
  echo "mongo-emulator not found at $EMULATOR; MongoDB run skipped"
  exit 0
fi

# The emulator runs under Debian's python3 (see its README), so check that one.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)
if ! "$PY" -c 'import mockupdb, mongomock' 2>/dev/null; then
  echo "Installing the emulator's Debian packages (python3-mockupdb, python3-mongomock)..."
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO=sudo
  $SUDO apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq python3-mockupdb python3-mongomock >/dev/null
fi

COMMAND_LOG=$(mktemp /tmp/mongo-commands-XXXXXX.jsonl)
trap 'rm -f "$COMMAND_LOG"' EXIT
PID=""
for PORT in 27017 $(seq 27018 27099); do
  # start.sh refuses a port in use; a failure there just means: try the next one.
  # The log exists before start.sh looks into it (its readiness loop can trip on a missing file).
  LOG=/tmp/mongo-emulator-$PORT.log
  : >"$LOG"
  if PID=$(MONGO_EMULATOR_LOG="$LOG" "$EMULATOR/start.sh" "$PORT" --ttl-interval 60 --command-log "$COMMAND_LOG" 2>/dev/null); then break; fi
  PID=""
done
if [ -z "$PID" ]; then
  echo "could not start mongo-emulator on any port in 27017-27099 (logs: /tmp/mongo-emulator-*.log)" >&2
  exit 1
fi
trap 'kill "$PID" 2>/dev/null || true; rm -f "$COMMAND_LOG"' EXIT

export MONGODB_URI="mongodb://127.0.0.1:$PORT/nca"
export MONGODB_LABEL="mongo-emulator (not a real mongod)"
export MONGO_COMMAND_LOG="$COMMAND_LOG"
echo "mongo-emulator (pid $PID) on $MONGODB_URI"

set +e
"$@"
STATUS=$?
set -e
exit "$STATUS"
