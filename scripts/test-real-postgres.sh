#!/usr/bin/env bash
# The PostgreSQL store's tests again, on a real PostgreSQL 18 server with pgvector and pg_textsearch
# (scripts/real-postgres.sh: a pinned PyPI wheel, started on 127.0.0.1 and stopped at the end) instead of
# PGlite: one session per connection, advisory locks that block, NOTIFY delivered by the server itself.
#   npm run test:postgres [-- extra vitest arguments]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

server="$(bash scripts/real-postgres.sh start)"
trap 'bash scripts/real-postgres.sh stop' EXIT
TEST_POSTGRES_URL="${server#DATABASE_URL=}" npx vitest run --project e2e test/index/postgres-store.test.ts test/bot/postgres.e2e.test.ts test/bench/postgres-bench.test.ts "$@"
