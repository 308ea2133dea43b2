#!/usr/bin/env bash
# Make sure PgBouncer answers on 127.0.0.1:6432 in transaction mode, in front of
# the primary (127.0.0.1:5432): install Debian's package if absent, start the
# project's own instance (not Debian's service) if it is down.
#
# Every database name is passed through to the primary, so one instance serves
# every checkout on the machine; it is left running, like the primary.
set -euo pipefail

PORT=${PGBOUNCER_PORT:-6432}
home=${PGBOUNCER_HOME:-/var/lib/postgresql/piliquarts-pgbouncer}
as_owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
admin() { psql -X -Atq -h 127.0.0.1 -p "$PORT" -U postgres -d pgbouncer -c "$1"; }

if ! command -v pgbouncer >/dev/null && [ ! -x /usr/sbin/pgbouncer ]; then
  echo "PgBouncer is not installed; installing Debian's pgbouncer package." >&2
  if [ "$(id -u)" -ne 0 ]; then
    echo "Need root to install PgBouncer (apt-get install pgbouncer)." >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq pgbouncer >/dev/null
fi
pgbouncer=$(command -v pgbouncer || echo /usr/sbin/pgbouncer)

exec 9>/tmp/piliquarts-pgbouncer.lock
flock 9

if [ "$(id -u)" -eq 0 ]; then install -d -o postgres -g postgres -m 700 "$home"; else mkdir -p "$home"; fi
# The pool settings docs/scaling.md documents; `trust` as the primary's own
# 127.0.0.1 entries are (the users must still be listed in the auth file).
as_owner tee "$home/userlist.txt" >/dev/null <<'EOF'
"postgres" ""
"root" ""
EOF
as_owner tee "$home/pgbouncer.ini.new" >/dev/null <<EOF
[databases]
* = host=127.0.0.1 port=5432

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = $PORT
unix_socket_dir =
auth_type = trust
auth_file = $home/userlist.txt
admin_users = postgres
pool_mode = transaction
default_pool_size = 20
max_client_conn = 1000
max_db_connections = 40
server_idle_timeout = 60
ignore_startup_parameters = extra_float_digits
logfile = $home/pgbouncer.log
pidfile = $home/pgbouncer.pid
EOF
as_owner mv "$home/pgbouncer.ini.new" "$home/pgbouncer.ini"

if admin "SHOW VERSION" >/dev/null 2>&1; then
  admin "RELOAD" >/dev/null
  exit 0
fi
# -d: it daemonizes into its own session, so a Ctrl-C on the test run leaves it up.
as_owner "$pgbouncer" -d "$home/pgbouncer.ini" 9>&-
for _ in $(seq 1 30); do
  admin "SHOW VERSION" >/dev/null 2>&1 && exit 0
  sleep 1
done
echo "PgBouncer did not come up on 127.0.0.1:$PORT; see $home/pgbouncer.log." >&2
exit 1
