import OneSimModelsCore

/// One deployment's limits as a plain value: `max_concurrency`, and the `rpm` / `tpm` token
/// buckets, with the requests in flight on it from every balancer and adapter that sends there.
///
/// Driven by events with the time passed in; `DeploymentLimiter` shares one of these behind a
/// lock between everything that sends to the deployment.
package struct DeploymentLimits: Sendable, Hashable {
    /// The most requests in flight at once, if limited.
    private(set) var maxConcurrency: Int?
    /// The `rpm` budget, if limited.
    private(set) var rpm: TokenBucket?
    /// The `tpm` budget, if limited.
    private(set) var tpm: TokenBucket?
    /// Requests in flight now, from every sender.
    package private(set) var inFlight = 0
    /// The most requests ever in flight at once.
    private(set) var peakInFlight = 0
    /// Requests started so far (wrapping).
    private(set) var starts = 0

    /// Requests in flight and started so far, at one moment.
    package struct Progress: Sendable, Hashable {
        let inFlight: Int
        let starts: Int
    }

    /// The progress now.
    package var progress: Progress { Progress(inFlight: inFlight, starts: starts) }
    /// The concurrency limit learned by the fleet dispatch (`nil` until a fleet balancer sends
    /// here): under `maxConcurrency`, which stays a hard ceiling.
    var adaptive: AdaptiveConcurrency? { isLearning ? learner : nil }
    /// Whether a limit is learned here (`learner` holds it).
    private(set) var isLearning = false
    /// The learned limit's state, meaningful while `isLearning`. Not an optional: a decision
    /// reads one field of it per member, and an `AdaptiveConcurrency?` could only be tested
    /// for `nil` on a copy of the whole state (about 180 bytes, per member and per decision).
    private var learner = AdaptiveConcurrency()
    /// How often the deployment's server reports its load (`metrics_interval`), if it does.
    private(set) var reportInterval: Duration?

    /// Full budgets for `settings` at `now`.
    init(_ settings: DeploymentSettings, now: Duration) {
        maxConcurrency = settings.maxConcurrency
        rpm = settings.rpm.map { TokenBucket(perMinute: $0, now: now) }
        tpm = settings.tpm.map { TokenBucket(perMinute: $0, now: now) }
        reportInterval = settings.metricsURL == nil ? nil : settings.metricsInterval
    }

    /// Whether any limit is set.
    var isLimited: Bool { maxConcurrency != nil || rpm != nil || tpm != nil }

    /// Whether a concurrency slot is free.
    var hasFreeSlot: Bool {
        guard let limit = maxConcurrency else { return true }
        return inFlight < max(limit, 1)
    }

    /// Whether a slot is free under the learned limit too (`learned`: the fleet dispatch asks).
    func hasFreeSlot(learned: Bool) -> Bool {
        guard learned, isLearning else { return hasFreeSlot }
        return inFlight < learner.effectiveLimit(ceiling: maxConcurrency)
    }

    /// The limit the fleet dispatch fills to: learned, under the configured ceiling.
    package var learnedLimit: Int? { isLearning ? learner.effectiveLimit(ceiling: maxConcurrency) : nil }

    /// Starts learning a limit (idempotent). `learner` is still in its initial state: nothing
    /// changes it before learning starts.
    mutating func enableLearning() {
        isLearning = true
    }

    /// Requests other clients hold on the server, per its latest fresh report.
    func othersLoad(at now: Duration) -> Int {
        guard isLearning, let reportInterval else { return 0 }
        return learner.othersLoad(at: now, interval: reportInterval)
    }

    /// Whether the server's latest report is fresh (`nil`: it reports nothing).
    func reportIsFresh(at now: Duration) -> Bool? {
        guard let reportInterval else { return nil }
        return isLearning && learner.reportIsFresh(at: now, interval: reportInterval)
    }

    /// A success feeds the learned limit. The prompt tokens the server served from its prefix
    /// cache are its report's (`usage.cachedPromptTokens`) or, while it has never reported
    /// any, `cachedShare` of the prompt (the balancer's own index's estimate).
    mutating func learn(latency: Duration, usage: Usage, inFlightAtStart: Int, cachedShare: Double = 0, at now: Duration) {
        guard isLearning else { return }
        learner.succeeded(
            latency: latency, promptTokens: usage.promptTokens, reportedCachedTokens: usage.cachedPromptTokens,
            cachedShare: cachedShare, outputTokens: usage.completionTokens, inFlightAtStart: inFlightAtStart, now: now,
            reportInterval: reportInterval, ceiling: maxConcurrency)
    }

    /// An overload answer (429, 503) cuts the learned limit.
    mutating func learnOverload(latency: Duration, at now: Duration) {
        if isLearning { learner.overloaded(now: now, latency: latency) }
    }

    /// The server reported its load.
    mutating func observe(_ load: ServerLoad, at now: Duration, asked: Progress? = nil) {
        enableLearning()
        var own = inFlight
        if let asked { own = max(own, asked.inFlight.saturatingAdd(max(starts &- asked.starts, 0))) }
        learner.observe(load, ownInFlight: own, at: now, ceiling: maxConcurrency)
    }

    /// How long until the budgets allow a request of `tokens` (zero if now).
    func budgetWait(tokens: Double, at now: Duration) -> Duration {
        max(rpm?.wait(for: 1, at: now) ?? .zero, tpm?.wait(for: tokens, at: now) ?? .zero)
    }

    /// Whether a request of `tokens` may start now: a free slot and budget.
    func admits(tokens: Double, at now: Duration, learned: Bool = false) -> Bool {
        hasFreeSlot(learned: learned) && budgetWait(tokens: tokens, at: now) == .zero
    }

    /// The larger used share of the rpm and tpm budgets.
    func usageShare(at now: Duration) -> Double {
        max(rpm?.usedShare(at: now) ?? 0, tpm?.usedShare(at: now) ?? 0)
    }

    /// Starts a request of `tokens` if it may start now; returns whether it did.
    mutating func tryStart(tokens: Double, at now: Duration, learned: Bool = false) -> Bool {
        guard admits(tokens: tokens, at: now, learned: learned) else { return false }
        inFlight += 1
        starts &+= 1
        peakInFlight = max(peakInFlight, inFlight)
        rpm?.take(1, at: now)
        tpm?.take(tokens, at: now)
        return true
    }

    /// Ends a request: frees its slot; `refund` tokens go back to `tpm` (negative: the reply
    /// was larger than estimated).
    mutating func end(refund: Double, at now: Duration) {
        inFlight = max(inFlight - 1, 0)
        if refund != 0 { tpm?.giveBack(refund, at: now) }
    }

    /// Undoes a start whose request was never sent: frees the slot and gives back its rpm and
    /// tpm charges.
    mutating func unstart(tokens: Double, at now: Duration) {
        inFlight = max(inFlight - 1, 0)
        rpm?.giveBack(1, at: now)
        tpm?.giveBack(tokens, at: now)
    }

    /// New limits from a reloaded config: requests in flight stay counted, and a bucket whose
    /// rate is unchanged keeps its level; one whose rate changed starts full at the new rate.
    mutating func update(_ settings: DeploymentSettings, now: Duration) {
        maxConcurrency = settings.maxConcurrency
        reportInterval = settings.metricsURL == nil ? nil : settings.metricsInterval
        if rpm?.capacity != settings.rpm.map({ Double(max($0, 1)) }) { rpm = settings.rpm.map { TokenBucket(perMinute: $0, now: now) } }
        if tpm?.capacity != settings.tpm.map({ Double(max($0, 1)) }) { tpm = settings.tpm.map { TokenBucket(perMinute: $0, now: now) } }
    }
}
