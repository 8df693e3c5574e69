#!/usr/bin/env bash
# Runs the libFuzzer harnesses (Fuzz/Sources/onesim-fuzz) against the library's parsers of
# outside input: JSON, JSON repair and the lenient parsers, SSE and NDJSON streams with every
# provider's event decoder, Retry-After and URLs, the OpenAI response reader, config files.
#
#   Fuzz/run.sh [SECONDS_PER_TARGET] [TARGET ...]
#
# Default: 20 seconds for each of the eight targets. Seeds come from Fuzz/corpus/TARGET (never
# written to); new inputs and any crash go to a temporary folder, whose path is printed. A
# crash, trap or sanitizer report fails the script. Run longer with e.g. `Fuzz/run.sh 3600 json`.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-20}
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(json json-repair parsers sse ndjson retry-after openai-response config)
fi

export ONESIM_FUZZ=1
swift build --scratch-path .build-fuzz --product onesim-fuzz -Xswiftc -sanitize=fuzzer,address
binary=.build-fuzz/debug/onesim-fuzz

for target in "${targets[@]}"; do
    work=$(mktemp -d "/tmp/onesim-fuzz-$target.XXXXXX")
    echo "== fuzz $target for ${seconds}s (new inputs and crashes in $work)"
    set +e
    ONESIM_FUZZ_TARGET=$target "$binary" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 \
        -artifact_prefix="$work/" -print_final_stats=1 "$work" "Fuzz/corpus/$target" 2>&1 | tail -n 12
    status=${PIPESTATUS[0]}
    set -e
    if [ "$status" -ne 0 ]; then
        echo "fuzz $target FAILED (exit $status); reproduce with: ONESIM_FUZZ_TARGET=$target $binary $work/crash-*"
        exit 1
    fi
done
echo "fuzz: all ${#targets[@]} targets ran clean"
