#!/usr/bin/env bash
# Runs the libFuzzer harnesses (Fuzz/Sources/onesim-fuzz) against the library's parsers of
# outside input: JSON, JSON repair and the lenient parsers, SSE and NDJSON streams with every
# provider's event decoder, Retry-After and URLs, the OpenAI response reader, config files.
#
#   Fuzz/run.sh [SECONDS_PER_TARGET] [TARGET ...]
#
# Default: 20 seconds for each of the ten targets. Seeds come from Fuzz/corpus/TARGET (never
# written to); new inputs and any crash go to a temporary folder, whose path is printed. A
# crash, trap or sanitizer report fails the script. Run longer with e.g. `Fuzz/run.sh 3600 json`.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(json json-repair parsers sse ndjson retry-after openai-response server-metrics config gateway-request)
fi

export ONESIM_FUZZ=1
if ! swift build --scratch-path .build-fuzz --product onesim-fuzz -Xswiftc -sanitize=fuzzer,address \
    > /tmp/onesim-fuzz-build.log 2>&1; then
    grep -v 'Cannot export local symbol' /tmp/onesim-fuzz-build.log | tail -n 40
    echo "fuzz: the harness did not build"
    exit 1
fi
binary=.build-fuzz/debug/onesim-fuzz

for target in "${targets[@]}"; do
    work=$(mktemp -d "/tmp/onesim-fuzz-$target.XXXXXX")
    echo "== fuzz $target for ${seconds}s (new inputs and crashes in $work)"
    set +e
    ONESIM_FUZZ_TARGET=$target "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
        -artifact_prefix="$work/" -print_final_stats=1 "$work" "Fuzz/corpus/$target" > "$work/log" 2>&1
    status=$?
    set -e
    if [ "$status" -ne 0 ]; then
        tail -n 60 "$work/log"
        echo "fuzz $target FAILED (exit $status); reproduce with: ONESIM_FUZZ_TARGET=$target $binary $work/crash-*"
        exit 1
    fi
    # A harness that never ran (no libFuzzer main) must not pass as clean.
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log")
    echo "   $target: ${runs:-0} inputs run, $(ls "$work" | grep -vc '^log$') in its corpus now"
    if [ "${runs:-0}" -lt 100 ]; then
        tail -n 20 "$work/log"
        echo "fuzz $target ran ${runs:-0} inputs: the harness is not running"
        exit 1
    fi
done
echo "fuzz: all ${#targets[@]} targets ran clean"
