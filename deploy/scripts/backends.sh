#!/usr/bin/env bash
# Starts whichever of PostgreSQL, Redis and RabbitMQ the tests need that is installed but not running;
# stops with one line naming the Debian package when one is not installed. Used by `make test` and .ci/run.
# Ports: PostgreSQL 5432, RabbitMQ 5672, Redis from FJ_TEST_REDIS_URL (default 6379), all on 127.0.0.1.
set -euo pipefail

HOST=127.0.0.1
REDIS_PORT=6379
if [[ "${FJ_TEST_REDIS_URL:-}" =~ :([0-9]+)/?[0-9]*$ ]]; then REDIS_PORT="${BASH_REMATCH[1]}"; fi

answers() {  # port: something accepts TCP connections there
  (echo > "/dev/tcp/$HOST/$1") 2>/dev/null
}

wait_for() {  # port name
  for _ in $(seq 1 90); do
    if answers "$1"; then return 0; fi
    sleep 1
  done
  echo "backends: $2 was started but does not answer on $HOST:$1" >&2
  exit 1
}

missing() {  # name package
  echo "backends: $1 is not running on $HOST and not installed: install it with 'apt-get install -y $2'" >&2
  exit 1
}

if ! answers 5432; then
  command -v pg_ctlcluster >/dev/null && [ -n "$(ls /etc/postgresql 2>/dev/null)" ] || missing PostgreSQL postgresql
  echo "backends: starting PostgreSQL"
  version="$(ls /etc/postgresql | sort -V | tail -n 1)"
  pg_ctlcluster --skip-systemctl-redirect "$version" main start
  wait_for 5432 PostgreSQL
fi

if ! answers "$REDIS_PORT"; then
  command -v redis-server >/dev/null || missing Redis redis-server
  echo "backends: starting Redis on port $REDIS_PORT"
  # Nothing is kept on disk: the tests need a cache, not a database.
  redis-server --daemonize yes --bind "$HOST" --port "$REDIS_PORT" --save "" --appendonly no \
    --logfile "${TMPDIR:-/tmp}/fitjourney-redis-$REDIS_PORT.log"
  wait_for "$REDIS_PORT" Redis
fi

if ! answers 5672; then
  command -v rabbitmq-server >/dev/null || missing RabbitMQ rabbitmq-server
  echo "backends: starting RabbitMQ"
  rabbitmq-server -detached
  wait_for 5672 RabbitMQ
fi
