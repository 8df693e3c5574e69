import OneSimModelsCore

/// A snapshot of one balancer member's statistics.
public struct MemberStats: Sendable, Hashable {
    /// The member's config name.
    public var configName: String
    /// Requests in flight now.
    public var inFlight: Int
    /// The most requests that were ever in flight at once.
    public var peakInFlight: Int
    /// The member's `max_concurrency`, if any.
    public var maxConcurrency: Int?
    /// Requests sent to the member (attempts, retries included).
    public var requests: Int
    /// Requests the member answered (retries by the balancer count once per attempt).
    public var successes: Int
    /// Requests that failed, of every kind (the sum of `failuresByKind`); cancelled requests
    /// are counted in `cancellations` instead.
    public var failures: Int
    /// Failed requests by error kind.
    public var failuresByKind: [ModelError.Kind: Int]
    /// Requests abandoned because their caller was cancelled.
    public var cancellations: Int
    /// How many times the member was cooled down.
    public var cooldowns: Int
    /// The cooldown left now, or `nil` when the member is healthy.
    public var cooldownRemaining: Duration?
    /// Mean latency of successful requests.
    public var averageLatency: Duration?
    /// Moving average of latency per output token (what the `latency` strategy compares).
    public var latencyPerOutputToken: Duration?
    /// Tokens reported by the member's successful replies.
    public var usage: Usage
    /// The used share of the member's rpm/tpm budget (what the `usage` strategy compares).
    public var usageShare: Double
    /// The member's `weight` for the `weighted` strategy (default 1).
    public var weight: Double
    /// Requests sent to the member while it was cooling down, because too few members were
    /// healthy (panic mode).
    public var panicRequests: Int
    /// Requests in flight on the member's deployment from every balancer that shares it (its
    /// `max_concurrency` bounds this number).
    public var deploymentInFlight: Int
    /// The fleet dispatch's learned concurrency limit for the member (under `maxConcurrency`);
    /// `nil` for other strategies.
    public var learnedConcurrency: Int?
    /// Where `learnedConcurrency` comes from: `initial`, `latency` or `server` (its `/metrics`).
    public var learnedFrom: String?
    /// The member's server's latest load report (`metrics_url`), if it has one.
    public var serverLoad: ServerLoadReport?
    /// The share of prompt blocks sent to the member that its prefix index already held (the
    /// fleet dispatch's estimate of its prefix-cache hit rate); `nil` before any.
    public var prefixMatchRate: Double?
    /// The median latency of the member's successful requests of about the last minute (50 to
    /// 60 s), from a fixed log-bucket histogram (within about 9 %); `nil` when there were none.
    public var recentLatencyP50: Duration?
    /// The 99th percentile of the same latencies; `nil` when there were none.
    public var recentLatencyP99: Duration?

    /// Whether the member is cooling down now.
    public var isCoolingDown: Bool { cooldownRemaining != nil }

    /// A snapshot with every field given.
    public init(
        configName: String, inFlight: Int, peakInFlight: Int, maxConcurrency: Int?, requests: Int, successes: Int,
        failures: Int, failuresByKind: [ModelError.Kind: Int], cancellations: Int, cooldowns: Int,
        cooldownRemaining: Duration?, averageLatency: Duration?, latencyPerOutputToken: Duration?, usage: Usage,
        usageShare: Double, weight: Double, panicRequests: Int = 0, deploymentInFlight: Int? = nil
    ) {
        self.configName = configName
        self.inFlight = inFlight
        self.peakInFlight = peakInFlight
        self.maxConcurrency = maxConcurrency
        self.requests = requests
        self.successes = successes
        self.failures = failures
        self.failuresByKind = failuresByKind
        self.cancellations = cancellations
        self.cooldowns = cooldowns
        self.cooldownRemaining = cooldownRemaining
        self.averageLatency = averageLatency
        self.latencyPerOutputToken = latencyPerOutputToken
        self.usage = usage
        self.usageShare = usageShare
        self.weight = weight
        self.panicRequests = panicRequests
        self.deploymentInFlight = deploymentInFlight ?? inFlight
    }
}

