/// What a model server says about its own load in its Prometheus `/metrics` text: requests it is
/// running, requests it has queued, and how full its KV cache is.
///
/// A step towards fleet-aware routing (issue 14): a server that reports waiting requests is
/// running as many as it has slots, which is how a member's slot count can be learned without a
/// configured `max_concurrency` (see `SlotEstimate`).
package struct ServerLoad: Sendable, Hashable {
    /// Requests being generated now (`vllm:num_requests_running`, `sglang:num_running_reqs`),
    /// summed over every model the server serves; `nil` when the text has none.
    package var running: Int?
    /// Requests queued in the server (`vllm:num_requests_waiting`, `sglang:num_queue_reqs`),
    /// summed the same way; `nil` when the text has none.
    package var waiting: Int?
    /// The used share of the KV cache, 0...1 (`vllm:kv_cache_usage_perc`, vLLM 0.x's
    /// `vllm:gpu_cache_usage_perc`, `sglang:token_usage`), the largest over models; `nil` when none.
    package var kvCacheUsage: Double?
    /// Prompt tokens looked up in the prefix cache since the server started
    /// (`vllm:prefix_cache_queries_total`), summed over models; `nil` when the text has none.
    package var prefixCacheQueries: Double?
    /// Prompt tokens found there (`vllm:prefix_cache_hits_total`); `nil` when the text has none.
    package var prefixCacheHits: Double?

    package init(
        running: Int? = nil, waiting: Int? = nil, kvCacheUsage: Double? = nil, prefixCacheQueries: Double? = nil,
        prefixCacheHits: Double? = nil
    ) {
        self.running = running
        self.waiting = waiting
        self.kvCacheUsage = kvCacheUsage
        self.prefixCacheQueries = prefixCacheQueries
        self.prefixCacheHits = prefixCacheHits
    }

    /// Whether the text held none of the three load signals (not a vLLM or SGLang server; the
    /// prefix-cache counters alone say nothing about load).
    package var isEmpty: Bool { running == nil && waiting == nil && kvCacheUsage == nil }
}

