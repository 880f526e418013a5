#!/usr/bin/env bash
# VmRSS/VmHWM of `node dist/main.js` (console mode, no DISCORD_TOKEN) once it has built the index of CORPUS_DIR
# (default seeds/) into a temporary INDEX_DIR; INGEST_IN from the caller. Run `npm run build` first.
#   INGEST_IN=this-process bash bench/start-rss.sh; INGEST_IN=child bash bench/start-rss.sh
set -euo pipefail
index=$(mktemp -d); fifo=$(mktemp -u); mkfifo "$fifo"; log=$(mktemp)
INDEX_DIR="$index" node dist/main.js < "$fifo" 2> "$log" > /dev/null & pid=$!
exec 3> "$fifo"
until grep -q "documents indexed" "$log"; do sleep 1; kill -0 $pid 2>/dev/null || { cat "$log"; exit 1; }; done
sleep 2
echo "INGEST_IN=${INGEST_IN:-child} CORPUS_DIR=${CORPUS_DIR:-seeds}: $(grep -E '^(VmRSS|VmHWM)' /proc/$pid/status | tr -s ' \n' ' ')"
grep -c "separate process" "$log" | sed 's/^/child ingests: /'
echo exit >&3; exec 3>&-; wait $pid || true; rm -rf "$index" "$fifo" "$log"
