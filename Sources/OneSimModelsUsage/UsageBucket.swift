import OneSimModelsCore

/// Token, request and error counts of one model, config, provider or kind (or of everything).
///
/// Tokens are counted for every recorded attempt that reports usage (a failed attempt normally
/// reports none); `requestCount` counts successful attempts and `errorCount` failed ones, so the
/// original's `request_count` keeps its meaning. Latency sums and maxima cover successful
/// attempts only.
public struct UsageBucket: Sendable, Hashable {
    /// Prompt (input) tokens.
    public var promptTokens: Int = 0
    /// Completion (output) tokens.
    public var completionTokens: Int = 0
    /// Total tokens (the provider's total, normally prompt plus completion).
    public var totalTokens: Int = 0
    /// Successful requests.
    public var requestCount: Int = 0
    /// Failed requests.
    public var errorCount: Int = 0
    /// Failed requests by `ModelError.Kind` raw value (`"rate_limited"`, `"server_error"`, ...).
    public var errorsByKind: [String: Int] = [:]
    /// Summed latency of successful requests, in seconds.
    public var latencySeconds: Double = 0
    /// The longest latency of a successful request, in seconds.
    public var maxLatencySeconds: Double = 0

    /// A bucket with every count and latency at zero.
    public init() {}

    /// A bucket with the given counts (errors by kind and latency empty unless given).
    public init(
        promptTokens: Int = 0, completionTokens: Int = 0, totalTokens: Int? = nil, requestCount: Int = 0,
        errorCount: Int = 0, errorsByKind: [String: Int] = [:], latencySeconds: Double = 0, maxLatencySeconds: Double = 0
    ) {
        self.promptTokens = promptTokens
        self.completionTokens = completionTokens
        self.totalTokens = totalTokens ?? promptTokens.saturatingAdd(completionTokens)
        self.requestCount = requestCount
        self.errorCount = errorCount
        self.errorsByKind = errorsByKind
        self.latencySeconds = latencySeconds
        self.maxLatencySeconds = maxLatencySeconds
    }

    /// Mean latency of successful requests in seconds (0 when there were none).
    public var meanLatencySeconds: Double { requestCount > 0 ? latencySeconds / Double(requestCount) : 0 }

    /// Recorded attempts: successes plus failures.
    public var attemptCount: Int { requestCount + errorCount }

    /// Whether nothing was recorded into this bucket.
    public var isEmpty: Bool {
        requestCount == 0 && errorCount == 0 && promptTokens == 0 && completionTokens == 0 && totalTokens == 0
    }

    /// Adds one call record.
    mutating func add(_ record: CallRecord) {
        promptTokens = promptTokens.saturatingAdd(record.usage.promptTokens)
        completionTokens = completionTokens.saturatingAdd(record.usage.completionTokens)
        totalTokens = totalTokens.saturatingAdd(record.usage.totalTokens)
        if let error = record.error {
            errorCount += 1
            errorsByKind[error.rawValue, default: 0] += 1
        } else {
            requestCount += 1
            let seconds = record.latency.seconds
            latencySeconds += seconds
            if seconds > maxLatencySeconds { maxLatencySeconds = seconds }
        }
    }

    /// Adds another bucket's counts to this one (latency maxima take the larger).
    public mutating func add(_ other: UsageBucket) {
        promptTokens = promptTokens.saturatingAdd(other.promptTokens)
        completionTokens = completionTokens.saturatingAdd(other.completionTokens)
        totalTokens = totalTokens.saturatingAdd(other.totalTokens)
        requestCount = requestCount.saturatingAdd(other.requestCount)
        errorCount = errorCount.saturatingAdd(other.errorCount)
        for (kind, count) in other.errorsByKind { errorsByKind[kind] = (errorsByKind[kind] ?? 0).saturatingAdd(count) }
        latencySeconds += other.latencySeconds
        maxLatencySeconds = max(maxLatencySeconds, other.maxLatencySeconds)
    }

    /// The two buckets' counts added.
    public static func + (lhs: UsageBucket, rhs: UsageBucket) -> UsageBucket {
        var sum = lhs
        sum.add(rhs)
        return sum
    }

    /// The original's per-model keys (`prompt_tokens`, `completion_tokens`, `total_tokens`,
    /// `request_count`) plus `error_count`, `errors_by_kind`, `latency_seconds`,
    /// `mean_latency_seconds` and `max_latency_seconds`.
    package var json: JSONValue {
        [
            "prompt_tokens": .int(promptTokens), "completion_tokens": .int(completionTokens),
            "total_tokens": .int(totalTokens), "request_count": .int(requestCount), "error_count": .int(errorCount),
            "errors_by_kind": .object(errorsByKind.mapValues { .int($0) }),
            "latency_seconds": .double(latencySeconds), "mean_latency_seconds": .double(meanLatencySeconds),
            "max_latency_seconds": .double(maxLatencySeconds),
        ]
    }

    /// Reads the keys `json` writes; missing keys count as zero, so the original's four-key
    /// dictionaries load too. Fails on a non-object or a key of the wrong type.
    package init(json: JSONValue) throws(ModelError) {
        guard case .object(let o) = json else {
            throw ModelError(.decoding, "token usage bucket must be an object, got \(json.typeName)")
        }
        func int(_ key: String) throws(ModelError) -> Int {
            guard let v = o[key], !v.isNull else { return 0 }
            guard let i = v.intValue else { throw ModelError(.decoding, "token usage key '\(key)' must be an integer, got \(v)") }
            return i
        }
        func double(_ key: String) throws(ModelError) -> Double {
            guard let v = o[key], !v.isNull else { return 0 }
            guard let d = v.doubleValue else { throw ModelError(.decoding, "token usage key '\(key)' must be a number, got \(v)") }
            return d
        }
        promptTokens = try int("prompt_tokens")
        completionTokens = try int("completion_tokens")
        if let total = o["total_tokens"], !total.isNull {
            totalTokens = try int("total_tokens")
        } else {
            totalTokens = promptTokens.saturatingAdd(completionTokens)
        }
        requestCount = try int("request_count")
        errorCount = try int("error_count")
        latencySeconds = try double("latency_seconds")
        maxLatencySeconds = try double("max_latency_seconds")
        if let kinds = o["errors_by_kind"], !kinds.isNull {
            guard case .object(let k) = kinds else {
                throw ModelError(.decoding, "token usage key 'errors_by_kind' must be an object, got \(kinds.typeName)")
            }
            for (kind, count) in k {
                guard let n = count.intValue else {
                    throw ModelError(.decoding, "token usage errors_by_kind['\(kind)'] must be an integer, got \(count)")
                }
                errorsByKind[kind] = n
            }
        }
    }
}
