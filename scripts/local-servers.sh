# Helpers for the scripts that start local servers (sourced, not run): a scratch directory
# `$work` and a list `pids` of started processes, both cleaned up on exit; a free loopback
# port; bounded waits for a URL to answer or a log to show a line.

work=$(mktemp -d)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'; }

# Waits (bounded: 30 s) until a URL answers.
wait_for() {
    for _ in $(seq 1 300); do
        if curl -fsS -o /dev/null "$1" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "gave up waiting for $1"
    return 1
}

# Waits (bounded: 30 s) until a file has a line matching a pattern.
wait_for_line() {
    for _ in $(seq 1 300); do
        if grep -q "$2" "$1" 2>/dev/null; then return 0; fi
        sleep 0.1
    done
    echo "gave up waiting for '$2' in $1"
    cat "$1"
    return 1
}
