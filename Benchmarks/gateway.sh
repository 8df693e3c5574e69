#!/usr/bin/env bash
# The gateway under load, on this machine, against peers nobody here wrote: the fixed-reply nginx
# backend on two ports (Benchmarks/backend.sh, as compare.sh uses), and in front of it
#   - nothing (wrk straight at nginx: the ceiling, and the baseline for added latency),
#   - `onesim-models serve` with a two-member round-robin balancer (access log on, as by default),
#   - LiteLLM's proxy (`litellm --config`, from PyPI, the same two deployments, simple-shuffle),
#   - sglang-router and vllm-router (Rust routers from PyPI, round robin) when they install here;
# each loaded by wrk with a Lua POST script at 64 connections, then at one connection. For
# reference, `onesim-models bench` drives the same balancer in process (no gateway).
#
# Reported per row: requests/s, CPU per request of the thing in front of nginx (its process tree's
# user+system time over the run ÷ requests), p50/p99 latency, and at one connection the p50/p99
# added over calling nginx directly. Then the gateway's resident memory after 10,000 and after
# 1,000,000 requests. Targets (issue 17): gateway ≥ 0.5x the in-process req/s, ≥ 20x LiteLLM's
# proxy; at one connection under 0.3 ms added at p50 and under 1 ms at p99; memory after a
# million requests within 10 % of memory after ten thousand.
#
# Usage: Benchmarks/gateway.sh [SECONDS]   (each wrk run; default 10). SCRATCH=dir picks the
# release build's scratch path (default .build). Needs root for apt-get the first time, and
# PyPI for the peers (a peer that does not install is reported as such, not hidden).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK=${BENCH_WORK:-/tmp/onesim-gateway-bench}
SECONDS_PER_RUN=${1:-10}
SCRATCH=${SCRATCH:-.build}
CONCURRENCY=64
PORT_A=18091
PORT_B=18092
PORT_GW=18094
PORT_LITELLM=18095
PORT_SGLANG=18096
PORT_VLLM=18097
mkdir -p "$WORK"
PIDS=()

# shellcheck source=Benchmarks/backend.sh
source Benchmarks/backend.sh
start_fixed_backend
cleanup() {
    for pid in "${PIDS[@]}"; do kill_tree "$pid"; done
    stop_fixed_backend
}
trap cleanup EXIT

