#!/usr/bin/env bash
# Side-by-side benchmark on this machine: the same chat-completion workload (fixed system +
# user message, 64 in flight) against a fixed-response OpenAI-compatible backend that is not
# ours (nginx serving fixed JSON bytes on two loopback ports), driven by:
#   wrk (the ceiling), a bare AsyncHTTPClient loop (`onesim-models bench --raw`, the Swift
#   floor), onesim-models through a two-member round-robin balancer, openai-python's
#   AsyncOpenAI and LiteLLM's Router (both from PyPI into a local venv).
# Then: 10,000 requests in flight against a backend that answers after one second (the
# simulator with 1 s latency), and a streaming scenario (nginx serving a fixed SSE body).
# Finally the library alone (`bench --in-memory`: no sockets, a fixed reply in process): its
# CPU per call is the work of format, encode, pick, decode and usage accounting.
#
# The raw client and ours run ROUNDS times each, alternating, and the table shows the medians:
# on a shared 2-core machine single runs vary by 10-20 %.
#
# Usage: Benchmarks/compare.sh [REQUESTS] [ROUNDS]   (defaults 20000, 5). Needs root for
# apt-get the first time.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
WORK=${BENCH_WORK:-/tmp/onesim-bench}
REQUESTS=${1:-20000}
ROUNDS=${2:-5}
CONCURRENCY=64
PORT_A=18081
PORT_B=18082
PORT_SLOW=18083
mkdir -p "$WORK"

# shellcheck source=Benchmarks/backend.sh
source Benchmarks/backend.sh
start_fixed_backend
trap 'stop_fixed_backend; kill $(cat "$WORK/slow.pid" 2>/dev/null) 2>/dev/null || true' EXIT

# --- ours (release) ------------------------------------------------------------------------
swift build -c release --product onesim-models >/dev/null
BIN="$ROOT/.build/release/onesim-models"
cat > "$WORK/models.json" <<JSON
[{"config_name": "a", "model_type": "openai_chat", "model_name": "bench", "api_key": "k", "client_args": {"base_url": "http://127.0.0.1:$PORT_A/v1", "max_retries": 0}},
 {"config_name": "b", "model_type": "openai_chat", "model_name": "bench", "api_key": "k", "client_args": {"base_url": "http://127.0.0.1:$PORT_B/v1", "max_retries": 0}},
 {"config_name": "lb", "model_type": "load_balancer", "models": ["a", "b"], "strategy": "round_robin"}]
JSON

# --- Python peers ----------------------------------------------------------------------------
if [ ! -x "$WORK/venv/bin/python" ]; then
    python3 -m venv "$WORK/venv"
    "$WORK/venv/bin/pip" install -q openai litellm
fi
cat > "$WORK/peers.py" <<'PY'
import asyncio, json, os, resource, sys, time
which, requests, concurrency, a, b = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4], sys.argv[5]
messages = [{"role": "system", "content": "You are a helpful assistant in an agent simulation."},
            {"role": "user", "content": "Describe your plan for today in one sentence."}]
async def main():
    if which == "openai":
        from openai import AsyncOpenAI
        clients = [AsyncOpenAI(api_key="k", base_url=a, max_retries=0), AsyncOpenAI(api_key="k", base_url=b, max_retries=0)]
        async def call(i): await clients[i % 2].chat.completions.create(model="bench", messages=messages)
    else:
        from litellm import Router
        router = Router(model_list=[
            {"model_name": "bench", "litellm_params": {"model": "openai/bench", "api_key": "k", "api_base": a}},
            {"model_name": "bench", "litellm_params": {"model": "openai/bench", "api_key": "k", "api_base": b}}],
            num_retries=0)
        async def call(i): await router.acompletion(model="bench", messages=messages)
    counter = iter(range(requests)); ok = 0; errors = 0
    async def worker():
        nonlocal ok, errors
        for i in counter:
            try: await call(i); ok += 1
            except Exception: errors += 1
    r0 = resource.getrusage(resource.RUSAGE_SELF); t0 = time.perf_counter()
    await asyncio.gather(*[worker() for _ in range(concurrency)])
    wall = time.perf_counter() - t0; r1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (r1.ru_utime - r0.ru_utime + r1.ru_stime - r0.ru_stime) * 1e6 / requests
    print(json.dumps({"requests": requests, "ok": ok, "errors": errors, "wall_s": wall, "rps": requests / wall,
                      "cpu_us_per_request": cpu, "peak_rss_mb": r1.ru_maxrss / 1024}))
