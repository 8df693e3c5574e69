#!/usr/bin/env bash
# The fleet dispatch against real LLM routers, over real HTTP: simulated vLLM-like servers
# (`onesim-models serve-mock --fleet`, 16 slots each, server-side queue, batch-dependent decode,
# LRU prefix cache, vLLM's /metrics), a step of agent calls released at once by
# `onesim-models bench --at-once` (8 personas of 800 tokens, max_tokens 20-200), routed by
#   - onesim-models' default balancer (`bench --fleet`: the fleet dispatch, no knobs),
#   - sglang-router (PyPI, --policy cache_aware),
#   - vllm-router (PyPI, --policy cache_aware, and power_of_two on the fleets without caches to win),
# each on a fresh fleet. Reported: makespan ÷ the fleet's capacity bound (1.0 is the physical
# limit), and the prefix-cache hit rate read from the servers' /metrics against the ideal.
#
# Fleets (as `fleet-table`'s): F1 speeds 4:2:1; F2 four equal servers, one 4x slower from 10 s;
# F3 four equal servers whose caches hold about half the personas; F4 F3's servers with
# GPU-sized caches over 3 steps, each agent's history growing; F4-small the same on F3's caches.
#
# Usage: Benchmarks/fleet-routers.sh [AGENTS] [FLEETS]   (defaults 1000, "F1 F2 F3 F4 F4-small").
# ROUTERS="ours sglang vllm" picks the routers (default all three); REPEATS=n runs each fleet n
# times, the routers in turn on each repeat (paired runs, for figures within run-to-run noise).
# SCRATCH=dir picks the release build's scratch path (default .build). Needs PyPI for the routers.
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${BENCH_WORK:-/tmp/onesim-fleet-routers}
AGENTS=${1:-1000}
FLEETS=${2:-F1 F2 F3 F4 F4-small}
SCRATCH=${SCRATCH:-.build}
ROUTERS=${ROUTERS:-ours sglang vllm}
REPEATS=${REPEATS:-1}
FLEET_PORT=18200
ROUTER_PORT=18290
mkdir -p "$WORK"
PIDS=()
cleanup() { for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap cleanup EXIT

swift build -c release --product onesim-models --scratch-path "$SCRATCH" > /dev/null
BIN="$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/onesim-models"
if [ ! -x "$WORK/venv/bin/python" ]; then python3 -m venv "$WORK/venv"; fi
"$WORK/venv/bin/pip" install -q sglang-router vllm-router > "$WORK/pip.log" 2>&1 || echo "(some routers did not install: $WORK/pip.log)" >&2

fleet_file() {
    local name=$1 file=$WORK/$1.json
    case $name in
    F1) echo '{"servers": [{"name": "gpu0", "speed": 1.0}, {"name": "gpu1", "speed": 0.5}, {"name": "gpu2", "speed": 0.25}]}' > "$file" ;;
    F2) echo '{"servers": [{"name": "gpu0"}, {"name": "gpu1"}, {"name": "gpu2"}, {"name": "gpu3", "speed_changes": [{"at": 10, "speed": 0.25}]}]}' > "$file" ;;
    # About half the personas: 4 x 50 blocks, plus room for the running requests' own blocks.
    F3 | F4-small) echo '{"servers": [{"name": "gpu0"}, {"name": "gpu1"}, {"name": "gpu2"}, {"name": "gpu3"}], "defaults": {"cache_blocks": 328}}' > "$file" ;;
    F4) echo '{"servers": [{"name": "gpu0"}, {"name": "gpu1"}, {"name": "gpu2"}, {"name": "gpu3"}], "defaults": {"cache_blocks": 40000}}' > "$file" ;;
    esac
    echo "$file"
}
steps_of() { if [ "$1" = F4 ] || [ "$1" = F4-small ]; then echo 3; else echo 1; fi; }

# Starts the fleet of $1; its servers' base URLs (without /v1) go to $WORK/urls, one a line.
start_fleet() {
    "$BIN" serve-mock --fleet "$1" --port $FLEET_PORT > "$WORK/fleet.out" 2>&1 &
    FLEET_PID=$!
    PIDS+=("$FLEET_PID")
    for _ in $(seq 200); do
        grep -q '^\]' "$WORK/fleet.out" 2> /dev/null && break
        sleep 0.2
    done
    sed -n 's/^fleet server .* listening on \(http:[^ ]*\)\/v1 .*/\1/p' "$WORK/fleet.out" > "$WORK/urls"
}
stop_fleet() { kill "$FLEET_PID" 2> /dev/null || true; wait "$FLEET_PID" 2> /dev/null || true; }

