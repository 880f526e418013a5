#!/usr/bin/env bash
# The PostgreSQL store's tests again, on a real PostgreSQL 18 server with pgvector and pg_textsearch
# (scripts/real-postgres.sh: a pinned PyPI wheel, started on 127.0.0.1 and stopped at the end) instead of
# PGlite: one session per connection, advisory locks that block, NOTIFY delivered by the server itself.
#   npm run test:postgres [-- extra vitest arguments]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

server="$(bash scripts/real-postgres.sh start)"
trap 'bash scripts/real-postgres.sh stop' EXIT
# Every test file that starts a test database (test/support/test-database.ts).
TEST_POSTGRES_URL="${server#DATABASE_URL=}" npx vitest run --reporter=default --project e2e $(grep -rl "startTestDatabase" test --include='*.test.ts') "$@"
