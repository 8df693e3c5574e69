import OneSimModelsCore

/// A snapshot of token usage: a value, so changing it never changes the tracker.
///
/// The top-level fields carry the original's keys (`dictionary` spells them the original's
/// way); the breakdowns per config, provider and kind, the rows and the sources are new.
/// Everything is computed from `sources` (see `UsageSource` for how merging uses them), so
/// merging snapshots of several processes (`merging(_:)`) gives the same shape.
public struct TokenUsageStats: Sendable, Hashable {
    /// Prompt tokens over all recorded calls.
    public var totalPromptTokens: Int = 0
    /// Completion tokens over all recorded calls.
    public var totalCompletionTokens: Int = 0
    /// Total tokens over all recorded calls.
    public var totalTokens: Int = 0
    /// Successful calls.
    public var requestCount: Int = 0
    /// Failed calls.
    public var errorCount: Int = 0
    /// Failed calls by `ModelError.Kind` raw value.
    public var errorsByKind: [String: Int] = [:]
    /// Mean latency of successful calls, in seconds.
    public var meanLatencySeconds: Double = 0
    /// The longest latency of a successful call, in seconds.
    public var maxLatencySeconds: Double = 0
    /// Per provider model name (the original's `model_usage`; two deployments of one model add up here).
    public var modelUsage: [String: UsageBucket] = [:]
    /// Per config name (two deployments of one model stay apart here).
    public var configUsage: [String: UsageBucket] = [:]
    /// Per provider (`openai`, `vllm`, ...).
    public var providerUsage: [String: UsageBucket] = [:]
    /// Per kind of call (`chat`, `embedding`).
    public var kindUsage: [String: UsageBucket] = [:]
    /// Per model, config, provider and kind, sorted by key (one row per key over all sources).
    package var rows: [UsageRow] = []
    /// The contributions this snapshot is made of, one per tracker and reset period, sorted by id.
    package var sources: [UsageSource] = []
    /// Seconds covered: for one source, since its tracker started or was reset; for several,
    /// from the earliest start to the latest capture by the wall clock (at least the longest
    /// single source).
    public var elapsedTimeSeconds: Double = 0

    /// A snapshot of no usage: no sources, every count zero.
    public init() {}

    /// The snapshot made of `sources`, keeping one copy per source id (the one that supersedes
    /// the others) and adding up the rest.
    package init(sources: [UsageSource]) {
        var latest: [String: UsageSource] = [:]
        for source in sources {
            if let existing = latest[source.id], !source.supersedes(existing) { continue }
            latest[source.id] = source
        }
        let kept = latest.values.sorted { $0.id < $1.id }
        self.sources = kept

        var byKey: [UsageKey: UsageBucket] = [:]
        var totals = UsageBucket()
        for source in kept {
            for row in source.rows {
                byKey[row.key, default: UsageBucket()].add(row.usage)
                totals.add(row.usage)
            }
        }
        rows = byKey.map { UsageRow(key: $0.key, usage: $0.value) }.sorted { $0.key < $1.key }
        for row in rows {
            modelUsage[row.key.modelName, default: UsageBucket()].add(row.usage)
            configUsage[row.key.configName, default: UsageBucket()].add(row.usage)
            providerUsage[row.key.provider, default: UsageBucket()].add(row.usage)
            kindUsage[row.key.kind.rawValue, default: UsageBucket()].add(row.usage)
        }
        totalPromptTokens = totals.promptTokens
        totalCompletionTokens = totals.completionTokens
        totalTokens = totals.totalTokens
        requestCount = totals.requestCount
        errorCount = totals.errorCount
        errorsByKind = totals.errorsByKind
        meanLatencySeconds = totals.meanLatencySeconds
        maxLatencySeconds = totals.maxLatencySeconds

        if kept.count == 1 {
            elapsedTimeSeconds = kept[0].elapsedTimeSeconds
        } else if !kept.isEmpty {
            let longest = kept.map(\.elapsedTimeSeconds).max() ?? 0
            let span = (kept.map(\.capturedAt).max() ?? 0) - (kept.map(\.startedAt).min() ?? 0)
            elapsedTimeSeconds = max(longest, span)
        }
    }