/// Reads `ServerLoad` from Prometheus text exposition format (version 0.0.4), as vLLM and SGLang
/// serve it on `/metrics`.
///
/// The text comes from outside and is read defensively: at most `maximumBytes` are looked at,
/// comment and unknown lines are skipped, label values may hold any character (quotes escaped
/// as `\"`), and a sample whose value is not a finite number in range (counts 0...1,000,000,
/// shares 0...1) is ignored rather than trusted. Nothing traps; the work is linear in the text.
package enum ServerMetricsParser {
    /// The most bytes of a `/metrics` body read (a vLLM server's is about 30-100 KB).
    package static let maximumBytes = 4 << 20
    /// The longest line read; longer lines are skipped whole.
    package static let maximumLineBytes = 64 << 10
    /// The largest request count believed.
    package static let maximumCount = 1_000_000

    static let runningNames: Set<String> = ["vllm:num_requests_running", "sglang:num_running_reqs"]
    static let waitingNames: Set<String> = ["vllm:num_requests_waiting", "sglang:num_queue_reqs"]
    static let cacheNames: Set<String> = ["vllm:kv_cache_usage_perc", "vllm:gpu_cache_usage_perc", "sglang:token_usage"]
    /// The largest counter value believed (tokens since a server started).
    package static let maximumCounter = 1e18

    /// The load in `text`.
    package static func parse(_ text: some Collection<UInt8>) -> ServerLoad {
        var load = ServerLoad()
        var line: [UInt8] = []
        line.reserveCapacity(256)
        var overlong = false
        var seen = 0
        for byte in text {
            seen += 1
            if seen > maximumBytes { return load }  // the last line may be cut: not read
            if byte == UInt8(ascii: "\n") {
                if !overlong { read(line, into: &load) }
                line.removeAll(keepingCapacity: true)
                overlong = false
            } else if line.count < maximumLineBytes {
                line.append(byte)
            } else {
                overlong = true  // never read a cut line: its value could be cut too
            }
        }
        if !overlong { read(line, into: &load) }
        return load
    }

    /// The load in `text`.
    package static func parse(_ text: String) -> ServerLoad { parse(text.utf8) }

    /// Adds one line's sample to `load`, if it is one of the three signals with a believable value.
    static func read(_ line: [UInt8], into load: inout ServerLoad) {
        guard let (name, value) = sample(line) else { return }
        if runningNames.contains(name) {
            guard let count = count(value) else { return }
            load.running = (load.running ?? 0).saturatingAdd(count)
        } else if waitingNames.contains(name) {
            guard let count = count(value) else { return }
            load.waiting = (load.waiting ?? 0).saturatingAdd(count)
        } else if cacheNames.contains(name) {
            guard value.isFinite, (0...1).contains(value) else { return }
            load.kvCacheUsage = max(load.kvCacheUsage ?? 0, value)
        } else if name == "vllm:prefix_cache_queries_total" || name == "vllm:prefix_cache_hits_total" {
            guard value.isFinite, (0...maximumCounter).contains(value) else { return }
            if name == "vllm:prefix_cache_queries_total" {
                load.prefixCacheQueries = min((load.prefixCacheQueries ?? 0) + value, maximumCounter)
            } else {
                load.prefixCacheHits = min((load.prefixCacheHits ?? 0) + value, maximumCounter)
            }
        }
    }

    /// A gauge value as a request count: a finite whole number in 0...`maximumCount`.
    static func count(_ value: Double) -> Int? {
        guard value.isFinite, value >= 0, value <= Double(maximumCount), value.rounded() == value else { return nil }
        return Int(value)
    }

    /// The metric name and value of a sample line (`name{labels} value [timestamp]`), or `nil`
    /// for comments, blank lines and anything malformed.
    static func sample(_ line: [UInt8]) -> (String, Double)? {
        var i = 0
        let n = line.count
        while i < n, line[i] == UInt8(ascii: " ") || line[i] == UInt8(ascii: "\t") { i += 1 }
        guard i < n, line[i] != UInt8(ascii: "#") else { return nil }
        let nameStart = i
        while i < n, isNameByte(line[i]) { i += 1 }
        guard i > nameStart else { return nil }
        let name = String(decoding: line[nameStart..<i], as: UTF8.self)
        if i < n, line[i] == UInt8(ascii: "{") {
            // Labels: skip to the closing brace outside quoted values.
            i += 1
            var inQuotes = false
            var closed = false
            while i < n {
                let byte = line[i]
                if inQuotes {
                    if byte == UInt8(ascii: "\\") {
                        i += 2
                        continue
                    }
                    if byte == UInt8(ascii: "\"") { inQuotes = false }
                } else if byte == UInt8(ascii: "\"") {
                    inQuotes = true
                } else if byte == UInt8(ascii: "}") {
                    closed = true
                    i += 1
                    break
                }
                i += 1
            }
            guard closed else { return nil }
        }
        guard i < n, line[i] == UInt8(ascii: " ") || line[i] == UInt8(ascii: "\t") else { return nil }
        while i < n, line[i] == UInt8(ascii: " ") || line[i] == UInt8(ascii: "\t") { i += 1 }
        let valueStart = i
        while i < n, line[i] != UInt8(ascii: " "), line[i] != UInt8(ascii: "\t"), line[i] != UInt8(ascii: "\r") { i += 1 }
        guard i > valueStart, i - valueStart <= 64 else { return nil }
        guard let value = Double(String(decoding: line[valueStart..<i], as: UTF8.self)) else { return nil }
        return (name, value)
    }

    /// Letters, digits, `_` and `:` (Prometheus metric names).
    static func isNameByte(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":")
    }
}

/// A member's slot count learned from its server's load reports.
///
/// When a server reports requests waiting in its own queue, the requests it is running are all it
/// can run at once: that is its slot count at that moment (vLLM admits by `max_num_seqs` and by
/// free KV-cache blocks, so the count can change with prompt lengths; the latest such report
/// wins). Reports without waiting requests say nothing about the limit and change nothing.
package struct SlotEstimate: Sendable, Hashable {
    /// The learned slot count, `nil` until a report showed the server full.
    package private(set) var slots: Int?

    package init() {}

    /// Takes one report into account.
    package mutating func observe(_ load: ServerLoad) {
        guard let running = load.running, let waiting = load.waiting, waiting > 0, running > 0 else { return }
        slots = running
    }
}
