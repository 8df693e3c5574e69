import OneSimModelsCore

/// Which strategy a balancer uses: a built-in one by name, or your own.
public enum BalancerStrategy: Sendable, CustomStringConvertible {
    /// A built-in strategy.
    case builtIn(StrategyName)
    /// Your own strategy; the balancer keeps its own copy of the value.
    case custom(any RoutingStrategy)

    /// `round_robin`.
    public static let roundRobin = BalancerStrategy.builtIn(.roundRobin)
    /// `random`.
    public static let random = BalancerStrategy.builtIn(.random)
    /// `weighted` (smooth weighted round robin).
    public static let weighted = BalancerStrategy.builtIn(.weighted)
    /// `least_busy` (power of two choices on in-flight counts).
    public static let leastBusy = BalancerStrategy.builtIn(.leastBusy)
    /// `latency` (lowest moving-average latency per output token).
    public static let latency = BalancerStrategy.builtIn(.latency)
    /// `usage` (lowest used share of `rpm` / `tpm`).
    public static let usage = BalancerStrategy.builtIn(.usage)
    /// `fleet` (the default): late binding into learned slots, prefix-cache and affinity aware.
    public static let fleet = BalancerStrategy.builtIn(.fleet)
    /// `affinity` (consistent hashing with bounded loads on the affinity key).
    public static let affinity = BalancerStrategy.builtIn(.affinity)

    /// Parses a config's `strategy` value.
    ///
    /// - Throws: `ModelError.Kind.configuration` listing the valid names.
    public init(parsing name: String) throws(ModelError) {
        self = .builtIn(try StrategyName(parsing: name))
    }

    /// The strategy's config name (`least_busy`, ..., or a custom strategy's `name`).
    public var description: String {
        switch self {
        case .builtIn(let name): return name.rawValue
        case .custom(let strategy): return strategy.name
        }
    }

    /// A fresh strategy value for one balancer.
    func makeStrategy() -> any RoutingStrategy {
        switch self {
        case .builtIn(let name): return name.makeStrategy()
        case .custom(let strategy): return strategy
        }
    }
}

/// A load balancer's settings: the config keys `strategy`, `max_retries`, `cooldown_time`,
/// `allowed_fails`, `queue_timeout`, `panic_threshold` and the retry delays.
///
/// Each knob has one home: the number of retry rounds and their delays are `retryPolicy`
/// (config `max_retries`, default 2 rounds); a call's `CallOptions.maxRetries` overrides the
/// rounds for that call only.
public struct BalancerSettings: Sendable {
    /// How a member is picked (default `fleet`: the fleet-aware dispatch; the original's
    /// `round_robin` and the other strategies stay exact when named).
    public var strategy: BalancerStrategy
    /// The fleet dispatch's and the `affinity` strategy's knobs.
    public var fleet: FleetSettings
    /// How long a member cools down (default 5 s); a member's own `cooldownTime` wins.
    public var cooldownTime: Duration
    /// Transient failures of one member tolerated within `failureWindow` (default 3); the
    /// next one cools it. Not applied to a balancer with one member.
    public var allowedFails: Int
    /// The window `allowedFails` counts in (default one minute).
    public var failureWindow: Duration
    /// The longest a call waits in total for capacity: a concurrency slot, rpm/tpm budget or a
    /// member to come out of cooldown (default 60 s). Then it fails with `.queueTimeout`.
    public var queueTimeout: Duration
    /// Retry rounds after every member has been tried once (`maxRetries`, config key
    /// `max_retries`, default 2), the backoff delays between rounds and the longest
    /// `Retry-After` honoured. A call's `CallOptions.maxRetries` overrides the rounds.
    public var retryPolicy: RetryPolicy
    /// Output tokens charged against `tpm` when a call sets no `maxTokens` (default 256);
    /// corrected with the real usage afterwards.
    public var defaultMaxTokensEstimate: Int
    /// The panic threshold (config key `panic_threshold`, 0...1, default 0.5): when fewer than
    /// this share of the members are healthy, members cooling down after transient failures
    /// keep getting the calls the healthy ones cannot take, and a success ends their cooldown,
    /// so a partial outage does not park the last usable capacity. 0 turns it off.
    public var panicThreshold: Double

    /// Settings with the given values; every default is the documented one.
    public init(
        strategy: BalancerStrategy = .fleet, cooldownTime: Duration = .seconds(5),
        allowedFails: Int = 3, failureWindow: Duration = .seconds(60), queueTimeout: Duration = .seconds(60),
        retryPolicy: RetryPolicy = .default, defaultMaxTokensEstimate: Int = 256, panicThreshold: Double = 0.5,
        fleet: FleetSettings = .init()
    ) {
        self.strategy = strategy
        self.fleet = fleet
        self.cooldownTime = cooldownTime
        self.allowedFails = allowedFails
        self.failureWindow = failureWindow
        self.queueTimeout = queueTimeout
        self.retryPolicy = retryPolicy
        self.defaultMaxTokensEstimate = defaultMaxTokensEstimate
        self.panicThreshold = panicThreshold
    }

    /// Checks the values: no negative counts or durations.
    ///
    /// - Throws: `ModelError.Kind.configuration` naming the bad key and `balancer`.
    package func validate(balancer: String) throws(ModelError) {
        func bad(_ key: String, _ why: String) -> ModelError {
            ModelError(.configuration, "load balancer '\(balancer)': \(key) \(why)", param: key, configName: balancer)
        }
        if retryPolicy.maxRetries < 0 {
            throw bad("max_retries", "must not be negative (got \(retryPolicy.maxRetries))")
        }
        if allowedFails < 0 { throw bad("allowed_fails", "must not be negative (got \(allowedFails))") }
        if cooldownTime < .zero { throw bad("cooldown_time", "must not be negative") }
        if queueTimeout < .zero { throw bad("queue_timeout", "must not be negative") }
        if failureWindow <= .zero { throw bad("failure_window", "must be positive") }
        if !(0...1).contains(panicThreshold) { throw bad("panic_threshold", "must be between 0 and 1 (got \(panicThreshold))") }
        try fleet.validate(balancer: balancer)
    }
}

extension BalancerSettings {
    /// The old home of the retry rounds, now `retryPolicy.maxRetries`.
    @available(*, deprecated, renamed: "retryPolicy.maxRetries")
    public var maxRetries: Int {
        get { retryPolicy.maxRetries }
        set { retryPolicy.maxRetries = newValue }
    }

    /// The old initializer, whose `maxRetries` overrode `retryPolicy.maxRetries`.
    @available(*, deprecated, message: "set the rounds in retryPolicy: RetryPolicy(maxRetries:)")
    public init(
        strategy: BalancerStrategy = .fleet, maxRetries: Int, cooldownTime: Duration = .seconds(5),
        allowedFails: Int = 3, failureWindow: Duration = .seconds(60), queueTimeout: Duration = .seconds(60),
        retryPolicy: RetryPolicy = .default, defaultMaxTokensEstimate: Int = 256, panicThreshold: Double = 0.5
    ) {
        var policy = retryPolicy
        policy.maxRetries = maxRetries
        self.init(
            strategy: strategy, cooldownTime: cooldownTime, allowedFails: allowedFails, failureWindow: failureWindow,
            queueTimeout: queueTimeout, retryPolicy: policy, defaultMaxTokensEstimate: defaultMaxTokensEstimate,
            panicThreshold: panicThreshold)
    }
}
