#!/usr/bin/env bash
# Installs PostgreSQL from Debian packages if needed and starts a throwaway server on 127.0.0.1.
# Prints the SQLAlchemy URL on its last line. Usage: url=$(bash .ci/start-postgres.sh | tail -n1)
set -euo pipefail
PGPORT="${PGPORT:-54329}"
PGDATA_DIR="${PGDATA_DIR:-/tmp/shopassist-pg-$PGPORT}"
if ! ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then
  echo "installing postgresql from Debian packages..." >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2
  apt-get install -y -qq postgresql >&2
fi
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n1)
if ! id postgres >/dev/null 2>&1; then useradd --system --no-create-home postgres; fi
if "$BIN/pg_isready" -q -h 127.0.0.1 -p "$PGPORT"; then
  echo "a PostgreSQL server already answers on 127.0.0.1:$PGPORT; using it" >&2
else
  rm -rf "$PGDATA_DIR"; mkdir -p "$PGDATA_DIR"; chown postgres "$PGDATA_DIR"
  su postgres -s /bin/sh -c "$BIN/initdb -D $PGDATA_DIR -U postgres --auth=trust -E UTF8 >/dev/null"
  su postgres -s /bin/sh -c "$BIN/pg_ctl -D $PGDATA_DIR -l $PGDATA_DIR/log -w -o '-c listen_addresses=127.0.0.1 -p $PGPORT -k /tmp -c fsync=off' start >/dev/null"
fi
echo "postgresql+psycopg://postgres@127.0.0.1:$PGPORT/postgres"
