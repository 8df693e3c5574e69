#!/usr/bin/env bash
# Compiles the documentation samples (every Tests/**/*Snippets.swift file, and the parser
# article's samples in ParserReadmeTests.swift with its helper) as a user's code would see the
# library: importing only `OneSimModels`, without the package's `package` access. The
# test suite compiles the same files inside the package, where `package` declarations are
# visible; this check fails if a README or article sample needs something users cannot reach.
#
# Needs a debug build (`swift build`) first. Usage: scripts/check-public-api.sh
set -euo pipefail
cd "$(dirname "$0")/.."
bin=$(swift build --show-bin-path)
args=()
while IFS= read -r dir; do args+=(-Xcc "-I$dir"); done < <(find .build/checkouts -path '*/Sources/*/include' -type d)
for map in "$bin"/*.build/module.modulemap; do [ -e "$map" ] && args+=(-Xcc "-fmodule-map-file=$map"); done
status=0
count=0
while IFS= read -r file; do
    count=$((count + 1))
    if ! swiftc -typecheck -parse-as-library -swift-version 6 -I "$bin/Modules" "${args[@]}" "$file" 2> /tmp/public-api-check.log; then
        grep -E 'error:' /tmp/public-api-check.log | head -n 20
        echo "public API check: $file does not compile with the public API alone"
        status=1
    fi
done < <(find Tests -name '*Snippets.swift' | sort)
# The parser samples live in a test suite that imports the modules @testable: check it with
# those imports made plain, together with the one helper it uses.
parsers=$(mktemp -d)
for file in Tests/OneSimModelsTests/Parsers/ParserReadmeTests.swift Tests/OneSimModelsTests/Parsers/ParserTestSupport.swift; do
    sed -E 's/^@testable import OneSimModels(Core|Parsers|Providers|Routing|Usage)?$/import OneSimModels/' "$file" \
        | awk '!(/^import OneSimModels$/ && seen++)' > "$parsers/$(basename "$file")"
done
count=$((count + 1))
if ! swiftc -typecheck -parse-as-library -swift-version 6 -I "$bin/Modules" "${args[@]}" "$parsers"/*.swift 2> /tmp/public-api-check.log; then
    grep -E 'error:' /tmp/public-api-check.log | head -n 20
    echo "public API check: the parser samples (ParserReadmeTests.swift) do not compile with the public API alone"
    status=1
fi
rm -rf "$parsers"
if [ "$count" -lt 5 ]; then
    echo "public API check: expected at least 5 snippet files, found $count"
    exit 1
fi
[ "$status" -eq 0 ] && echo "public API check: $count snippet files compile with the public API alone"
exit "$status"
