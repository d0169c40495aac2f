#!/usr/bin/env bash
# Sets up and runs the edge demo on this machine: a NATS server (JetStream + MQTT) with the committed
# config, the twin service, the predictor with the committed FD001 model, the maintenance service
# ordering from a supplier simulator, and the gateway simulator replaying C-MAPSS engines to failure
# (or a synthetic fleet when the data set is absent), and the staff console with demo users tech,
# viewer and admin (password DEMO_PASSWORD). Ctrl-C stops everything. DEMO_SECONDS=N stops after N s.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh

DIR=${MILLWRIGHT_DEMO_DIR:-data/demo}
NATS_PORT=${NATS_PORT:-4222}
NATS_MQTT_PORT=${NATS_MQTT_PORT:-1883}
NATS_HTTP_PORT=${NATS_HTTP_PORT:-8222}
HTTP_PORT=${HTTP_PORT:-8080}
PREDICTOR_PORT=${PREDICTOR_PORT:-8081}
MAINTENANCE_PORT=${MAINTENANCE_PORT:-8082}
SUPPLIER_PORT=${SUPPLIER_PORT:-8090}
CONSOLE_PORT=${CONSOLE_PORT:-8084}
SITE=${SIM_SITE:-plant-1}
mkdir -p "$DIR/nats"

