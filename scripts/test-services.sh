#!/usr/bin/env bash
# Start throwaway PostgreSQL 15, MariaDB and Redis servers on loopback for the test suite, installing
# what is missing (Debian packages). Prints `export` lines for the URLs; `stop` tears down.
# Usage: eval "$(scripts/test-services.sh start)"; ...; scripts/test-services.sh stop
set -euo pipefail

STATE=${TEAMASSIST_TEST_STATE:-/tmp/teamassist-test-services}
# Below the kernel's ephemeral range (32768+), so an outgoing connection can never hold them.
PG_PORT=${TEAMASSIST_TEST_PG_PORT:-15432}
MY_PORT=${TEAMASSIST_TEST_MY_PORT:-13306}
REDIS_PORT=${TEAMASSIST_TEST_REDIS_PORT:-16379}
SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"

log() { echo "test-services: $*" >&2; }

apt_install() {
  local missing=()
  for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing ${missing[*]}"
  $SUDO apt-get update -qq >>"$STATE/apt.log" 2>&1
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    >>"$STATE/apt.log" 2>&1 || { tail -n 20 "$STATE/apt.log" >&2; return 1; }
}

as_user() {  # run a server binary as an unprivileged user (postgres refuses root)
  local user=$1; shift
  if [ "$(id -u)" = 0 ]; then runuser -u "$user" -- "$@"; else "$@"; fi
}

start_pg() {
  local bin
  bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -z "$bin" ]; then apt_install postgresql; bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1); fi
  local data="$STATE/pg"
  if ! as_user postgres "$bin/pg_isready" -h 127.0.0.1 -p "$PG_PORT" -q 2>/dev/null; then
    rm -rf "$data"; mkdir -p "$data"; chown postgres "$data" 2>/dev/null || true
    as_user postgres "$bin/initdb" -D "$data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
    as_user postgres "$bin/pg_ctl" -D "$data" -l "$data/server.log" -w \
      -o "-h 127.0.0.1 -p $PG_PORT -k /tmp -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=200" start >/dev/null
  fi
  echo "export TEAMASSIST_TEST_PG_URL=postgresql://postgres@127.0.0.1:$PG_PORT/postgres"
}

start_mariadb() {
  apt_install mariadb-server
  local data="$STATE/mariadb/data" sock="$STATE/mariadb/mysqld.sock"
  if ! mariadb-admin --protocol=tcp -h 127.0.0.1 -P "$MY_PORT" -uroot ping >/dev/null 2>&1; then
    rm -rf "$STATE/mariadb"; mkdir -p "$data"; chown -R mysql:mysql "$STATE/mariadb" 2>/dev/null || true
    mariadb-install-db --no-defaults --user=mysql --datadir="$data" --auth-root-authentication-method=normal >/dev/null 2>&1
    as_user mysql mariadbd --no-defaults --datadir="$data" --port="$MY_PORT" --bind-address=127.0.0.1 \
      --socket="$sock" --pid-file="$STATE/mariadb/mysqld.pid" --skip-log-bin --innodb-flush-log-at-trx-commit=0 \
      --innodb-doublewrite=0 --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci \
      --max-connections=300 >"$STATE/mariadb.log" 2>&1 &
    for _ in $(seq 1 60); do
      mariadb-admin --protocol=tcp -h 127.0.0.1 -P "$MY_PORT" -uroot ping >/dev/null 2>&1 && break
      sleep 0.5
    done
    mariadb-admin --protocol=tcp -h 127.0.0.1 -P "$MY_PORT" -uroot ping >/dev/null 2>&1 \
      || { log "MariaDB did not start:"; tail -n 20 "$STATE/mariadb.log" >&2; exit 1; }
  fi
  # The default anonymous ''@'localhost' account would shadow a '%' account on loopback.
  mariadb --protocol=tcp -h 127.0.0.1 -P "$MY_PORT" -uroot -e "
    DELETE FROM mysql.global_priv WHERE User='';
    CREATE USER IF NOT EXISTS 'teamassist'@'localhost' IDENTIFIED BY 'teamassist';
    CREATE USER IF NOT EXISTS 'teamassist'@'127.0.0.1' IDENTIFIED BY 'teamassist';
    GRANT ALL ON *.* TO 'teamassist'@'localhost'; GRANT ALL ON *.* TO 'teamassist'@'127.0.0.1';
    FLUSH PRIVILEGES;"
  echo "export TEAMASSIST_TEST_MYSQL_URL=mysql://teamassist:teamassist@127.0.0.1:$MY_PORT/mysql"
}

start_redis() {
  apt_install redis-server
  if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    mkdir -p "$STATE/redis"
    # No persistence: the tests flush what they use; the server dies with `stop`.
    redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save "" --appendonly no --daemonize yes \
      --dir "$STATE/redis" --pidfile "$STATE/redis/redis.pid" --logfile "$STATE/redis.log" >/dev/null
    for _ in $(seq 1 40); do
      redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break
      sleep 0.25
    done
    redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 \
      || { log "Redis did not start:"; tail -n 20 "$STATE/redis.log" >&2; exit 1; }
  fi
  echo "export TEAMASSIST_TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT/0"
}

case "${1:-start}" in
  start)
    mkdir -p "$STATE"; chmod 777 "$STATE"
    start_pg
    start_mariadb
    start_redis
    ;;
  stop)
    bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    [ -n "$bin" ] && [ -d "$STATE/pg" ] && as_user postgres "$bin/pg_ctl" -D "$STATE/pg" -m fast stop >/dev/null 2>&1 || true
    [ -f "$STATE/mariadb/mysqld.pid" ] && kill "$(cat "$STATE/mariadb/mysqld.pid")" 2>/dev/null || true
    [ -f "$STATE/redis/redis.pid" ] && kill "$(cat "$STATE/redis/redis.pid")" 2>/dev/null || true
    ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
