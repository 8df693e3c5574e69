#!/usr/bin/env bash
# Interop with real clients: starts two simulator backends (`onesim-models serve-mock`) and the
# gateway (`onesim-models serve`) in front of them on free loopback ports, then runs
# scripts/gateway-interop.py with the official `openai` package and with LiteLLM, both from
# PyPI in a virtual environment. Stops everything it started. Exits non-zero on any failure.
#
# Usage: scripts/gateway-interop.sh   (after `swift build`; VENV=dir reuses a venv)
set -euo pipefail
cd "$(dirname "$0")/.."

venv=${VENV:-.build/interop-venv}
# shellcheck source=scripts/local-servers.sh
source scripts/local-servers.sh

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
# Pinned to the versions this script was last checked with (a new release must not break CI unseen).
timeout 600 "$venv/bin/pip" install --quiet --disable-pip-version-check "openai==3.57.0" "litellm==1.110.2"

bin=$(swift build --show-bin-path)/onesim-models
[ -x "$bin" ] || { echo "build first: swift build"; exit 1; }

sim1=$(free_port)
sim2=$(free_port)
"$bin" serve-mock --port "$sim1" > "$work/sim1.log" 2>&1 & pids+=($!)
"$bin" serve-mock --port "$sim2" > "$work/sim2.log" 2>&1 & pids+=($!)
wait_for "http://127.0.0.1:$sim1/v1/models"
wait_for "http://127.0.0.1:$sim2/v1/models"

cat > "$work/models.json" <<JSON
[
  {"config_name": "a", "model_type": "openai_chat", "model_name": "sim-chat", "api_key": "k",
   "client_args": {"base_url": "http://127.0.0.1:$sim1/v1", "max_retries": 0}},
  {"config_name": "b", "model_type": "openai_chat", "model_name": "sim-chat", "api_key": "k",
   "client_args": {"base_url": "http://127.0.0.1:$sim2/v1", "max_retries": 0}},
  {"config_name": "lb", "model_type": "load_balancer", "models": ["a", "b"], "strategy": "least_busy"},
  {"config_name": "embed", "model_type": "openai_embedding", "model_name": "sim-embedding", "api_key": "k",
   "client_args": {"base_url": "http://127.0.0.1:$sim1/v1"}},
  {"gateway": {"master_key": "\${INTEROP_MASTER_KEY}", "keys": [
    {"key": "sk-interop-client", "name": "interop", "models": ["lb", "embed"]},
    {"key": "sk-interop-embed-only", "name": "embed-only", "models": ["embed"]}]}}
]
JSON

port=$(free_port)
INTEROP_MASTER_KEY=sk-interop-master "$bin" serve --config "$work/models.json" --port "$port" > "$work/gateway.log" 2>&1 & pids+=($!)
wait_for "http://127.0.0.1:$port/health/live" || { cat "$work/gateway.log"; exit 1; }

status=0
# LiteLLM would fetch its price map from the internet first; the copy it ships is enough here.
export LITELLM_LOCAL_MODEL_COST_MAP=True
timeout 600 "$venv/bin/python" scripts/gateway-interop.py "http://127.0.0.1:$port/v1" sk-interop-client || status=$?

# SIGTERM drains and exits 0.
gateway_pid=${pids[2]}
kill -TERM "$gateway_pid"
if wait "$gateway_pid"; then echo "ok   gateway exited 0 on SIGTERM"; else echo "FAIL gateway exit status $? on SIGTERM"; status=1; fi
echo "gateway access log lines: $(grep -c 'onesim.gateway.access' "$work/gateway.log" || true)"
if grep -q 'sk-interop' "$work/gateway.log"; then echo "FAIL a key appears in the gateway's log"; status=1; fi
exit $status
