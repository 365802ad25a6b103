#!/bin/bash
# Heap per session in a fresh service: N chargers (default 10,000) speaking OCPP $1 (1.6 or 2.0.1), heap
# after a full GC read three times. Needs the PostgreSQL of 127.0.0.1:5432 (a database of its own) and
# target/charger-status.jar. The full benchmark measures 2.0.1 late in a JVM that already ran every 1.6
# phase; this compares the two versions under the same conditions.
#   bench/heap-per-session.sh 1.6 && bench/heap-per-session.sh 2.0.1
set -e
JAR=$(cd "$(dirname "$0")/.." && pwd)/target/charger-status.jar
V=$1; N=${2:-10000}; DB=cs_heap_$RANDOM
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $DB"
cd /tmp
HTTP_PORT=18080 OCPP_PORT=19000 PG_URL=postgresql://postgres@127.0.0.1:5432/$DB ADMIN_TOKEN=t HEARTBEAT_INTERVAL_S=60 java -Xmx1g -XX:+UseG1GC -jar $JAR > /tmp/heap-$V.log 2>&1 &
SVC=$!
for i in $(seq 1 60); do curl -sf localhost:18080/health/ready >/dev/null && break; sleep 1; done
java -jar $JAR simulate --url ws://unused/ocpp --chargers $N --prefix H --api http://127.0.0.1:18080 --token t --account h --register-only >/dev/null 2>&1
heap() { jcmd $SVC GC.run >/dev/null; sleep 1; curl -s -H "Authorization: Bearer t" localhost:18080/metrics | awk '/^jvm_memory_used_bytes\{/ && /area="heap"/ {s+=$NF} END {printf "%d", s}'; }
IDLE=$(heap)
java -jar $JAR simulate --url ws://127.0.0.1:19000/ocpp --chargers $N --prefix H --status-rate 0 --heartbeat 60 --ramp 2000 --ocpp $V --quiet --source-ips 127.0.0.5,127.0.0.6 > /tmp/heap-sim-$V.log 2>&1 &
SIM=$!
for i in $(seq 1 120); do c=$(curl -s -H "Authorization: Bearer t" localhost:18080/metrics | awk '/^charger_status_ocpp_connected_chargers /{print int($2)}'); [ "$c" -ge "$N" ] && break; sleep 1; done
sleep 5
H1=$(heap); H2=$(heap); H3=$(heap)
echo "$V connected=$c idle=$IDLE held=$H1 $H2 $H3 perSession=$(( (H1-IDLE)/N )) $(( (H2-IDLE)/N )) $(( (H3-IDLE)/N ))"
kill $SIM; kill $SVC; wait $SVC 2>/dev/null || true
psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE $DB WITH (FORCE)"