/// What a member's server said of its load in its latest `/metrics` report.
public struct ServerLoadReport: Sendable, Hashable {
    /// Requests it was running.
    public var running: Int?
    /// Requests waiting in its own queue.
    public var waiting: Int?
    /// The used share of its KV cache, 0...1.
    public var kvCacheUsage: Double?
    /// How old the report is.
    public var age: Duration
    /// Whether it is older than two `metrics_interval`s, so routing ignores it and uses the
    /// balancer's own counts.
    public var isStale: Bool

    /// A report with every field given.
    public init(running: Int?, waiting: Int?, kvCacheUsage: Double?, age: Duration, isStale: Bool) {
        self.running = running
        self.waiting = waiting
        self.kvCacheUsage = kvCacheUsage
        self.age = age
        self.isStale = isStale
    }
}

/// A snapshot of a load balancer's statistics: its members and its queue.
public struct BalancerStats: Sendable, Hashable, CustomStringConvertible {
    /// The balancer's config name.
    public var balancer: String
    /// The strategy's name as in the config (`round_robin`, `weighted`, ...), or a custom
    /// strategy's `name`.
    public var strategy: String
    /// Requests waiting for capacity now.
    public var queued: Int
    /// Calls that gave up waiting (`queue_timeout`).
    public var queueTimeouts: Int
    /// Every member, in config order.
    public var members: [MemberStats]
    /// Whether fewer than `panic_threshold` of the members are healthy now, so members cooling
    /// down after transient failures still get the calls healthy members cannot take.
    public var panicking: Bool

    /// A snapshot with every field given.
    public init(
        balancer: String, strategy: String, queued: Int, queueTimeouts: Int, members: [MemberStats], panicking: Bool = false
    ) {
        self.balancer = balancer
        self.strategy = strategy
        self.queued = queued
        self.queueTimeouts = queueTimeouts
        self.members = members
        self.panicking = panicking
    }

    /// Requests sent to members in panic mode.
    public var panicRequests: Int { members.reduce(0) { $0 + $1.panicRequests } }

    /// The member whose config name is `configName`, or `nil` when the balancer has none.
    public subscript(member configName: String) -> MemberStats? {
        members.first { $0.configName == configName }
    }

    /// Requests sent to all members.
    public var requests: Int { members.reduce(0) { $0 + $1.requests } }
    /// Successful requests of all members.
    public var successes: Int { members.reduce(0) { $0 + $1.successes } }
    /// Failed requests of all members.
    public var failures: Int { members.reduce(0) { $0 + $1.failures } }

    /// A table, one line per member, for logs and the demo.
    public var description: String {
        var lines = [
            "load balancer '\(balancer)' (\(strategy)): \(queued) queued, \(queueTimeouts) queue timeouts"
                + (panicking ? ", PANIC (too few healthy members)" : "")
        ]
        for m in members {
            var line = "  \(m.configName): \(m.requests) req, \(m.successes) ok, \(m.failures) failed"
            if !m.failuresByKind.isEmpty {
                let kinds = m.failuresByKind.sorted { $0.key.rawValue < $1.key.rawValue }
                line += " (" + kinds.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", ") + ")"
            }
            line += ", in flight \(m.inFlight)" + (m.maxConcurrency.map { "/\($0)" } ?? "") + " (peak \(m.peakInFlight))"
            line += ", cooldowns \(m.cooldowns)"
            if m.panicRequests > 0 { line += ", \(m.panicRequests) in panic" }
            if let learned = m.learnedConcurrency { line += ", limit \(learned) (\(m.learnedFrom ?? "initial"))" }
            if let rate = m.prefixMatchRate { line += ", prefix match \(Int((rate * 100).rounded())) %" }
            if let load = m.serverLoad {
                line += ", server \(load.running.map(String.init) ?? "?") running \(load.waiting.map(String.init) ?? "?") waiting"
                if load.isStale { line += " (stale)" }
            }
            if let remaining = m.cooldownRemaining { line += " (cooling, \(remaining) left)" }
            if let latency = m.averageLatency {
                line += ", avg latency \((latency.seconds * 10_000).rounded() / 10) ms"
            }
            line += ", tokens \(m.usage.promptTokens)+\(m.usage.completionTokens)"
            lines.append(line)
        }
        return lines.joined(separator: "\n")
    }
}
