#!/usr/bin/env bash
# The dashboards in a real browser: starts a simulated fleet (`onesim-models serve-mock --fleet`),
# the gateway (`onesim-models serve`) over it, drives load through the gateway with
# `onesim-models bench`, then loads both `GET /dashboard` pages in headless Chromium
# (`--dump-dom` and `--screenshot`) and checks the rendered DOM shows every fleet server and
# non-zero numbers. Stops everything it started. Exits non-zero on any failure.
#
# Installs Debian's `chromium` when it is missing and this runs as root (bounded by `timeout`);
# when it cannot be installed it prints "skipped: chromium could not be installed" and exits 0.
#
# Usage: scripts/dashboard-check.sh   (OUT=dir keeps the DOM dumps and screenshots there)
set -euo pipefail
cd "$(dirname "$0")/.."

out=${OUT:-.build/dashboard-check}
mkdir -p "$out"
# shellcheck source=scripts/local-servers.sh
source scripts/local-servers.sh

find_chromium() { command -v chromium || command -v chromium-browser || true; }
browser=$(find_chromium)
if [ -z "$browser" ] && [ "$(id -u)" = 0 ] && command -v apt-get > /dev/null; then
    echo "installing chromium (apt-get, at most 15 minutes)..."
    started=$(date +%s)
    export DEBIAN_FRONTEND=noninteractive
    timeout 900 apt-get install -y -qq chromium > "$work/apt.log" 2>&1 \
        || { timeout 300 apt-get update -qq > /dev/null 2>&1 && timeout 900 apt-get install -y -qq chromium > "$work/apt.log" 2>&1; } \
        || true
    echo "chromium install took $(( $(date +%s) - started )) s"
    browser=$(find_chromium)
fi
if [ -z "$browser" ]; then
    echo "skipped: chromium could not be installed (needs root and apt-get, or install it yourself)"
    exit 0
fi

bin=$(swift build --show-bin-path)/onesim-models
if [ ! -x "$bin" ]; then
    echo "building onesim-models..."
    timeout 3600 swift build --product onesim-models
fi

# A small fleet: three 4-slot servers, one of them slow, decoding fast enough for a short run.
cat > "$work/fleet.json" <<'JSON'
{"servers": [{"name": "gpu-a"}, {"name": "gpu-b"}, {"name": "gpu-slow", "speed": 0.5}],
 "defaults": {"max_num_seqs": 4, "prefill_seconds_per_token": 0.00002, "decode_seconds_per_token": 0.002,
              "cache_blocks": 2048, "block_tokens": 16}}
JSON

"$bin" serve-mock --fleet "$work/fleet.json" --port 0 --strategy fleet > "$work/fleet.out" 2>&1 & pids+=($!)
wait_for_line "$work/fleet.out" '^]'
# The models config the fleet printed: from its first line "[" to its last "]".
sed -n '/^\[$/,/^\]$/p' "$work/fleet.out" > "$work/fleet-models.json"
# With prices, so the page has a cost to show.
python3 - "$work/fleet-models.json" "$work/models.json" <<'PY'
import json, sys
configs = json.load(open(sys.argv[1]))
for c in configs:
    if c.get("model_type") == "vllm_chat":
        c["input_cost_per_token"], c["output_cost_per_token"] = 0.000002, 0.000006
json.dump(configs, open(sys.argv[2], "w"), indent=1)
PY
fleet_dashboard=$(grep -o 'http://[^ ]*/dashboard' "$work/fleet.out" | head -n 1)
wait_for "$fleet_dashboard"

port=$(free_port)
"$bin" serve --config "$work/models.json" --port "$port" --no-access-log > "$work/gateway.log" 2>&1 & pids+=($!)
wait_for "http://127.0.0.1:$port/health/live" || { cat "$work/gateway.log"; exit 1; }

# Load through the gateway: bench calls one OpenAI config whose base_url is the gateway.
cat > "$work/client.json" <<JSON
[{"config_name": "gateway", "model_type": "openai_chat", "model_name": "fleet", "api_key": "unused",
  "client_args": {"base_url": "http://127.0.0.1:$port/v1", "max_retries": 0, "timeout": 120}}]
JSON
timeout 300 "$bin" bench --config "$work/client.json" --model gateway --requests 4000 --concurrency 12 \
    > "$work/bench.log" 2>&1 & pids+=($!)
# Until the gateway has answered some calls (bounded).
for _ in $(seq 1 300); do
    if curl -fsS "http://127.0.0.1:$port/dashboard/stats" | grep -q '"requests":[1-9]'; then break; fi
    sleep 0.1
done

status=0
render() {  # url, name
    timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars \
        --virtual-time-budget=6000 --dump-dom "$1" > "$out/$2.html" 2> "$work/$2-dom.err" || true
    timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars \
        --window-size=1600,600 --virtual-time-budget=6000 --screenshot="$out/$2.png" "$1" > /dev/null 2> "$work/$2-shot.err" || true
}
check() {  # file, description, pattern
    if grep -Eq "$3" "$1"; then echo "ok   $2"; else echo "FAIL $2"; status=1; fi
}

render "http://127.0.0.1:$port/dashboard" gateway
for server in gpu-a gpu-b gpu-slow; do
    check "$out/gateway.html" "gateway dashboard shows member $server" "data-row=\"$server\""
done
check "$out/gateway.html" "gateway dashboard shows the balancer" 'data-section="balancer:fleet"'
check "$out/gateway.html" "gateway dashboard shows requests > 0" 'data-key="requests" data-value="[1-9]'
check "$out/gateway.html" "gateway dashboard shows tokens/s > 0" 'data-key="tokens_per_s" data-value="[1-9]'
check "$out/gateway.html" "gateway dashboard drew sparklines" '<polyline points="[0-9]'
check "$out/gateway.html" "gateway dashboard shows a cost > 0" 'data-key="cost" data-value="(0\.0*[1-9]|[1-9])'

render "$fleet_dashboard" fleet
for server in gpu-a gpu-b gpu-slow; do
    check "$out/fleet.html" "fleet dashboard shows server $server" "data-row=\"$server\""
done
check "$out/fleet.html" "fleet dashboard shows requests > 0" 'data-key="requests" data-value="[1-9]'

for shot in gateway fleet; do
    if [ -s "$out/$shot.png" ]; then
        echo "ok   screenshot $out/$shot.png ($(wc -c < "$out/$shot.png") bytes)"
    else
        echo "FAIL no screenshot of the $shot dashboard"; cat "$work/$shot-shot.err"; status=1
    fi
done
if [ $status -ne 0 ]; then
    echo "--- gateway log"; tail -20 "$work/gateway.log"
    echo "--- bench log"; tail -20 "$work/bench.log"
fi
exit $status