asyncio.run(main())
PY

# --- run --------------------------------------------------------------------------------------
write_post_lua bench "$WORK/post.lua"
echo "wrk (ceiling)..." >&2
WRK_RPS=$(wrk -t2 -c$CONCURRENCY -d10s -s "$WORK/post.lua" "http://127.0.0.1:$PORT_A/v1/chat/completions" | awk '/Requests\/sec/ {print $2}')
RAW_RUNS=()
OURS_RUNS=()
for round in $(seq "$ROUNDS"); do
    echo "raw AsyncHTTPClient and onesim-models through the balancer, round $round of $ROUNDS..." >&2
    RAW_RUNS+=("$("$BIN" bench --config "$WORK/models.json" --model lb --raw --requests "$REQUESTS" --concurrency $CONCURRENCY --json | tail -1)")
    OURS_RUNS+=("$("$BIN" bench --config "$WORK/models.json" --model lb --requests "$REQUESTS" --concurrency $CONCURRENCY --json | tail -1)")
done
# The median run of each (by requests/s; CPU per request is its own median).
median() {
    python3 -c 'import json, statistics as st, sys
runs = [json.loads(l) for l in sys.argv[1:]]
best = sorted(runs, key=lambda r: r["rps"])[len(runs) // 2]
best["rps"] = st.median(r["rps"] for r in runs)
best["cpu_us_per_request"] = st.median(r["cpu_us_per_request"] for r in runs)
best["rps_runs"] = [round(r["rps"]) for r in runs]
best["cpu_runs"] = [round(r["cpu_us_per_request"], 1) for r in runs]
print(json.dumps(best))' "$@"
}
RAW=$(median "${RAW_RUNS[@]}")
OURS=$(median "${OURS_RUNS[@]}")
PY_REQ=$(( REQUESTS / 10 ))
echo "openai-python ($PY_REQ requests)..." >&2
OPENAI=$("$WORK/venv/bin/python" "$WORK/peers.py" openai $PY_REQ $CONCURRENCY "http://127.0.0.1:$PORT_A/v1" "http://127.0.0.1:$PORT_B/v1" 2>/dev/null | tail -1)
echo "LiteLLM Router ($PY_REQ requests)..." >&2
LITELLM=$("$WORK/venv/bin/python" "$WORK/peers.py" litellm $PY_REQ $CONCURRENCY "http://127.0.0.1:$PORT_A/v1" "http://127.0.0.1:$PORT_B/v1" 2>/dev/null | tail -1)

echo "10,000 in flight against a 1 s backend..." >&2
"$BIN" serve-mock --port $PORT_SLOW --latency-ms 1000 > "$WORK/slow.log" 2>&1 &
echo $! > "$WORK/slow.pid"
sleep 2
cat > "$WORK/slow.json" <<JSON
[{"config_name": "s", "model_type": "openai_chat", "model_name": "bench", "api_key": "k", "client_args": {"base_url": "http://127.0.0.1:$PORT_SLOW/v1", "max_retries": 0}}]
JSON
SLOW=$("$BIN" bench --config "$WORK/slow.json" --model s --requests 10000 --concurrency 10000 --json | tail -1)
SLOW_RAW=$("$BIN" bench --config "$WORK/slow.json" --model s --raw --requests 10000 --concurrency 10000 --json | tail -1)

echo "streaming..." >&2
cat > "$WORK/stream.json" <<JSON
[{"config_name": "a", "model_type": "openai_chat", "model_name": "bench", "api_key": "k", "stream": true, "client_args": {"base_url": "http://127.0.0.1:$PORT_A/stream/v1", "max_retries": 0}},
 {"config_name": "b", "model_type": "openai_chat", "model_name": "bench", "api_key": "k", "stream": true, "client_args": {"base_url": "http://127.0.0.1:$PORT_B/stream/v1", "max_retries": 0}},
 {"config_name": "lb", "model_type": "load_balancer", "models": ["a", "b"]}]
JSON
STREAM=$("$BIN" bench --config "$WORK/stream.json" --model lb --requests "$REQUESTS" --concurrency $CONCURRENCY --json | tail -1)

echo "the library alone (in memory)..." >&2
LIB=$("$BIN" bench --in-memory --requests 200000 --concurrency $CONCURRENCY --json | tail -1)
LIB_SLOW=$("$BIN" bench --in-memory --latency-ms 1000 --requests 10000 --concurrency 10000 --json | tail -1)

python3 - "$WRK_RPS" "$RAW" "$OURS" "$OPENAI" "$LITELLM" "$SLOW" "$STREAM" "$SLOW_RAW" "$LIB" "$LIB_SLOW" <<'PY'
import json, sys
wrk = float(sys.argv[1] or 0)
rows = [("wrk (ceiling)", {"rps": wrk}), ("raw AsyncHTTPClient", json.loads(sys.argv[2])),
        ("onesim-models balancer", json.loads(sys.argv[3])), ("openai-python AsyncOpenAI", json.loads(sys.argv[4] or "{}")),
        ("LiteLLM Router", json.loads(sys.argv[5] or "{}"))]
ours = rows[2][1]
print(f"{'client':28} {'req/s':>10} {'CPU µs/req':>11} {'peak RSS MB':>12} {'ours ÷ it (req/s)':>18}")
for name, r in rows:
    rps = r.get("rps", 0); ratio = ours["rps"] / rps if rps else float("nan")
    print(f"{name:28} {rps:10.0f} {r.get('cpu_us_per_request', float('nan')):11.1f} {r.get('peak_rss_mb', float('nan')):12.1f} {ratio:18.2f}")
raw = rows[1][1]
print(f"\nthrough the balancer vs raw (medians of {len(ours['rps_runs'])} alternating runs): {ours['rps']/raw['rps']:.2f}x req/s, {ours['cpu_us_per_request']/raw['cpu_us_per_request']:.2f}x CPU per request")
print(f"  raw runs  req/s {raw['rps_runs']}  CPU µs {raw['cpu_runs']}")
print(f"  ours runs req/s {ours['rps_runs']}  CPU µs {ours['cpu_runs']}")
slow = json.loads(sys.argv[6]); stream = json.loads(sys.argv[7]); slow_raw = json.loads(sys.argv[8])
lib = json.loads(sys.argv[9]); lib_slow = json.loads(sys.argv[10])
print(f"10,000 in flight, 1 s backend: ok {slow['ok']}/{slow['requests']}, wall {slow['wall_s']:.1f} s, p99 {slow['p99_ms']:.0f} ms, peak RSS {slow['peak_rss_mb']:.0f} MB (raw client: {slow_raw['peak_rss_mb']:.0f} MB)")
print(f"streaming through the balancer: {stream['rps']:.0f} req/s, {stream['cpu_us_per_request']:.1f} CPU µs/req, ok {stream['ok']}/{stream['requests']}")
print(f"library alone, in memory: {lib['cpu_us_per_request']:.1f} CPU µs per call (format, encode, pick, decode, usage), {lib['rps']:.0f} calls/s; "
      f"10,000 in flight: {lib_slow['peak_rss_mb']:.0f} MB peak RSS")
PY
