#!/bin/bash
# Statement-level profile of PostgreSQL under sustained status changes: a PostgreSQL of its own (initdb on
# port 55439 as user postgres, pg_stat_statements preloaded, defaults otherwise), the service and 2,000
# simulated chargers at $1 changes/s (default 5,000); prints each statement's execution time per status
# change over a 25 s window, with $2 more chargers registered but idle (default 20,000: the benchmark's
# database holds the sessions and storm phases' chargers too), then where PostgreSQL's CPU goes by process
# kind, commits and WAL per change, and the rows each table took. Needs Debian's PostgreSQL 15 binaries and target/charger-status.jar.
#   bench/pg-profile.sh 10000 20000
set -e
RATE=${1:-5000}
IDLE=${2:-20000}
D=/tmp/pgss-data; rm -rf $D; mkdir -p $D; chown postgres $D
PORT=55439
runuser -u postgres -- /usr/lib/postgresql/15/bin/initdb -D $D -A trust -U postgres >/dev/null
echo "shared_preload_libraries = 'pg_stat_statements'" >> $D/postgresql.conf
echo "pg_stat_statements.track = all" >> $D/postgresql.conf
echo "pg_stat_statements.track_planning = on" >> $D/postgresql.conf
runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D $D -o "-p $PORT -k /tmp" -l /tmp/pgss.log start >/dev/null
sleep 2
psql -h 127.0.0.1 -p $PORT -U postgres -qc "CREATE DATABASE cs"
psql -h 127.0.0.1 -p $PORT -U postgres -d cs -qc "CREATE EXTENSION pg_stat_statements"
JAR=$(cd "$(dirname "$0")/.." && pwd)/target/charger-status.jar
HTTP_PORT=18080 OCPP_PORT=19000 PG_URL=postgresql://postgres@127.0.0.1:$PORT/cs ADMIN_TOKEN=t HEARTBEAT_INTERVAL_S=60 java -Xmx1g -jar $JAR > /tmp/pgss-svc.log 2>&1 &
SVC=$!
for i in $(seq 1 60); do curl -sf localhost:18080/health/ready >/dev/null && break; sleep 1; done
java -jar $JAR simulate --url ws://unused/ocpp --chargers 2000 --prefix P --api http://127.0.0.1:18080 --token t --account p --register-only >/dev/null 2>&1
[ "$IDLE" -gt 0 ] && java -jar $JAR simulate --url ws://unused/ocpp --chargers $IDLE --prefix I --api http://127.0.0.1:18080 --token t --account p --register-only >/dev/null 2>&1
psql -h 127.0.0.1 -p $PORT -U postgres -d cs -qc "INSERT INTO id_tags (id_tag, account_id) VALUES ('SIM-TAG','p')"
java -jar $JAR simulate --url ws://127.0.0.1:19000/ocpp --chargers 2000 --prefix P --status-rate $RATE --heartbeat 60 --ramp 5000 --duration 45 --fault-every 0 --quiet > /tmp/pgss-sim.log 2>&1 &
SIM=$!
sleep 12
psql -h 127.0.0.1 -p $PORT -U postgres -d cs -qc "SELECT pg_stat_statements_reset()" >/dev/null
PM=$(head -1 $D/postmaster.pid)
# CPU ticks of every PostgreSQL process by kind (client backends, WAL writer, checkpointer ...), plus the
# postmaster's reaped children (short-lived autovacuum workers, backends that ended in the window).
cpu() {
  for pid in $(pgrep -P $PM); do
    kind=$(tr '\0' ' ' < /proc/$pid/cmdline 2>/dev/null | sed -E 's/^postgres: //; s/^postgres cs .*/client backend/; s/ +$//')
    t=$(awk '{print $14+$15}' /proc/$pid/stat 2>/dev/null) && echo "$kind|$t"
  done
  echo "reaped children|$(awk '{print $16+$17}' /proc/$PM/stat)"
}
pgq() { psql -h 127.0.0.1 -p $PORT -U postgres -d cs -Atc "$1"; }
STATS="select (select last_seq from event_counter), (select xact_commit from pg_stat_database where datname='cs'), (select wal_records||' '||wal_fpi||' '||wal_bytes||' '||wal_sync from pg_stat_wal)"
TABLES="select relname, n_tup_ins, n_tup_upd, n_tup_hot_upd from pg_stat_user_tables"
cpu > /tmp/pgss-cpu0; S0=$(pgq "$STATS"); pgq "create table profile_tables as $TABLES"
sleep 25
cpu > /tmp/pgss-cpu1; S1=$(pgq "$STATS")
E0=${S0%%|*}; E1=${S1%%|*}
echo "changes in window: $((E1-E0))"
python3 - "$S0" "$S1" $((E1-E0)) <<'PY'
import sys, collections, os
hz = os.sysconf('SC_CLK_TCK')
def load(f):
    d = collections.Counter()
    for line in open(f):
        k, _, v = line.strip().rpartition('|')
        d[k] += int(v)
    return d
a, b = load('/tmp/pgss-cpu0'), load('/tmp/pgss-cpu1')
n = int(sys.argv[3])
total = 0
for k in sorted(set(a) | set(b)):
    us = (b[k] - a[k]) * 1e6 / hz / n
    total += us
    if us > 0.05: print(f"  {us:7.1f} us/change  {k}")
print(f"  {total:7.1f} us/change  all PostgreSQL processes")
s0, s1 = sys.argv[1].split('|'), sys.argv[2].split('|')
print(f"  commits per change: {(int(s1[1]) - int(s0[1])) / n:.2f}")
w0, w1 = [int(float(x)) for x in s0[2].split()], [int(float(x)) for x in s1[2].split()]
print("  WAL per change: records %.2f, full-page images %.3f, bytes %.0f, syncs %.3f" % tuple((y - x) / n for x, y in zip(w0, w1)))
PY
pgq "select t.relname, t.n_tup_ins - p.n_tup_ins, t.n_tup_upd - p.n_tup_upd, t.n_tup_hot_upd - p.n_tup_hot_upd from ($TABLES) t join profile_tables p using (relname) where t.n_tup_ins + t.n_tup_upd > p.n_tup_ins + p.n_tup_upd order by 1" | sed 's/^/  table|inserted|updated|HOT: /'
psql -h 127.0.0.1 -p $PORT -U postgres -d cs -c "SELECT calls, plans, round(total_exec_time::numeric,0) AS ms, round((total_exec_time*1000/$((E1-E0)))::numeric,1) AS us_per_change, round((total_plan_time*1000/$((E1-E0)))::numeric,1) AS plan_us_per_change, round(mean_exec_time::numeric,3) AS mean_ms, rows, left(regexp_replace(query, '\s+', ' ', 'g'), 90) AS query FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 14"
wait $SIM || true
kill $SVC; wait $SVC 2>/dev/null || true
runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D $D stop -m fast >/dev/null
