#!/usr/bin/env bash
# Runs every question set against its corpus with one build of the program and prints one line per set:
# first quote right (answerable), precision (of the replies that quote, answerable or not, the share whose
# first quote holds the answer), answered, abstained (unanswerable), hit@3. The corpora of other kinds
# come from bench/make-corpora.sh. Usage: bash bench/eval-sets.sh [DIST_DIR] [CORPORA_DIR] [SET…]
#   DIST_DIR: a built dist/ (default: this checkout's), so an older build can be run side by side.
set -euo pipefail
cd "$(dirname "$0")/.."
dist=$(realpath "${1:-dist}")
corpora=$(realpath "${2:-.cache/corpora}")
shift 2 2>/dev/null || shift $#
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# name corpus questions [extension the news sources take in that corpus]
sets=(
  "news-a seeds test/eval/questions.jsonl"
  "news-b seeds test/eval/questions-b.jsonl"
  "news-c seeds test/eval/questions-c.jsonl"
  "news-d seeds test/eval/questions-d.jsonl"
  "news-e seeds test/eval/questions-e.jsonl"
  "news-f seeds test/eval/questions-f.jsonl"
  "news-g seeds test/eval/questions-g.jsonl"
  "news-r seeds test/eval/questions-r.jsonl"
  "markdown $corpora/markdown test/eval/corpora/markdown.jsonl"
  "node-docs $corpora/node-docs test/eval/corpora/node-docs.jsonl"
  "fastify $corpora/fastify-docs test/eval/corpora/fastify-docs.jsonl"
  "pino $corpora/pino-docs test/eval/corpora/pino-docs.jsonl"
  "html $corpora/html test/eval/corpora/html.jsonl"
  "pdf $corpora/pdf test/eval/corpora/pdf.jsonl"
  "news-html-e $corpora/news-html test/eval/questions-e.jsonl html"
  "news-html-f $corpora/news-html test/eval/questions-f.jsonl html"
  "news-html-g $corpora/news-html test/eval/questions-g.jsonl html"
  "news-pdf-e $corpora/news-pdf test/eval/questions-e.jsonl pdf"
  "news-pdf-f $corpora/news-pdf test/eval/questions-f.jsonl pdf"
  "news-pdf-g $corpora/news-pdf test/eval/questions-g.jsonl pdf"
)
printf '%-12s %8s %9s %8s %9s %6s\n' set first precision answered abstained hit@3
for entry in "${sets[@]}"; do
  read -r name corpus questions extension <<<"$entry"
  if [ $# -gt 0 ] && [[ " $* " != *" $name "* ]]; then continue; fi
  [ -f "$questions" ] && [ -d "$corpus" ] || { printf '%-12s missing %s or %s\n' "$name" "$corpus" "$questions"; continue; }
  if [ -n "${extension:-}" ]; then sed "s/\.txt\"/.$extension\"/g" "$questions" > "$work/$name.jsonl"; questions="$work/$name.jsonl"; fi
  # EVAL_INDEX_ROOT keeps the indexes between runs (an index is rebuilt by itself when the corpus or program changes it).
  index="${EVAL_INDEX_ROOT:-$work}/index-$(cat <(echo "$corpus") "$dist/index/store.js" | md5sum | cut -c1-8)"
  # EVAL_OUT keeps each set's whole report there (with EVAL_EXPLAIN=1, every question explained).
  out="${EVAL_OUT:-$work}/$name.out"
  mkdir -p "$(dirname "$out")"
  if ! CORPUS_DIR="$corpus" INDEX_DIR="$index" MODEL_DIR="$PWD/embeddings/models" LOG_LEVEL=error \
    node "$dist/cli.js" eval ${EVAL_EXPLAIN:+--explain} --questions "$questions" >"$out" 2>&1; then
    printf '%-12s failed: %s\n' "$name" "$(grep -v '^\s*$' "$out" | tail -1 | cut -c1-100)"; continue
  fi
  node -e '
    const text = require("fs").readFileSync(process.argv[1], "utf8");
    const value = (label) => Number(new RegExp(label + "\\s+([\\d.]+)%").exec(text)?.[1] ?? NaN) / 100;
    const [, a, u] = /questions: (\d+) answerable, (\d+) unanswerable/.exec(text).map(Number);
    const first = value("first quote holds the answer"), answered = value("answered \\(answerable questions\\)");
    const abstained = value("abstained \\(unanswerable questions\\)"), hit3 = value("hit@3");
    const quoting = answered * a + (1 - abstained) * u;
    const pct = (x) => (100 * x).toFixed(1) + "%";
    console.log([process.argv[2].padEnd(12), pct(first).padStart(8), pct(quoting ? (first * a) / quoting : 0).padStart(9),
      pct(answered).padStart(8), pct(abstained).padStart(9), pct(hit3).padStart(6)].join(" "));
  ' "$out" "$name"
done
