/// Token counts and request counts of one model, config or provider.
public struct UsageBucket: Sendable, Hashable, Codable {
    /// Prompt tokens.
    public var promptTokens: Int = 0
    /// Completion tokens.
    public var completionTokens: Int = 0
    /// Total tokens.
    public var totalTokens: Int = 0
    /// Successful requests.
    public var requestCount: Int = 0
    /// Failed requests.
    public var errorCount: Int = 0
    /// Summed latency of successful requests, in seconds.
    public var latencySeconds: Double = 0

    /// An empty bucket.
    public init() {}

    mutating func add(_ record: CallRecord) {
        if record.error != nil {
            errorCount += 1
            return
        }
        promptTokens += record.usage.promptTokens
        completionTokens += record.usage.completionTokens
        totalTokens += record.usage.totalTokens
        requestCount += 1
        latencySeconds += record.latency.seconds
    }

    /// The original's per-model dictionary keys.
    public var json: JSONValue {
        [
            "prompt_tokens": .int(promptTokens), "completion_tokens": .int(completionTokens),
            "total_tokens": .int(totalTokens), "request_count": .int(requestCount), "error_count": .int(errorCount),
        ]
    }
}

/// A snapshot of the token tracker: a value, so changing it never changes the tracker.
public struct TokenUsageStats: Sendable, Hashable {
    /// Prompt tokens over all successful calls.
    public var totalPromptTokens: Int = 0
    /// Completion tokens over all successful calls.
    public var totalCompletionTokens: Int = 0
    /// Total tokens over all successful calls.
    public var totalTokens: Int = 0
    /// Successful calls.
    public var requestCount: Int = 0
    /// Failed calls.
    public var errorCount: Int = 0
    /// Failed calls by error kind.
    public var errorsByKind: [String: Int] = [:]
    /// Per provider model name (the original's `model_usage`).
    public var modelUsage: [String: UsageBucket] = [:]
    /// Per config name (two deployments of one model stay apart here).
    public var configUsage: [String: UsageBucket] = [:]
    /// Per provider.
    public var providerUsage: [String: UsageBucket] = [:]
    /// Seconds since the tracker started or was reset.
    public var elapsedTimeSeconds: Double = 0

    /// An empty snapshot.
    public init() {}

    /// Total tokens per second of elapsed time.
    public var tokensPerSecond: Double { elapsedTimeSeconds > 0 ? Double(totalTokens) / elapsedTimeSeconds : 0 }

    /// The original's dictionary: `total_prompt_tokens`, `total_completion_tokens`, `total_tokens`,
    /// `request_count`, `model_usage`, `elapsed_time_seconds`, `tokens_per_second`, plus
    /// `error_count`, `errors_by_kind`, `config_usage` and `provider_usage`.
    public var dictionary: JSONValue {
        [
            "total_prompt_tokens": .int(totalPromptTokens),
            "total_completion_tokens": .int(totalCompletionTokens),
            "total_tokens": .int(totalTokens),
            "request_count": .int(requestCount),
            "model_usage": .object(modelUsage.mapValues(\.json)),
            "elapsed_time_seconds": .double(elapsedTimeSeconds),
            "tokens_per_second": .double(tokensPerSecond),
            "error_count": .int(errorCount),
            "errors_by_kind": .object(errorsByKind.mapValues { .int($0) }),
            "config_usage": .object(configUsage.mapValues(\.json)),
            "provider_usage": .object(providerUsage.mapValues(\.json)),
        ]
    }

    /// Subscript by the original's key names (`stats["total_tokens"]`).
    public subscript(key: String) -> JSONValue? { dictionary[key] }
}
