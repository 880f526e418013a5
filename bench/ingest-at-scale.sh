#!/usr/bin/env bash
# One whole `npm run ingest -- --workers N` of a generated corpus into PostgreSQL, with the sentence model,
# measured from outside: wall time, and every 15 s each process's resident memory, peak and CPU time
# (the coordinator, its workers). Resumable: stopped (Ctrl-C, a closed session), the same command again
# reuses every vector the workers already wrote, so a long run can be done in parts; each part is a
# line of segments.log and its own samples file.
#
#   bash bench/ingest-at-scale.sh [SIZE=10000] [WORKERS=2] [RUN_DIR=bench/scale-SIZE]
#
# DATABASE_URL: a real PostgreSQL server (default: the one scripts/real-postgres.sh starts, kept running
# between parts). Runs at `nice 19` in a scheduling group of its own, so whatever else the machine does
# goes first: compare CPU time, not wall time, when the machine was shared. `bash bench/ingest-at-scale.sh summary RUN_DIR` prints
# each process's peak memory and CPU time over every part.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ "${1:-}" == summary ]]; then
  run_dir=$2
  cat "$run_dir/segments.log"
  # pid → its role, highest VmHWM (kB) and last CPU time (s) over all samples.
  awk '{ role = ($0 ~ / worker/) ? "worker" : ($0 ~ /cli.js ingest/ ? "coordinator" : "") }
       role != "" { pid = $3; sub("hwm=", "", $5); sub("cpu=", "", $6); r[pid] = role;
                    if ($5 + 0 > hwm[pid]) hwm[pid] = $5 + 0; cpu[pid] = $6 + 0 }
       END { for (pid in r) { printf "%-11s pid %-7s peak %5.0f MB  cpu %7.0f s\n", r[pid], pid, hwm[pid] / 1024, cpu[pid];
                              total += cpu[pid] } printf "cpu, all processes: %.0f s\n", total }' "$run_dir"/samples-*.log
  exit 0
fi
size=${1:-10000}
workers=${2:-2}
run_dir=$(realpath -m "${3:-bench/scale-$size}")
mkdir -p "$run_dir/index"
npm run build --silent >&2
node --import tsx -e "import { ensureCorpus } from './bench/corpus.ts'; await ensureCorpus('seeds', '$run_dir/corpus', $size);"
if [[ -z "${DATABASE_URL:-}" ]]; then export "$(bash scripts/real-postgres.sh start)"; fi
export STORE=postgres CORPUS_DIR="$run_dir/corpus" INDEX_DIR="$run_dir/index" LOG_LEVEL=info
part=$(date -u +%Y%m%dT%H%M%S)
echo "part $part start $(date -u +%FT%TZ) load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$run_dir/segments.log"
here=$(pwd -P)
( while sleep 15; do
    stamp=$(date -u +%FT%TZ); load=$(cut -d' ' -f1 /proc/loadavg)
    for proc in /proc/[0-9]*; do
      [[ "$(readlink "$proc/cwd" 2>/dev/null)" == "$here" ]] || continue
      rss=$(awk '/VmRSS/ { print $2 }' "$proc/status" 2>/dev/null) || continue
      hwm=$(awk '/VmHWM/ { print $2 }' "$proc/status" 2>/dev/null)
      cpu=$(awk '{ print ($14 + $15) / 100 }' "$proc/stat" 2>/dev/null)
      echo "$stamp $load ${proc#/proc/} rss=$rss hwm=$hwm cpu=$cpu $(tr '\0' ' ' < "$proc/cmdline" | cut -c1-80)"
    done
  done >> "$run_dir/samples-$part.log" ) &
sampler=$!
trap 'kill $sampler 2>/dev/null' EXIT
# Its own session, so its own scheduling group (Linux autogroups: `nice` alone only ranks processes within
# one group, and a group of ours would take half the machine from the caller's), niced as a whole.
setsid nice -n 19 node scripts/run-built.mjs dist/cli.js ingest --workers "$workers" > "$run_dir/ingest-$part.out" 2> "$run_dir/ingest-$part.err" &
ingest=$!
# Ctrl-C reaches the ingest too (another session would not get it): it stops, and the same command resumes.
trap 'kill -INT $ingest 2>/dev/null' INT TERM
echo 19 2>/dev/null > "/proc/$ingest/autogroup" || true
status=0
wait $ingest || status=$?
# A trapped Ctrl-C ends the first wait early: wait for the ingest to stop.
while kill -0 $ingest 2>/dev/null; do wait $ingest || status=$?; done
echo "part $part end $(date -u +%FT%TZ) exit $status load $(cut -d' ' -f1-3 /proc/loadavg)" >> "$run_dir/segments.log"
tail -n 3 "$run_dir/ingest-$part.err" >&2
exit $status
