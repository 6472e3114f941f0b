#!/usr/bin/env bash
# Fuzzes the HTTP API with schemathesis against the service's own OpenAPI document (/docs-json):
# the service runs on the embedded default (its own database, Twilio emulator and demo workspace)
# in a throw-away data folder, and every operation is called with generated requests and an
# admin token. Checks: no 5xx, every status code documented, every answer matching its schema.
# Bounded in time: FUZZ_MAX_TIME seconds of fuzzing (default 150), FUZZ_MAX_EXAMPLES per operation.
# GET /events is left out: the stream never ends, so every call would wait for the request
# timeout (its framing and payloads are covered by the realtime e2e tests).
# schemathesis is installed once into a virtualenv under the git-ignored .cache/.
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
VENV="$PWD/.cache/fuzz-venv"
MAX_TIME=${FUZZ_MAX_TIME:-150}
MAX_EXAMPLES=${FUZZ_MAX_EXAMPLES:-25}

if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
  echo "fuzz: installing schemathesis $SCHEMATHESIS_VERSION into $VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

node scripts/build-if-needed.js
DATA_DIR=$(mktemp -d "${TMPDIR:-/tmp}/zapdesk-fuzz-XXXXXX")
PORT=${FUZZ_PORT:-$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")}
BASE="http://127.0.0.1:$PORT"
LOG="$DATA_DIR/service.log"

# The embedded default, as `npm start` runs it: nothing configured but the data folder and port.
unset MONGODB_URI JWT_SECRET ENCRYPTION_KEYS ENCRYPTION_KEY_ID TWILIO_ACCOUNT_SID TWILIO_AUTH_TOKEN TWILIO_API_URL API_URL NODE_ENV
export ZAPDESK_DATA_DIR="$DATA_DIR" PORT HOST=127.0.0.1 LOG_FORMAT=json LOG_LEVEL=warn EMULATOR_STEP_DELAY_MS=50
node dist/main.js >"$LOG" 2>&1 &
SERVICE_PID=$!
stop_service() {
  kill -INT "$SERVICE_PID" 2>/dev/null || true
  wait "$SERVICE_PID" 2>/dev/null || true
  rm -rf "$DATA_DIR"
}
trap stop_service EXIT

healthy() { node -e "fetch(process.argv[1]).then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))" "$BASE/health"; }
for _ in $(seq 1 300); do
  if healthy; then break; fi
  if ! kill -0 "$SERVICE_PID" 2>/dev/null; then echo "fuzz: the service did not start:"; cat "$LOG"; exit 1; fi
  sleep 1
done
healthy || { echo "fuzz: the service is not healthy after 300 s:"; cat "$LOG"; exit 1; }

TOKEN=$(node dist/cli.js token --role admin)

# Real identifiers, so that the operations on one resource get past their 404: a customer writes
# in (a ticket and an inbound message), and the demo integration. DELETE /integrations/{id} keeps
# generated ids (deleting the demo integration would cut the other operations short).
node dist/cli.js simulate --from +5511999990000 --body "Olá" >/dev/null
read -r TICKET_ID MESSAGE_ID INTEGRATION_ID < <(node -e '
  const [base, token] = process.argv.slice(1);
  const get = (path) => fetch(base + path, { headers: { Authorization: "Bearer " + token } }).then((r) => r.json());
  (async () => {
    const ticket = (await get("/tickets")).items[0];
    const message = (await get("/tickets/" + ticket.id + "/messages")).items[0];
    const integration = (await get("/integrations")).items[0];
    console.log(ticket.id, message.id, integration.id);
  })().catch((error) => { console.error(error); process.exit(1); });
' "$BASE" "$TOKEN")
CONFIG="$DATA_DIR/schemathesis.toml"
cat >"$CONFIG" <<TOML
[[operations]]
include-path-regex = "^/tickets/[{]id[}]"
parameters = { "path.id" = "$TICKET_ID" }

[[operations]]
include-path-regex = "^/ticket-messages/[{]id[}]/"
parameters = { "path.id" = "$MESSAGE_ID" }

[[operations]]
include-path-regex = "^/integrations/[{]id[}]"
include-method-regex = "^(GET|PATCH|POST)$"
parameters = { "path.id" = "$INTEGRATION_ID" }
TOML
echo "fuzz: schemathesis against $BASE/docs-json (at most ${MAX_TIME} s, ${MAX_EXAMPLES} examples per operation)"
status=0
# Run from the throw-away folder: schemathesis keeps its cache (.schemathesis/) in the working directory.
(cd "$DATA_DIR" && "$VENV/bin/schemathesis" --config-file "$CONFIG" run "$BASE/docs-json" \
  --url "$BASE" \
  --header "Authorization: Bearer $TOKEN" \
  --exclude-path /events \
  --checks not_a_server_error,status_code_conformance,response_schema_conformance \
  --phases examples,coverage,fuzzing \
  --max-examples "$MAX_EXAMPLES" \
  --max-time "$MAX_TIME" \
  --request-timeout 20 \
  --workers 2 \
  --seed "${FUZZ_SEED:-20261130}") \
  || status=$?
if [ "$status" -ne 0 ]; then
  echo "fuzz: service errors logged during the run:"
  grep -E '"level":(50|60)' "$LOG" | tail -n 20 || true
fi
exit "$status"
