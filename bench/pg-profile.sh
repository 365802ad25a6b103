#!/bin/bash
# Statement-level profile of PostgreSQL under sustained status changes: a PostgreSQL of its own (initdb on
# port 55439 as user postgres, pg_stat_statements preloaded, defaults otherwise), the service and 2,000
# simulated chargers at $1 changes/s (default 5,000); prints each statement's execution time per status
# change over a 25 s window. Needs Debian's PostgreSQL 15 binaries and target/charger-status.jar.
#   bench/pg-profile.sh 5000
set -e
RATE=${1:-5000}
D=/tmp/pgss-data; rm -rf $D; mkdir -p $D; chown postgres $D
PORT=55439
runuser -u postgres -- /usr/lib/postgresql/15/bin/initdb -D $D -A trust -U postgres >/dev/null
echo "shared_preload_libraries = 'pg_stat_statements'" >> $D/postgresql.conf
echo "pg_stat_statements.track = all" >> $D/postgresql.conf
runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D $D -o "-p $PORT -k /tmp" -l /tmp/pgss.log start >/dev/null
sleep 2
psql -h 127.0.0.1 -p $PORT -U postgres -qc "CREATE DATABASE cs"
psql -h 127.0.0.1 -p $PORT -U postgres -d cs -qc "CREATE EXTENSION pg_stat_statements"
JAR=$(cd "$(dirname "$0")/.." && pwd)/target/charger-status.jar
HTTP_PORT=18080 OCPP_PORT=19000 PG_URL=postgresql://postgres@127.0.0.1:$PORT/cs ADMIN_TOKEN=t HEARTBEAT_INTERVAL_S=60 java -Xmx1g -jar $JAR > /tmp/pgss-svc.log 2>&1 &
SVC=$!
for i in $(seq 1 60); do curl -sf localhost:18080/health/ready >/dev/null && break; sleep 1; done
java -jar $JAR simulate --url ws://unused/ocpp --chargers 2000 --prefix P --api http://127.0.0.1:18080 --token t --account p --register-only >/dev/null 2>&1
psql -h 127.0.0.1 -p $PORT -U postgres -d cs -qc "INSERT INTO id_tags (id_tag, account_id) VALUES ('SIM-TAG','p')"
java -jar $JAR simulate --url ws://127.0.0.1:19000/ocpp --chargers 2000 --prefix P --status-rate $RATE --heartbeat 60 --ramp 5000 --duration 45 --fault-every 0 --quiet > /tmp/pgss-sim.log 2>&1 &
SIM=$!
sleep 12
psql -h 127.0.0.1 -p $PORT -U postgres -d cs -qc "SELECT pg_stat_statements_reset()" >/dev/null
E0=$(psql -h 127.0.0.1 -p $PORT -U postgres -d cs -Atc "select last_seq from event_counter")
sleep 25
E1=$(psql -h 127.0.0.1 -p $PORT -U postgres -d cs -Atc "select last_seq from event_counter")
echo "changes in window: $((E1-E0))"
psql -h 127.0.0.1 -p $PORT -U postgres -d cs -c "SELECT calls, round(total_exec_time::numeric,0) AS ms, round((total_exec_time*1000/$((E1-E0)))::numeric,1) AS us_per_change, round(mean_exec_time::numeric,3) AS mean_ms, rows, left(regexp_replace(query, '\s+', ' ', 'g'), 90) AS query FROM pg_stat_statements ORDER BY total_exec_time DESC LIMIT 14"
wait $SIM || true
kill $SVC; wait $SVC 2>/dev/null || true
runuser -u postgres -- /usr/lib/postgresql/15/bin/pg_ctl -D $D stop -m fast >/dev/null