# --- helpers ------------------------------------------------------------------------------------
# The pids of a process and all its descendants.
tree() {
    local pid=$1
    echo "$pid"
    for child in $(cat /proc/"$pid"/task/*/children 2>/dev/null); do tree "$child"; done
}
kill_tree() { kill $(tree "$1") 2>/dev/null || true; }
# User + system CPU seconds of a process tree so far.
cpu_seconds() {
    local ticks=0 pid
    for pid in $(tree "$1"); do
        [ -r /proc/"$pid"/stat ] || continue
        ticks=$(( ticks + $(awk '{print $14 + $15}' /proc/"$pid"/stat) ))
    done
    python3 -c "print($ticks / $(getconf CLK_TCK))"
}
# Resident memory of a process tree, in MB.
rss_mb() {
    local kb=0 pid
    for pid in $(tree "$1"); do
        [ -r /proc/"$pid"/status ] || continue
        kb=$(( kb + $(awk '/VmRSS/ {print $2}' /proc/"$pid"/status) ))
    done
    python3 -c "print(round($kb / 1024, 1))"
}
# Waits (bounded) until `url` answers.
wait_for() {
    local url=$1 what=$2
    for _ in $(seq 600); do
        if curl -sf -m 2 "$url" > /dev/null 2>&1; then return 0; fi
        sleep 0.5
    done
    echo "$what did not come up at $url" >&2
    return 1
}
# Runs wrk (connections $1, threads $2, model name $3) at $4 for SECONDS_PER_RUN, measuring the CPU
# of process tree $5 (or none), and prints one JSON line: rps, requests, errors, p50/p99 ms, cpu.
load() {
    local connections=$1 threads=$2 model=$3 url=$4 pid=${5:-} before=0 after=0
    write_post_lua "$model" "$WORK/post-$model.lua"
    [ -n "$pid" ] && before=$(cpu_seconds "$pid")
    wrk -t"$threads" -c"$connections" -d"${SECONDS_PER_RUN}s" --latency -s "$WORK/post-$model.lua" "$url" > "$WORK/wrk.out"
    [ -n "$pid" ] && after=$(cpu_seconds "$pid")
    python3 - "$WORK/wrk.out" "$before" "$after" <<'PY'
import json, re, sys
text = open(sys.argv[1]).read()
def ms(value, unit):
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]
lat = {p: ms(v, u) for p, v, u in re.findall(r"^\s+(50|99)(?:\.000)?%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M)}
requests = int(re.search(r"(\d+) requests in", text).group(1))
errors = sum(int(n) for n in re.findall(r"Non-2xx or 3xx responses: (\d+)", text))
errors += sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", text))
cpu = float(sys.argv[3]) - float(sys.argv[2])
print(json.dumps({"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1)), "requests": requests,
                  "errors": errors, "p50_ms": lat.get("50"), "p99_ms": lat.get("99"),
                  "cpu_us_per_request": cpu * 1e6 / requests if cpu > 0 and requests else None}))
PY
}
# Checks that `url` answers the benchmark request with a chat completion (not an error page).
check_answers() {
    local model=$1 url=$2 what=$3
    if ! curl -sf -m 10 -H 'content-type: application/json' -d "${BENCH_BODY/MODEL/$model}" "$url" | grep -q '"chat.completion"'; then
        echo "$what does not answer chat completions at $url" >&2
        return 1
    fi
}

# --- ours ---------------------------------------------------------------------------------------
echo "building onesim-models (release)..." >&2
swift build -c release --product onesim-models --scratch-path "$SCRATCH" > /dev/null
BIN="$(swift build -c release --scratch-path "$SCRATCH" --show-bin-path)/onesim-models"
cat > "$WORK/models.json" <<JSON
[{"config_name": "a", "model_type": "openai_chat", "model_name": "bench", "api_key": "k", "client_args": {"base_url": "http://127.0.0.1:$PORT_A/v1", "max_retries": 0}},
 {"config_name": "b", "model_type": "openai_chat", "model_name": "bench", "api_key": "k", "client_args": {"base_url": "http://127.0.0.1:$PORT_B/v1", "max_retries": 0}},
 {"config_name": "lb", "model_type": "load_balancer", "models": ["a", "b"], "strategy": "round_robin"}]
JSON

echo "direct to nginx..." >&2
DIRECT=$(load $CONCURRENCY 2 bench "http://127.0.0.1:$PORT_A/v1/chat/completions")
DIRECT_1=$(load 1 1 bench "http://127.0.0.1:$PORT_A/v1/chat/completions")

echo "the same balancer in process (onesim-models bench)..." >&2
IN_PROCESS_REQUESTS=$(python3 -c "import json; print(max(20000, int(json.loads('$DIRECT')['rps'] * $SECONDS_PER_RUN / 4)))")
IN_PROCESS=$("$BIN" bench --config "$WORK/models.json" --model lb --requests "$IN_PROCESS_REQUESTS" --concurrency $CONCURRENCY --json | tail -1)

echo "onesim-models serve..." >&2
"$BIN" serve --config "$WORK/models.json" --port $PORT_GW > "$WORK/gateway.log" 2>&1 &
GW_PID=$!
PIDS+=("$GW_PID")
wait_for "http://127.0.0.1:$PORT_GW/health/live" "the gateway"
check_answers lb "http://127.0.0.1:$PORT_GW/v1/chat/completions" "the gateway"
# Memory after the first ten thousand requests (warm), then after a million.
WARM=0
write_post_lua lb "$WORK/post-lb.lua"
while [ "$WARM" -lt 10000 ]; do
    n=$(wrk -t2 -c$CONCURRENCY -d1s -s "$WORK/post-lb.lua" "http://127.0.0.1:$PORT_GW/v1/chat/completions" | awk '/requests in/ {print $1}')
    WARM=$(( WARM + n ))
done
RSS_10K=$(rss_mb "$GW_PID")
GATEWAY=$(load $CONCURRENCY 2 lb "http://127.0.0.1:$PORT_GW/v1/chat/completions" "$GW_PID")
GATEWAY_1=$(load 1 1 lb "http://127.0.0.1:$PORT_GW/v1/chat/completions" "$GW_PID")
SERVED=$(( WARM + $(python3 -c "import json; print(json.loads('$GATEWAY')['requests'] + json.loads('$GATEWAY_1')['requests'])") ))
echo "driving the gateway to 1,000,000 requests (at $SERVED)..." >&2
while [ "$SERVED" -lt 1000000 ]; do
    n=$(wrk -t2 -c$CONCURRENCY -d10s -s "$WORK/post-lb.lua" "http://127.0.0.1:$PORT_GW/v1/chat/completions" | awk '/requests in/ {print $1}')
    SERVED=$(( SERVED + n ))
done
RSS_1M=$(rss_mb "$GW_PID")
kill_tree "$GW_PID"

# --- peers from PyPI ----------------------------------------------------------------------------
if [ ! -x "$WORK/venv/bin/python" ]; then
    python3 -m venv "$WORK/venv"
fi
peer_row() { echo '{"missing": "'"$1"'"}'; }

echo "LiteLLM proxy..." >&2
LITELLM=$(peer_row "litellm[proxy] did not install")
if "$WORK/venv/bin/python" -c "import litellm.proxy.proxy_server" 2> /dev/null || timeout 900 "$WORK/venv/bin/pip" install -q "litellm[proxy]" > "$WORK/pip-litellm.log" 2>&1; then
    cat > "$WORK/litellm.yaml" <<YAML
model_list:
  - model_name: bench
    litellm_params: {model: openai/bench, api_key: k, api_base: "http://127.0.0.1:$PORT_A/v1"}
  - model_name: bench
    litellm_params: {model: openai/bench, api_key: k, api_base: "http://127.0.0.1:$PORT_B/v1"}
router_settings: {num_retries: 0}
YAML
    # Like ours without keys on loopback: no master key (LiteLLM refuses that unless told).
    LITELLM_DANGEROUSLY_PERMIT_WEAK_OR_UNSET_MASTER_KEY=true \
        "$WORK/venv/bin/litellm" --config "$WORK/litellm.yaml" --host 127.0.0.1 --port $PORT_LITELLM > "$WORK/litellm.log" 2>&1 &
    LITELLM_PID=$!
    PIDS+=("$LITELLM_PID")
    if wait_for "http://127.0.0.1:$PORT_LITELLM/health/liveliness" "LiteLLM's proxy" \
        && check_answers bench "http://127.0.0.1:$PORT_LITELLM/v1/chat/completions" "LiteLLM's proxy"; then
        LITELLM=$(load $CONCURRENCY 2 bench "http://127.0.0.1:$PORT_LITELLM/v1/chat/completions" "$LITELLM_PID")
        LITELLM_1=$(load 1 1 bench "http://127.0.0.1:$PORT_LITELLM/v1/chat/completions" "$LITELLM_PID")
        LITELLM=$(python3 -c "import json; r = json.loads('$LITELLM'); r['one'] = json.loads('$LITELLM_1'); print(json.dumps(r))")
    else
        LITELLM=$(peer_row "LiteLLM's proxy did not start (see $WORK/litellm.log)")
    fi
    kill_tree "$LITELLM_PID"
fi

# A Rust router from PyPI: $1 name, $2 pip package, $3 port, then its command line.
rust_router() {
    local name=$1 package=$2 port=$3
    shift 3
    if ! timeout 900 "$WORK/venv/bin/pip" install -q "$package" > "$WORK/pip-$package.log" 2>&1; then
        peer_row "$package did not install"
        return
    fi
    "$@" > "$WORK/$package.log" 2>&1 &
    local pid=$!
    PIDS+=("$pid")
    if wait_for "http://127.0.0.1:$port/health" "$name" > /dev/null 2>&1 \
        && check_answers bench "http://127.0.0.1:$port/v1/chat/completions" "$name" 2> /dev/null; then
        local many one
        many=$(load $CONCURRENCY 2 bench "http://127.0.0.1:$port/v1/chat/completions" "$pid")
        one=$(load 1 1 bench "http://127.0.0.1:$port/v1/chat/completions" "$pid")
        python3 -c "import json; r = json.loads('$many'); r['one'] = json.loads('$one'); print(json.dumps(r))"
    else
        peer_row "$name did not start or answer (see $WORK/$package.log)"
    fi
    kill_tree "$pid"
}
echo "sglang-router..." >&2
SGLANG=$(rust_router sglang-router sglang-router $PORT_SGLANG \
    "$WORK/venv/bin/python" -m sglang_router.launch_router --host 127.0.0.1 --port $PORT_SGLANG \
    --worker-urls "http://127.0.0.1:$PORT_A" "http://127.0.0.1:$PORT_B" --policy round_robin)
echo "vllm-router..." >&2
VLLM=$(rust_router vllm-router vllm-router $PORT_VLLM \
    "$WORK/venv/bin/vllm-router" --host 127.0.0.1 --port $PORT_VLLM \
    --worker-urls "http://127.0.0.1:$PORT_A" "http://127.0.0.1:$PORT_B" --policy round_robin)

# --- the table ----------------------------------------------------------------------------------
python3 - "$DIRECT" "$DIRECT_1" "$IN_PROCESS" "$GATEWAY" "$GATEWAY_1" "$LITELLM" "$SGLANG" "$VLLM" "$RSS_10K" "$RSS_1M" "$WARM" "$SERVED" <<'PY'
import json, sys
direct, direct1, inproc, gw, gw1 = (json.loads(a) for a in sys.argv[1:6])
peers = {"LiteLLM proxy": json.loads(sys.argv[6]), "sglang-router": json.loads(sys.argv[7]), "vllm-router": json.loads(sys.argv[8])}
rss10k, rss1m, warm, served = float(sys.argv[9]), float(sys.argv[10]), int(sys.argv[11]), int(sys.argv[12])
gw["one"] = gw1
def f(v, fmt):
    return "-" if v is None else format(v, fmt)
def added(row, key):
    one = row.get("one") or {}
    return None if one.get(key) is None or direct1.get(key) is None else one[key] - direct1[key]
print("| in front of nginx (64 connections) | req/s | CPU µs/req | p50 ms | p99 ms | added p50 ms (1 conn) | added p99 ms (1 conn) |")
print("|---|---:|---:|---:|---:|---:|---:|")
print(f"| nothing (wrk → nginx) | {direct['rps']:.0f} | - | {f(direct['p50_ms'], '.2f')} | {f(direct['p99_ms'], '.2f')} | 0 | 0 |")
print(f"| `onesim-models bench` (same balancer, in process) | {inproc['rps']:.0f} | {inproc['cpu_us_per_request']:.1f} | {inproc['p50_ms']:.2f} | {inproc['p99_ms']:.2f} | - | - |")
for name, row in [("`onesim-models serve`", gw)] + list(peers.items()):
    if "missing" in row:
        print(f"| {name} | {row['missing']} | | | | | |")
        continue
    print(f"| {name} | {row['rps']:.0f} | {f(row['cpu_us_per_request'], '.1f')} | {f(row['p50_ms'], '.2f')} | {f(row['p99_ms'], '.2f')} "
          f"| {f(added(row, 'p50_ms'), '.3f')} | {f(added(row, 'p99_ms'), '.3f')} |")
print()
print(f"gateway ÷ in process (req/s): {gw['rps'] / inproc['rps']:.2f} (target ≥ 0.5)")
lite = peers["LiteLLM proxy"]
if "missing" not in lite:
    print(f"gateway ÷ LiteLLM proxy (req/s): {gw['rps'] / lite['rps']:.1f} (target ≥ 20)")
print(f"one connection, added over direct: p50 {f(added(gw, 'p50_ms'), '.3f')} ms (target < 0.3), p99 {f(added(gw, 'p99_ms'), '.3f')} ms (target < 1)")
print(f"gateway memory: {rss10k:.1f} MB after {warm:,} requests, {rss1m:.1f} MB after {served:,} "
      f"({(rss1m / rss10k - 1) * 100:+.1f} %, target within 10 %)")
print(f"errors: gateway {gw['errors']}, direct {direct['errors']}")
PY
