#!/bin/sh
# A streaming read replica of the local PostgreSQL 15 on 127.0.0.1:5433, for trying
# READ_DATABASE_URL on one machine (docs/operations.md, "Read replica").
#
#   scripts/pg-replica.sh start   # pg_basebackup -R from the primary, then start the standby
#   scripts/pg-replica.sh status  # is it up, in recovery, and how far behind
#   scripts/pg-replica.sh stop    # stop it and delete its data directory
#
# Runs as root (it uses runuser to act as the postgres OS user) or as postgres.
# Environment: PRIMARY_HOST (127.0.0.1), PRIMARY_PORT (5432), REPLICA_PORT (5433),
# REPLICA_DIR (a directory under /tmp, remembered in /tmp/pishkhan-pg-replica.dir),
# PG_BIN (/usr/lib/postgresql/15/bin).
# What it may change on the primary, and says so when it does: wal_level (replica or logical is
# needed; changing it needs a restart it does NOT do), max_wal_senders (>= 2), and a
# "host replication all 127.0.0.1/32 trust" line in pg_hba.conf (then a reload).
set -eu

PRIMARY_HOST=${PRIMARY_HOST:-127.0.0.1}
PRIMARY_PORT=${PRIMARY_PORT:-5432}
REPLICA_PORT=${REPLICA_PORT:-5433}
PG_BIN=${PG_BIN:-/usr/lib/postgresql/15/bin}
STATE=/tmp/pishkhan-pg-replica.dir

as_pg() {
  if [ "$(id -un)" = postgres ]; then "$@"; else runuser -u postgres -- "$@"; fi
}
psql_primary() {
  psql -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -d postgres -Atc "$1"
}

start() {
  if [ -f "$STATE" ] && [ -d "$(cat "$STATE")" ]; then
    echo "a replica is already set up in $(cat "$STATE"); run '$0 stop' first" >&2
    exit 1
  fi
  wal_level=$(psql_primary "show wal_level")
  if [ "$wal_level" = minimal ]; then
    psql_primary "alter system set wal_level = replica" >/dev/null
    echo "primary: wal_level was minimal; set to replica with ALTER SYSTEM. RESTART the primary, then run this again." >&2
    exit 1
  fi
  senders=$(psql_primary "show max_wal_senders")
  if [ "$senders" -lt 2 ]; then
    psql_primary "alter system set max_wal_senders = 10" >/dev/null
    echo "primary: max_wal_senders was $senders; set to 10 with ALTER SYSTEM. RESTART the primary, then run this again." >&2
    exit 1
  fi
  hba=$(psql_primary "show hba_file")
  if ! grep -Eq '^[[:space:]]*host[[:space:]]+replication[[:space:]]' "$hba"; then
    printf '\n# added by pishkhan scripts/pg-replica.sh: streaming replication from loopback\nhost replication all 127.0.0.1/32 trust\n' >> "$hba"
    psql_primary "select pg_reload_conf()" >/dev/null
    echo "primary: added 'host replication all 127.0.0.1/32 trust' to $hba and reloaded"
  fi
  dir=${REPLICA_DIR:-$(mktemp -d /tmp/pishkhan-pg-replica.XXXXXX)}
  mkdir -p "$dir"
  chown postgres:postgres "$dir" 2>/dev/null || true
  chmod 700 "$dir"
  echo "$dir" > "$STATE"
  echo "replica: pg_basebackup -R from $PRIMARY_HOST:$PRIMARY_PORT into $dir/data"
  as_pg "$PG_BIN/pg_basebackup" -h "$PRIMARY_HOST" -p "$PRIMARY_PORT" -U postgres -D "$dir/data" -R -X stream -c fast
  # Debian keeps the primary's configuration in /etc, so the copy has none: give the standby its
  # own small one (port, socket directory, loopback trust) next to its data.
  as_pg sh -c "cat > '$dir/data/postgresql.conf'" <<CONF
port = $REPLICA_PORT
listen_addresses = '127.0.0.1'
unix_socket_directories = '$dir'
hot_standby = on
shared_buffers = 128MB
max_connections = 100
CONF
  as_pg sh -c "printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' > '$dir/data/pg_hba.conf'; : > '$dir/data/pg_ident.conf'"
  as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -l "$dir/replica.log" -w start >/dev/null
  status
}

status() {
  if ! pg_isready -q -h 127.0.0.1 -p "$REPLICA_PORT"; then echo "replica: not running on 127.0.0.1:$REPLICA_PORT"; return 1; fi
  rec=$(psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -d postgres -Atc "select pg_is_in_recovery()")
  lag=$(psql -h 127.0.0.1 -p "$REPLICA_PORT" -U postgres -d postgres -Atc "select coalesce(extract(epoch from now() - pg_last_xact_replay_timestamp())::int::text, 'unknown')")
  echo "replica: up on 127.0.0.1:$REPLICA_PORT, in recovery: $rec, last replayed transaction ${lag}s ago"
  echo "READ_DATABASE_URL=postgres://postgres@127.0.0.1:$REPLICA_PORT/<database>"
}

stop() {
  if [ ! -f "$STATE" ]; then echo "no replica set up by this script"; return 0; fi
  dir=$(cat "$STATE")
  if [ -d "$dir/data" ]; then as_pg "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true; fi
  case "$dir" in /tmp/pishkhan-pg-replica.*) rm -rf "$dir" ;; *) echo "left $dir in place (not made by this script)" ;; esac
  rm -f "$STATE"
  echo "replica: stopped"
}

case "${1:-start}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  *) echo "usage: $0 [start|stop|status]" >&2; exit 2 ;;
esac