pids=()
cleanup() {
  trap - EXIT INT TERM
  for ((i=${#pids[@]}-1; i>=0; i--)); do kill "${pids[$i]}" 2>/dev/null || true; wait "${pids[$i]}" 2>/dev/null || true; done
  echo "demo: stopped (data kept in $DIR)"
}
trap cleanup EXIT INT TERM

wait_http() { # url what
  for _ in $(seq 1 100); do curl -fsS "$1" >/dev/null 2>&1 && return 0; sleep 0.2; done
  echo "demo: $2 did not come up; see $DIR/*.log" >&2; exit 1
}

for port in $NATS_PORT $NATS_HTTP_PORT $NATS_MQTT_PORT; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    echo "demo: port $port is already in use (Debian's nats-server.service? stop it, or set NATS_PORT, NATS_HTTP_PORT, NATS_MQTT_PORT)" >&2
    exit 1
  fi
done

NATS_SERVER_NAME=millwright-demo NATS_PORT=$NATS_PORT NATS_HTTP_PORT=$NATS_HTTP_PORT NATS_MQTT_PORT=$NATS_MQTT_PORT \
NATS_STORE_DIR="$DIR/nats" NATS_JS_DOMAIN=edge NATS_MAX_FILE_STORE=2GB \
  nats-server -c config/nats/nats-edge.conf >"$DIR/nats.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$NATS_HTTP_PORT/healthz?js-enabled-only=true" "nats-server"

NATS_URL=nats://127.0.0.1:$NATS_PORT HTTP_PORT=$HTTP_PORT TWIN_DB_PATH="$DIR/twins.db" \
  node dist/apps/twin-service/src/main.js >"$DIR/twin-service.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$HTTP_PORT/health/ready" "twin-service"

twin_url=http://127.0.0.1:$HTTP_PORT
NATS_URL=nats://127.0.0.1:$NATS_PORT TWIN_SERVICE_URL=$twin_url HTTP_PORT=$PREDICTOR_PORT MODEL_DIR=models/fd001 \
  node dist/apps/predictor/src/main.js >"$DIR/predictor.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$PREDICTOR_PORT/health/ready" "predictor"

HTTP_PORT=$SUPPLIER_PORT SUPPLIER_STATE_FILE="$DIR/supplier-orders.json" \
  node dist/apps/supplier-simulator/src/main.js >"$DIR/supplier-simulator.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$SUPPLIER_PORT/api/v1/_stats" "supplier-simulator"

supplier_url=http://127.0.0.1:$SUPPLIER_PORT
NATS_URL=nats://127.0.0.1:$NATS_PORT TWIN_SERVICE_URL=$twin_url SUPPLIER_URL=$supplier_url MAINTENANCE_DB_PATH="$DIR/maintenance.db" \
  HTTP_PORT=$MAINTENANCE_PORT node dist/apps/maintenance/src/main.js >"$DIR/maintenance.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$MAINTENANCE_PORT/health/ready" "maintenance"

# Demo users only: the password comes from the environment and only its scrypt hash reaches the console.
demo_password=${DEMO_PASSWORD:-millwright-demo}
demo_hash=$(printf %s "$demo_password" | node dist/apps/console/src/main.js hash-password)
NATS_URL=nats://127.0.0.1:$NATS_PORT NATS_MONITOR_URL=http://127.0.0.1:$NATS_HTTP_PORT TWIN_SERVICE_URL=$twin_url \
  PREDICTOR_URL=http://127.0.0.1:$PREDICTOR_PORT MAINTENANCE_URL=http://127.0.0.1:$MAINTENANCE_PORT CONSOLE_SITE=$SITE \
  CONSOLE_USERS="tech:technician:$demo_hash,viewer:viewer:$demo_hash,admin:admin:$demo_hash" \
  CONSOLE_AUDIT_PATH="$DIR/console-audit.jsonl" HTTP_PORT=$CONSOLE_PORT node dist/apps/console/src/main.js >"$DIR/console.log" 2>&1 &
pids+=($!)
wait_http "http://127.0.0.1:$CONSOLE_PORT/health/ready" "console"

cmapss_dir=${MILLWRIGHT_CMAPSS_DIR:-../shared/data/cmapss}
if [ -f "$cmapss_dir/train_FD001.txt" ]; then
  source_env=(SIM_SOURCE=cmapss SIM_CMAPSS_FILE=train_FD001.txt SIM_ENGINES=${SIM_ENGINES:-20})
  what="20 C-MAPSS FD001 engines"
else
  source_env=(SIM_SOURCE=synthetic SIM_ENGINES=${SIM_ENGINES:-20})
  what="20 synthetic engines (profile fitted from C-MAPSS FD001; data set not found at $cmapss_dir)"
fi

cat <<TXT

Millwright edge demo
  staff console  http://127.0.0.1:$CONSOLE_PORT   (users tech, viewer, admin; password \$DEMO_PASSWORD, default millwright-demo)
  twins (REST)   http://127.0.0.1:$HTTP_PORT/api/v1/twins?site=$SITE
  API docs       http://127.0.0.1:$HTTP_PORT/docs
  metrics        http://127.0.0.1:$HTTP_PORT/metrics   http://127.0.0.1:$PREDICTOR_PORT/metrics
  model          http://127.0.0.1:$PREDICTOR_PORT/api/v1/model
  orders         http://127.0.0.1:$MAINTENANCE_PORT/api/v1/orders   (supplier side: $supplier_url/api/v1/orders)
  NATS / MQTT    nats://127.0.0.1:$NATS_PORT   mqtt://127.0.0.1:$NATS_MQTT_PORT
  replaying      $what, 2 cycles/s each, batches of 20
  logs           $DIR/*.log        stop with Ctrl-C

TXT

env "${source_env[@]}" NATS_URL=nats://127.0.0.1:$NATS_PORT SIM_SITE=$SITE SIM_CYCLE_RATE=${SIM_CYCLE_RATE:-2} SIM_BATCH_SIZE=20 SIM_PROGRESS_MS=5000 \
  node dist/apps/sensor-simulator/src/main.js &
pids+=($!)

if [ -n "${DEMO_SECONDS:-}" ]; then
  sleep "$DEMO_SECONDS"
  curl -fsS "http://127.0.0.1:$HTTP_PORT/api/v1/twins/$SITE/engine-001" | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const t = JSON.parse(s);
      console.log(`engine-001: version ${t.version}, last seq ${t.lastSeq}, prediction ${JSON.stringify(t.derived.prediction)}`);
    });'
  curl -fsS "http://127.0.0.1:$MAINTENANCE_PORT/api/v1/orders" | node -e '
    let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
      const items = JSON.parse(s).items;
      console.log(`orders: ${items.length} (${items.map((o) => `${o.asset} ${o.state}`).join(", ")})`);
    });'
  exit 0
fi
wait "${pids[-1]}" || true
echo "demo: replay finished; services keep running for browsing. Ctrl-C to stop."
wait
