# The fixed-reply backend the benchmarks share: nginx serving fixed OpenAI chat JSON (and a fixed
# SSE body under /stream) on two loopback ports, plus `/health` for routers that probe their
# workers. Source it, set WORK, PORT_A and PORT_B, then call `start_fixed_backend`; it installs
# nginx and wrk with apt-get the first time. `stop_fixed_backend` stops nginx.

need() { command -v "$1" >/dev/null 2>&1; }

CHAT='{"id":"chatcmpl-bench","object":"chat.completion","created":1700000000,"model":"bench","choices":[{"index":0,"message":{"role":"assistant","content":"I will tend the orchard and trade apples at the market.","refusal":null},"logprobs":null,"finish_reason":"stop"}],"usage":{"prompt_tokens":27,"completion_tokens":12,"total_tokens":39}}'

# The request body every load generator sends (wrk's Lua script, the peers).
BENCH_BODY='{"model":"MODEL","messages":[{"role":"system","content":"You are a helpful assistant in an agent simulation."},{"role":"user","content":"Describe your plan for today in one sentence."}]}'

start_fixed_backend() {
    if ! need nginx || ! need wrk; then
        apt-get update -qq && apt-get install -y -qq nginx-light wrk >/dev/null
    fi
    local sse
    sse=$(printf 'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"bench","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}\n\n'
    for w in I will tend the orchard and trade apples at the market.; do
      printf 'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"bench","choices":[{"index":0,"delta":{"content":"%s "},"finish_reason":null}]}\n\n' "$w"
    done
    printf 'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"bench","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n'
    printf 'data: {"id":"c","object":"chat.completion.chunk","created":1,"model":"bench","choices":[],"usage":{"prompt_tokens":27,"completion_tokens":12,"total_tokens":39}}\n\n'
    printf 'data: [DONE]\n\n')
    mkdir -p "$WORK/nginx/html"
    printf '%s' "$sse" > "$WORK/nginx/html/stream.sse"
    cat > "$WORK/nginx/nginx.conf" <<CONF
worker_processes 1;
daemon on;
pid $WORK/nginx/nginx.pid;
error_log $WORK/nginx/error.log warn;
events { worker_connections 16384; }
http {
  access_log off;
  keepalive_requests 1000000;
  client_body_buffer_size 64k;
  server {
    listen 127.0.0.1:$PORT_A; listen 127.0.0.1:$PORT_B;
    root $WORK/nginx/html;
    location = /v1/chat/completions { default_type application/json; return 200 '$CHAT'; }
    location = /health { default_type application/json; return 200 '{}'; }
    location = /v1/models { default_type application/json; return 200 '{"object":"list","data":[{"id":"bench","object":"model"}]}'; }
    # A streamed reply: nginx refuses POST to a static file (405), so turn that into the file.
    location = /stream/v1/chat/completions { error_page 405 =200 /stream.sse; return 405; }
    location = /stream.sse { default_type text/event-stream; }
  }
}
CONF
    nginx -s stop -c "$WORK/nginx/nginx.conf" 2>/dev/null || true
    nginx -c "$WORK/nginx/nginx.conf"
    curl -sf -X POST -d '{}' "http://127.0.0.1:$PORT_A/v1/chat/completions" >/dev/null
}

stop_fixed_backend() {
    nginx -s stop -c "$WORK/nginx/nginx.conf" 2>/dev/null || true
}

# A wrk Lua script that POSTs the benchmark body for `model` ($1) to $2.
write_post_lua() {
    local body=${BENCH_BODY/MODEL/$1}
    cat > "$2" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '$body'
LUA
}