    /// Total tokens per second of elapsed time (0 before any time has passed).
    public var tokensPerSecond: Double { elapsedTimeSeconds > 0 ? Double(totalTokens) / elapsedTimeSeconds : 0 }

    /// Everything summed into one bucket.
    public var totals: UsageBucket {
        rows.reduce(into: UsageBucket()) { $0.add($1.usage) }
    }

    /// The original's dictionary: `total_prompt_tokens`, `total_completion_tokens`,
    /// `total_tokens`, `request_count`, `model_usage`, `elapsed_time_seconds`,
    /// `tokens_per_second`; plus `error_count`, `errors_by_kind`, `mean_latency_seconds`,
    /// `max_latency_seconds`, `config_usage`, `provider_usage`, `kind_usage` and `sources`
    /// (what `init(json:)` and merging read back).
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
            "mean_latency_seconds": .double(meanLatencySeconds),
            "max_latency_seconds": .double(maxLatencySeconds),
            "config_usage": .object(configUsage.mapValues(\.json)),
            "provider_usage": .object(providerUsage.mapValues(\.json)),
            "kind_usage": .object(kindUsage.mapValues(\.json)),
            "sources": .array(sources.map(\.json)),
        ]
    }

    /// A value by the original's key names (`stats["total_tokens"]`).
    public subscript(key: String) -> JSONValue? { dictionary[key] }

    /// Reads a snapshot from its `dictionary` (for example one a worker process sent, or an
    /// exported file). With `sources` the snapshot is rebuilt from them exactly. Without them
    /// (a dictionary in the original's shape) its `model_usage` becomes one anonymous source
    /// with a fresh id: it is counted, but merging that same dictionary twice counts it twice.
    public init(json: JSONValue) throws(ModelError) {
        guard case .object(let object) = json else {
            throw ModelError(.decoding, "token usage stats must be a JSON object, got \(json.typeName)")
        }
        if let sources = object["sources"], !sources.isNull {
            guard let items = sources.arrayValue else {
                throw ModelError(.decoding, "token usage key 'sources' must be an array, got \(sources.typeName)")
            }
            var decoded: [UsageSource] = []
            for item in items { decoded.append(try UsageSource(json: item)) }
            self.init(sources: decoded)
            return
        }
        self.init(sources: [try Self.anonymousSource(object)])
    }

    /// One source holding a dictionary in the original's shape (per-model counts only).
    private static func anonymousSource(_ object: [String: JSONValue]) throws(ModelError) -> UsageSource {
        var rows: [UsageRow] = []
        if let models = object["model_usage"]?.objectValue {
            for (model, value) in models {
                let key = UsageKey(modelName: model, configName: "", provider: "", kind: .chat)
                rows.append(UsageRow(key: key, usage: try UsageBucket(json: value)))
            }
        }
        if rows.isEmpty {
            let total = UsageBucket(
                promptTokens: object["total_prompt_tokens"]?.intValue ?? 0,
                completionTokens: object["total_completion_tokens"]?.intValue ?? 0,
                totalTokens: object["total_tokens"]?.intValue, requestCount: object["request_count"]?.intValue ?? 0)
            if !total.isEmpty {
                rows.append(UsageRow(key: UsageKey(modelName: "", configName: "", provider: "", kind: .chat), usage: total))
            }
        }
        let elapsed = object["elapsed_time_seconds"]?.doubleValue ?? 0
        let now = UsageMath.unixNow()
        return UsageSource(
            id: "anonymous-" + UsageMath.newID(), label: "imported", sequence: rows.reduce(0) { $0 + $1.usage.attemptCount },
            startedAt: now - elapsed, capturedAt: now, elapsedTimeSeconds: elapsed, rows: rows.sorted { $0.key < $1.key })
    }
}