# bench through a router at ROUTER_PORT over the fleet's servers ($@: their base URLs).
bench_router() {
    local fleet=$1 steps=$2
    shift 2
    local metrics=()
    for url in "$@"; do metrics+=(--metrics-url "$url/metrics"); done
    cat > "$WORK/router.json" <<JSON
[{"config_name": "router", "model_type": "openai_chat", "model_name": "sim", "api_key": "k",
  "client_args": {"base_url": "http://127.0.0.1:$ROUTER_PORT/v1", "max_retries": 0, "timeout": 3600}}]
JSON
    "$BIN" bench --config "$WORK/router.json" --model router --agents "$AGENTS" --steps "$steps" --at-once \
        --no-progress --json "${metrics[@]}" | tail -1
}

# Runs router $1 ($2...: its command, with URLS replaced by the workers) on fleet $FLEET.
run_router() {
    local label=$1
    shift
    local file urls cmd=()
    file=$(fleet_file "$FLEET")
    start_fleet "$file"
    mapfile -t urls < "$WORK/urls"
    for arg in "$@"; do
        if [ "$arg" = URLS ]; then cmd+=("${urls[@]}"); else cmd+=("$arg"); fi
    done
    "${cmd[@]}" > "$WORK/router.log" 2>&1 &
    local router=$!
    PIDS+=("$router")
    local up=0
    for _ in $(seq 300); do
        if curl -sf -m 2 "http://127.0.0.1:$ROUTER_PORT/v1/models" > /dev/null 2>&1 || curl -sf -m 2 "http://127.0.0.1:$ROUTER_PORT/health" > /dev/null 2>&1; then up=1; break; fi
        sleep 0.5
    done
    if [ $up = 1 ]; then
        echo "$FLEET $label $(bench_router "$FLEET" "$(steps_of "$FLEET")" "${urls[@]}")"
    else
        echo "$FLEET $label {\"missing\": \"did not start (see $WORK/router.log)\"}"
    fi
    kill "$router" 2> /dev/null || true
    wait "$router" 2> /dev/null || true
    stop_fleet
}

RESULTS="$WORK/results.txt"
: > "$RESULTS"
uses() { case " $ROUTERS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
for FLEET in $FLEETS; do
  for _ in $(seq "$REPEATS"); do
    if uses ours; then
        echo "$FLEET: onesim-models (fleet dispatch)..." >&2
        file=$(fleet_file "$FLEET")
        echo "$FLEET ours $("$BIN" bench --fleet "$file" --agents "$AGENTS" --steps "$(steps_of "$FLEET")" --at-once --no-progress --json | tail -1)" >> "$RESULTS"
    fi
    if uses sglang; then
        echo "$FLEET: sglang-router cache_aware..." >&2
        run_router sglang-router/cache_aware "$WORK/venv/bin/python" -m sglang_router.launch_router --host 127.0.0.1 \
            --port $ROUTER_PORT --policy cache_aware --worker-urls URLS >> "$RESULTS"
    fi
    if uses vllm; then
        echo "$FLEET: vllm-router cache_aware..." >&2
        run_router vllm-router/cache_aware "$WORK/venv/bin/vllm-router" --host 127.0.0.1 --port $ROUTER_PORT \
            --policy cache_aware --worker-urls URLS >> "$RESULTS"
        if [ "$FLEET" = F1 ] || [ "$FLEET" = F2 ]; then
            echo "$FLEET: vllm-router power_of_two..." >&2
            run_router vllm-router/power_of_two "$WORK/venv/bin/vllm-router" --host 127.0.0.1 --port $ROUTER_PORT \
                --policy power_of_two --worker-urls URLS >> "$RESULTS"
        fi
    fi
  done
done

python3 - "$RESULTS" <<'PY'
import json, sys
rows = [line.split(" ", 2) for line in open(sys.argv[1]) if line.strip()]
ideal = {}
for fleet, who, text in rows:
    r = json.loads(text)
    if who == "ours" and "ideal_s" in r:
        ideal[fleet] = (r["ideal_s"], r.get("ideal_prefix_hit_rate"))
print("| fleet | router | makespan (s) | ÷ capacity bound | prefix-cache hits (ideal) |")
print("|---|---|---:|---:|---|")
for fleet, who, text in rows:
    r = json.loads(text)
    name = "onesim-models (fleet dispatch, defaults)" if who == "ours" else who
    if "missing" in r or "makespan_s" not in r:
        print(f"| {fleet} | {name} | {r.get('missing', 'failed')} | | |")
        continue
    bound, ideal_hits = ideal.get(fleet, (None, None))
    ratio = f"{r['makespan_s'] / bound:.2f}" if bound else "-"
    hits = f"{r['prefix_hit_rate'] * 100:.0f} %" if r.get("prefix_hit_rate") is not None else "-"
    if ideal_hits is not None: hits += f" ({ideal_hits * 100:.0f} %)"
    errors = r.get("workload", {}).get("errors", 0)
    print(f"| {fleet} | {name} | {r['makespan_s']:.1f} | {ratio} | {hits} |" + (f" {errors} errors" if errors else ""))
PY
