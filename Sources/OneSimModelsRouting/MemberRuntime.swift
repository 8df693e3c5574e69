import Foundation
import OneSimModelsCore

/// The live state of one member inside a balancer: health, in-flight count and statistics, and
/// the deployment's shared limiter. A plain value (but for the limiter, which every balancer
/// over the deployment shares); the balancer owns it under its lock.
package struct MemberRuntime: Sendable {
    /// The member's config name.
    let name: String
    /// Its weight and limits.
    let settings: DeploymentSettings
    /// Its cooldown rules.
    let policy: HealthPolicy

    /// The deployment's `max_concurrency`, `rpm` and `tpm`, shared with every other sender.
    package let limiter: DeploymentLimiter
    /// Cooldown and recent failures.
    var health = MemberHealth()

    /// Requests this balancer has in flight now.
    package private(set) var inFlight = 0
    /// The most requests ever in flight at once.
    private(set) var peakInFlight = 0
    /// Requests sent.
    private(set) var requests = 0
    /// Requests that succeeded.
    private(set) var successes = 0
    /// Failed requests by error kind.
    private(set) var failuresByKind: [ModelError.Kind: Int] = [:]
    /// Requests abandoned because the caller was cancelled.
    private(set) var cancellations = 0
    /// Sum of the latencies of successful requests.
    private(set) var latencyTotal: Duration = .zero
    /// Moving average of latency per output token, in seconds.
    private(set) var latencyPerToken: Double?
    /// Moving average of latency per output token divided by the requests in flight on the
    /// deployment when the request started: by Little's law about the seconds the deployment
    /// takes per output token of throughput, so a busy fast server does not look slow.
    private(set) var loadedPerToken: Double?
    /// Successful requests measured into `latencyPerToken`.
    private(set) var latencySamples = 0
    /// When `latencyPerToken` last took a sample.
    private(set) var lastSampleAt: Duration?
    /// Requests started on the member while the balancer was in panic mode.
    private(set) var panicRequests = 0
    /// Reported token usage of successful requests.
    private(set) var usage: Usage = .zero
    /// Latencies of the last minute's successful requests, for p50 and p99.
    private(set) var latencies = LatencyWindow()

    /// Weight of the newest sample in the moving average when samples come close together.
    static let latencySmoothing = 0.3
    /// Samples age: a sample this old weighs about a third (e^-1) of what it did, so after a
    /// pause the next sample mostly replaces the old average (a cold start is forgotten).
    static let latencyMemory: Duration = .seconds(30)

    /// A fresh member at time `now`, limited by `limiter` (a private one when `nil`).
    init(name: String, settings: DeploymentSettings, policy: HealthPolicy, now: Duration, limiter: DeploymentLimiter? = nil) {
        self.name = name
        self.settings = settings
        self.policy = policy
        self.limiter = limiter ?? DeploymentLimiter(name: name, settings: settings, now: now)
    }

    /// The member's recent speed for the straggler rule, if sampled within `latencyMemory` of
    /// `now`: `loadedPerToken` while calls wait in the balancer (`queued`: every member is then
    /// kept at its limit, the regime where Little's law holds), else `latencyPerToken` (an
    /// underloaded member's throughput says how little it was given, not how slow it is).
    func recentSpeed(queued: Bool, at now: Duration) -> Double? {
        Self.recent(queued ? loadedPerToken : latencyPerToken, sampledAt: lastSampleAt, now: now)
    }

    /// `latencyPerToken` if it was sampled within `latencyMemory` of `now`, else `nil`: the one
    /// freshness rule, for loops that read a member's stored properties in place.
    static func recent(_ latencyPerToken: Double?, sampledAt last: Duration?, now: Duration) -> Double? {
        guard let latencyPerToken, let last, now - last <= latencyMemory else { return nil }
        return latencyPerToken
    }

    /// The larger used share of the deployment's rpm and tpm budgets.
    func usageShare(at now: Duration) -> Double {
        limiter.withLimits { $0.usageShare(at: now) }
    }

    /// Failed requests, all kinds.
    var failures: Int { failuresByKind.values.reduce(0, +) }

    /// Starts a request of `tokens` if the deployment's limits allow it now (`learned`: its
    /// learned limit too): takes a slot and charges the budgets. Returns the deployment's
    /// requests in flight with this one, or `nil` when it did not start (another balancer may
    /// have taken the capacity since it was seen).
    mutating func start(tokens: Double, at now: Duration, panic: Bool = false, learned: Bool = false) -> Int? {
        let started = limiter.withLimits { limits -> Int? in
            limits.tryStart(tokens: tokens, at: now, learned: learned) ? limits.inFlight : nil
        }
        guard let started else { return nil }
        inFlight += 1
        peakInFlight = max(peakInFlight, inFlight)
        requests += 1
        if panic { panicRequests += 1 }
        return started
    }

    /// Ends a successful request: frees its slot, corrects the tpm charge with `reported`
    /// usage, and feeds the latency average (per output token, or per request when there are
    /// none).
    mutating func succeeded(
        latency: Duration, reported: Usage, charged: Double, inFlightAtStart: Int = 0, cachedShare: Double = 0, at now: Duration
    ) {
        inFlight -= 1
        successes += 1
        latencyTotal += latency
        latencies.record(latency, at: now)
        usage = usage + reported
        let refund = reported.isEmpty ? 0 : charged - Double(reported.totalTokens)
        limiter.withLimits {
            $0.end(refund: refund, at: now)
            $0.learn(latency: latency, usage: reported, inFlightAtStart: inFlightAtStart, cachedShare: cachedShare, at: now)
        }
        if health.panicEligible(at: now) { health.recover() }
        let sample = latency.seconds / Double(max(reported.completionTokens, 1))
        latencyPerToken = latencyPerToken.map { Self.blend(old: $0, sample: sample, age: lastSampleAt.map { now - $0 }) } ?? sample
        let loaded = sample / Double(max(inFlightAtStart, 1))
        loadedPerToken = loadedPerToken.map { Self.blend(old: $0, sample: loaded, age: lastSampleAt.map { now - $0 }) } ?? loaded
        lastSampleAt = now
        latencySamples += 1
    }

    /// The moving average after `sample`: the old average's weight decays with its `age`
    /// (at most `1 - latencySmoothing`), so stale averages give way to fresh samples.
    static func blend(old: Double, sample: Double, age: Duration?) -> Double {
        let seconds = max(age?.seconds ?? 0, 0)
        let keep = (1 - latencySmoothing) * exp(-seconds / latencyMemory.seconds)
        return keep * old + (1 - keep) * sample
    }

    /// Ends a failed request: frees its slot, refunds the tpm charge (nothing was generated),
    /// counts the failure and applies the cooldown rules. Returns whether a cooldown started.
    mutating func failed(
        _ error: ModelError, _ disposition: FailureDisposition, charged: Double, latency: Duration = .zero, at now: Duration
    ) -> Bool {
        inFlight -= 1
        failuresByKind[error.kind, default: 0] += 1
        let overload = error.kind == .rateLimited || error.status == 503 || error.status == 529
        limiter.withLimits {
            $0.end(refund: charged, at: now)
            if overload { $0.learnOverload(latency: latency, at: now) }
        }
        return policy.apply(error, disposition, to: &health, at: now)
    }

    /// Ends a request abandoned by a cancelled caller: frees its slot, no health change.
    mutating func cancelled(charged: Double, at now: Duration) {
        inFlight -= 1
        cancellations += 1
        limiter.withLimits { $0.end(refund: charged, at: now) }
    }

    /// Ends a request that was granted but never sent: frees its slot and refunds its charges.
    mutating func notSent(charged: Double, at now: Duration) {
        inFlight -= 1
        requests -= 1
        limiter.withLimits { $0.unstart(tokens: charged, at: now) }
    }
}
