/// The live state of one member inside a balancer: health, limits, in-flight count and
/// statistics. A plain value; the balancer owns it under its lock.
struct MemberRuntime: Sendable {
    /// The member's config name.
    let name: String
    /// Its weight and limits.
    let settings: DeploymentSettings
    /// Its cooldown rules.
    let policy: HealthPolicy

    /// Cooldown and recent failures.
    var health = MemberHealth()
    /// The `rpm` budget, if limited.
    var rpm: TokenBucket?
    /// The `tpm` budget, if limited.
    var tpm: TokenBucket?

    /// Requests in flight now.
    private(set) var inFlight = 0
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
    /// Successful requests measured into `latencyPerToken`.
    private(set) var latencySamples = 0
    /// Reported token usage of successful requests.
    private(set) var usage: Usage = .zero

    /// Weight of the newest sample in the moving average.
    static let latencySmoothing = 0.3

    /// A fresh member at time `now`.
    init(name: String, settings: DeploymentSettings, policy: HealthPolicy, now: Duration) {
        self.name = name
        self.settings = settings
        self.policy = policy
        rpm = settings.rpm.map { TokenBucket(perMinute: $0, now: now) }
        tpm = settings.tpm.map { TokenBucket(perMinute: $0, now: now) }
    }

    /// Whether a concurrency slot is free.
    var hasFreeSlot: Bool {
        guard let limit = settings.maxConcurrency else { return true }
        return inFlight < max(limit, 1)
    }

    /// Whether the rpm and tpm budgets allow a request of `tokens` at `now`.
    func budgetAllows(tokens: Double, at now: Duration) -> Bool {
        (rpm?.allows(1, at: now) ?? true) && (tpm?.allows(tokens, at: now) ?? true)
    }

    /// How long until the rpm and tpm budgets allow a request of `tokens` (zero if now).
    func budgetWait(tokens: Double, at now: Duration) -> Duration {
        max(rpm?.wait(for: 1, at: now) ?? .zero, tpm?.wait(for: tokens, at: now) ?? .zero)
    }

    /// The larger used share of the rpm and tpm budgets.
    func usageShare(at now: Duration) -> Double {
        max(rpm?.usedShare(at: now) ?? 0, tpm?.usedShare(at: now) ?? 0)
    }

    /// Failed requests, all kinds.
    var failures: Int { failuresByKind.values.reduce(0, +) }

    /// Starts a request of `tokens`: takes a slot and charges the budgets.
    mutating func start(tokens: Double, at now: Duration) {
        inFlight += 1
        peakInFlight = max(peakInFlight, inFlight)
        requests += 1
        rpm?.take(1, at: now)
        tpm?.take(tokens, at: now)
    }

    /// Ends a successful request: frees its slot, corrects the tpm charge with `reported`
    /// usage, and feeds the latency average (per output token, or per request when there are
    /// none).
    mutating func succeeded(latency: Duration, reported: Usage, charged: Double, at now: Duration) {
        inFlight -= 1
        successes += 1
        latencyTotal += latency
        usage = usage + reported
        if !reported.isEmpty { tpm?.giveBack(charged - Double(reported.totalTokens), at: now) }
        let sample = latency.inSeconds / Double(max(reported.completionTokens, 1))
        let alpha = Self.latencySmoothing
        latencyPerToken = latencyPerToken.map { alpha * sample + (1 - alpha) * $0 } ?? sample
        latencySamples += 1
    }

    /// Ends a failed request: frees its slot, refunds the tpm charge (nothing was generated),
    /// counts the failure and applies the cooldown rules. Returns whether a cooldown started.
    mutating func failed(_ error: ModelError, _ disposition: FailureDisposition, charged: Double, at now: Duration) -> Bool {
        inFlight -= 1
        failuresByKind[error.kind, default: 0] += 1
        tpm?.giveBack(charged, at: now)
        return policy.apply(error, disposition, to: &health, at: now)
    }

    /// Ends a request abandoned by a cancelled caller: frees its slot, no health change.
    mutating func cancelled(charged: Double, at now: Duration) {
        inFlight -= 1
        cancellations += 1
        tpm?.giveBack(charged, at: now)
    }

    /// What a strategy sees of this member.
    func candidate(index: Int, at now: Duration) -> RoutingCandidate {
        RoutingCandidate(
            index: index, configName: name, weight: settings.weight, inFlight: inFlight,
            maxConcurrency: settings.maxConcurrency, latencyPerToken: latencyPerToken.map { .seconds($0) },
            latencySamples: latencySamples, usageShare: usageShare(at: now), requests: requests)
    }
}
