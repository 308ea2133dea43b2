#!/usr/bin/env bash
# Make sure a streaming replica of the primary (127.0.0.1:5432) answers on
# 127.0.0.1:5433 for the replica tests: built once with `pg_basebackup -R`,
# started when it is down, rebuilt when it no longer follows this primary.
#
# One replica serves every checkout on the machine (it is a physical copy of
# the whole cluster, every checkout's test database included), so it is left
# running like the primary, never torn down by a test run; a lock keeps two
# checkouts from building it at once. `scripts/ensure_replica.sh stop` stops it.
set -euo pipefail

PRIMARY_PORT=5432
PORT=${REPLICA_PORT:-5433}
version=$(ls /usr/lib/postgresql | sort -V | tail -n 1)
bin=/usr/lib/postgresql/$version/bin
data=${REPLICA_DATA:-/var/lib/postgresql/$version/piliquarts-replica}
log=$data/replica.log

as_owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
sql() { psql -X -Atq -h 127.0.0.1 -U postgres -p "$1" -d postgres -c "$2"; }
answers() { pg_isready -q -h 127.0.0.1 -p "$1" 2>/dev/null; }

if [ "${1:-}" = stop ]; then
  [ -d "$data" ] && as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop || true
  exit 0
fi

exec 9>/tmp/piliquarts-replica.lock
flock 9

answers $PRIMARY_PORT || { echo "The primary is not up on 127.0.0.1:$PRIMARY_PORT." >&2; exit 1; }

# The primary lets a local standby stream from it (trust, 127.0.0.1 only, as for
# the tests' own connections) and has WAL senders for it; reloaded only on change.
hba=$(sql $PRIMARY_PORT "SHOW hba_file")
if ! grep -qE '^host\s+replication\s+all\s+127\.0\.0\.1/32\s+trust' "$hba"; then
  sed -i -E 's/^(host\s+replication\s+all\s+127\.0\.0\.1\/32\s+)(peer|scram-sha-256|md5)$/\1trust/' "$hba"
  grep -qE '^host\s+replication\s+all\s+127\.0\.0\.1/32\s+trust' "$hba" \
    || echo "host replication all 127.0.0.1/32 trust" >>"$hba"
  sql $PRIMARY_PORT "SELECT pg_reload_conf()" >/dev/null
fi
if [ "$(sql $PRIMARY_PORT "SHOW wal_level")" = minimal ] \
  || [ "$(sql $PRIMARY_PORT "SHOW max_wal_senders")" -lt 2 ]; then
  echo "The primary needs wal_level=replica and max_wal_senders >= 2 (a restart)." >&2
  sql $PRIMARY_PORT "ALTER SYSTEM SET wal_level = 'replica'"
  sql $PRIMARY_PORT "ALTER SYSTEM SET max_wal_senders = 10"
  pg_ctlcluster --skip-systemctl-redirect "$version" main restart
fi

primary_id=$(sql $PRIMARY_PORT "SELECT system_identifier FROM pg_control_system()")

streaming() {
  for _ in $(seq 1 "${1:-30}"); do
    [ "$(sql $PRIMARY_PORT "SELECT count(*) FROM pg_stat_replication
          WHERE application_name = 'piliquarts_replica' AND state = 'streaming'")" -ge 1 ] && return 0
    sleep 1
  done
  return 1
}

ours_running() {
  answers "$PORT" \
    && [ "$(sql "$PORT" "SELECT system_identifier FROM pg_control_system()")" = "$primary_id" ] \
    && [ "$(sql "$PORT" "SELECT pg_is_in_recovery()")" = t ]
}

start() {
  # Its own session: a Ctrl-C on the test run must not stop it.
  as_owner setsid "$bin/pg_ctl" -D "$data" -l "$log" -w -t 120 start >/dev/null 9>&-
}

build() {
  echo "Building the streaming replica on 127.0.0.1:$PORT (pg_basebackup -R into $data)." >&2
  [ -d "$data" ] && { as_owner "$bin/pg_ctl" -D "$data" -m immediate -w stop 2>/dev/null || true; }
  rm -rf "$data"
  if [ "$(id -u)" -eq 0 ]; then install -d -o postgres -g postgres -m 700 "$data"; fi
  as_owner "$bin/pg_basebackup" -h 127.0.0.1 -p $PRIMARY_PORT -U postgres -D "$data" \
    -R -X stream -c fast
  # Debian keeps the primary's configuration in /etc, so the copy has none: a
  # minimal one, with the settings a hot standby must have at least as high as
  # its primary.
  {
    echo "port = $PORT"
    echo "listen_addresses = '127.0.0.1'"
    echo "unix_socket_directories = '/var/run/postgresql'"
    echo "cluster_name = 'piliquarts_replica'"
    echo "hot_standby = on"
    echo "hot_standby_feedback = on"
    echo "wal_receiver_status_interval = 1s"
    for name in max_connections max_worker_processes max_wal_senders \
      max_locks_per_transaction max_prepared_transactions; do
      echo "$name = $(sql $PRIMARY_PORT "SHOW $name")"
    done
  } | as_owner tee "$data/postgresql.conf" >/dev/null
  printf '%s\n' "local all all trust" "host all all 127.0.0.1/32 trust" \
    | as_owner tee "$data/pg_hba.conf" >/dev/null
  start
}

if ours_running; then
  streaming 30 && exit 0
  echo "The replica on $PORT no longer streams from the primary: rebuilding it." >&2
  build
elif answers "$PORT"; then
  echo "Something else answers on 127.0.0.1:$PORT (not a replica of this primary);" \
    "set REPLICA_PORT to a free port." >&2
  exit 1
elif [ -f "$data/standby.signal" ] \
  && as_owner "$bin/pg_controldata" "$data" | grep -q "system identifier:\s*$primary_id$"; then
  start || build
else
  build
fi

streaming 60 || { echo "The replica did not start streaming; see $log." >&2; exit 1; }
