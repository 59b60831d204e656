#!/usr/bin/env bash
# Run a command (the test suite) with a real Redis and PostgreSQL of its own.
#
# Installs what is missing (as root, from Debian's packages), starts Redis and
# PostgreSQL on free private ports in a temporary folder, exports
# DATABASE_URL / TEST_REDIS_URL for the tests, runs "$@", and stops exactly the
# processes it started, by PID, whatever happens.
set -euo pipefail

need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] || need+=(postgresql)
[ -x /usr/bin/chromium ] || need+=(chromium)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing ${need[*]} (Debian packages) ..."
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
    pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
  else
    echo "error: the tests need these packages: ${need[*]}" >&2
    echo "       install them, e.g.: sudo apt-get install --no-install-recommends ${need[*]}" >&2
    exit 1
  fi
fi

# `--install-only`: just the packages (before starting several runs at once: one apt-get at a time).
[ "${1:-}" = "--install-only" ] && exit 0

free_port() {
  python3 - <<'PY' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

work=$(mktemp -d /tmp/portal-test-services.XXXXXX)
chmod 755 "$work"
redis_pid=""
pg_pid=""
cleanup() {
  status=$?
  if [ -n "$redis_pid" ] && kill -0 "$redis_pid" 2>/dev/null; then kill "$redis_pid"; fi
  # A test that restarts Redis (outage tests) leaves its new PID in the pidfile.
  # (Redis removes its pidfile as it stops: read it without failing, or the
  # cleanup would end here under `set -e` and leave PostgreSQL running.)
  restarted=$(cat "$work/redis.pid" 2>/dev/null || true)
  if [ -n "$restarted" ] && [ "$restarted" != "$redis_pid" ] && kill -0 "$restarted" 2>/dev/null; then
    kill "$restarted"
  fi
  if [ -n "$pg_pid" ] && kill -0 "$pg_pid" 2>/dev/null; then
    kill -INT "$pg_pid"  # PostgreSQL's "fast shutdown"
    for _ in $(seq 300); do kill -0 "$pg_pid" 2>/dev/null || break; sleep 0.1; done
    if kill -0 "$pg_pid" 2>/dev/null; then kill -QUIT "$pg_pid"; sleep 1; fi
  fi
  rm -rf "$work"
  exit $status
}
trap cleanup EXIT INT TERM

# --- Redis ------------------------------------------------------------------
redis_port=$(free_port)
redis-server --port "$redis_port" --bind 127.0.0.1 --daemonize yes --save "" --appendonly no \
  --dir "$work" --pidfile "$work/redis.pid" --logfile "$work/redis.log"
# A busy machine (the whole suite on both cores) can take seconds to get there.
for _ in $(seq 600); do [ -s "$work/redis.pid" ] && break; sleep 0.1; done
[ -s "$work/redis.pid" ] || { echo "error: Redis did not start within 60 s:" >&2; cat "$work/redis.log" >&2; exit 1; }
redis_pid=$(cat "$work/redis.pid")

# --- PostgreSQL (initdb refuses to run as root: use the postgres user) -------
pg_port=$(free_port)
mkdir -p "$work/pg"
as_pg=()
if [ "$(id -u)" = 0 ]; then
  chown postgres: "$work/pg"
  as_pg=(runuser -u postgres --)
fi
"${as_pg[@]}" "$pg_bin/initdb" -D "$work/pg/data" -U postgres -A trust --no-sync -E UTF8 >"$work/initdb.log" 2>&1 \
  || { cat "$work/initdb.log" >&2; exit 1; }
"${as_pg[@]}" "$pg_bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/server.log" -w -t 30 \
  -o "-p $pg_port -k $work/pg -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >/dev/null
pg_pid=$(head -n 1 "$work/pg/data/postmaster.pid")

export DATABASE_URL="postgres://postgres@127.0.0.1:$pg_port/portal"
export TEST_REDIS_URL="redis://127.0.0.1:$redis_port/0"
export TEST_REDIS_PORT="$redis_port"
export TEST_REDIS_DIR="$work"
# The test process publishes to this Redis too (tasks run eagerly unless a
# test starts a real worker).
export CELERY_BROKER_URL="$TEST_REDIS_URL"
echo "Services: PostgreSQL on 127.0.0.1:$pg_port (PID $pg_pid), Redis on 127.0.0.1:$redis_port (PID $redis_pid)"

"$@"
