import OneSimModelsCore

/// Routing settings of one balancer member: its config's `weight`, `rpm`, `tpm`,
/// `max_concurrency` and `cooldown_time` keys.
public struct DeploymentSettings: Sendable, Hashable {
    /// The member's share for the `weighted` strategy (default 1; 0 means "only when every
    /// other candidate also has 0").
    public var weight: Double
    /// Requests per minute allowed (a token bucket that refills `rpm / 60` per second and holds
    /// at most `rpm`); `nil` for no limit.
    public var rpm: Int?
    /// Tokens per minute allowed: each request is charged its estimated prompt tokens plus its
    /// `max_tokens`, then corrected with the reported usage; `nil` for no limit.
    public var tpm: Int?
    /// The most requests in flight on the deployment at once; more wait in FIFO order. Balancers
    /// built by a `ModelManager` share one limiter per deployment, so this bounds their sum
    /// (a `LoadBalancer` made by hand has limiters of its own).
    public var maxConcurrency: Int?
    /// How long the member cools down after a failure that cools it, instead of the balancer's
    /// `cooldownTime`; `.zero` means this member is never cooled.
    public var cooldownTime: Duration?
    /// Where the member's server reports its load in Prometheus text (`metrics_url`, vLLM's or
    /// SGLang's `/metrics`); `nil` (the default) for none. A `ModelManager` scrapes it in the
    /// background every `metricsInterval` and the fleet dispatch learns the server's slot count
    /// and the load other clients put there from it.
    public var metricsURL: String?
    /// How often `metricsURL` is read (`metrics_interval`, default 1 s, at least 50 ms). A
    /// report older than two intervals is stale and the balancer falls back to its own counts.
    public var metricsInterval: Duration

    /// The shortest `metricsInterval`.
    public static let minimumMetricsInterval: Duration = .milliseconds(50)

    /// Settings with the given limits; everything unlimited by default.
    public init(
        weight: Double = 1, rpm: Int? = nil, tpm: Int? = nil, maxConcurrency: Int? = nil, cooldownTime: Duration? = nil,
        metricsURL: String? = nil, metricsInterval: Duration = .seconds(1)
    ) {
        self.metricsURL = metricsURL
        self.metricsInterval = metricsInterval
        self.weight = weight
        self.rpm = rpm
        self.tpm = tpm
        self.maxConcurrency = maxConcurrency
        self.cooldownTime = cooldownTime
    }

    /// No limits, weight 1.
    public static let `default` = DeploymentSettings()

    /// Checks the values: weight finite and not negative, limits positive, cooldown not negative.
    ///
    /// - Throws: `ModelError.Kind.configuration` naming `member` and the bad key.
    package func validate(member: String) throws(ModelError) {
        func bad(_ key: String, _ why: String) -> ModelError {
            ModelError(.configuration, "member '\(member)': \(key) \(why)", param: key, configName: member)
        }
        if !weight.isFinite || weight < 0 { throw bad("weight", "must be a number ≥ 0 (got \(weight))") }
        if let rpm, rpm <= 0 { throw bad("rpm", "must be positive (got \(rpm))") }
        if let tpm, tpm <= 0 { throw bad("tpm", "must be positive (got \(tpm))") }
        if let maxConcurrency, maxConcurrency <= 0 {
            throw bad("max_concurrency", "must be positive (got \(maxConcurrency))")
        }
        if let cooldownTime, cooldownTime < .zero { throw bad("cooldown_time", "must not be negative") }
        if metricsInterval < Self.minimumMetricsInterval {
            throw bad("metrics_interval", "must be at least 0.05 seconds")
        }
    }
}

/// One member of a load balancer: the model that serves requests and its routing settings.
public struct BalancerMember: Sendable {
    /// The model: a provider adapter, another balancer or a custom adapter.
    public var adapter: any ModelAdapter
    /// Its weight, limits and cooldown override.
    public var deployment: DeploymentSettings

    /// A member with the given settings (unlimited, weight 1 by default).
    public init(adapter: any ModelAdapter, deployment: DeploymentSettings = .default) {
        self.adapter = adapter
        self.deployment = deployment
    }

    /// The member adapter's config name: how stats, metrics and errors name this member.
    public var configName: String { adapter.configName }
}
