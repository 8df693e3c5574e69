/// What one provider call did, reported once per HTTP attempt.
public struct CallRecord: Sendable, Hashable {
    /// The provider's model name.
    public var modelName: String
    /// The config that made the call.
    public var configName: String
    /// The provider (`openai`, `vllm`, ...).
    public var provider: String
    /// Whether the call was a chat or an embedding call.
    public var kind: ModelKind
    /// Tokens used (zero for a failure).
    public var usage: Usage
    /// Wall time of the attempt.
    public var latency: Duration
    /// The failure's kind, or `nil` for a success.
    public var error: ModelError.Kind?

    /// A record with every field given; `error` is `nil` for a success.
    public init(
        modelName: String, configName: String, provider: String, kind: ModelKind, usage: Usage, latency: Duration,
        error: ModelError.Kind? = nil
    ) {
        self.modelName = modelName
        self.configName = configName
        self.provider = provider
        self.kind = kind
        self.usage = usage
        self.latency = latency
        self.error = error
    }
}

/// Receives one record per provider call (the token tracker implements it).
public protocol UsageRecorder: Sendable {
    /// Records one call. Must be cheap and thread-safe: it runs on the request path.
    func record(_ record: CallRecord)
}

/// A recorder that drops everything.
public struct NoUsageRecorder: UsageRecorder {
    /// A recorder that drops everything.
    public init() {}
    /// Drops `record`.
    public func record(_ record: CallRecord) {}
}
