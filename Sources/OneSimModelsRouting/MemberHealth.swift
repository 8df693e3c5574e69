import DequeModule
import OneSimModelsCore

/// One member's health: whether it is cooling down, and its recent failures.
///
/// A plain value driven by events and times; the balancer applies it under its lock.
/// Cooldowns are TTLs: a member is healthy again when `cooledUntil` passes, or earlier when a
/// request sent to it in panic mode succeeds (half-open probing).
struct MemberHealth: Sendable, Hashable {
    /// When the current cooldown ends, if the member was ever cooled.
    private(set) var cooledUntil: Duration?
    /// Whether the current cooldown came from counting transient failures (the member still
    /// answers some calls), so panic mode may send to it; not after a 401/403/404 or a 429.
    private(set) var cooledByFailureCount = false
    /// Times of transient failures inside the failure window, oldest first.
    private(set) var recentFailures: Deque<Duration> = []
    /// How many times the member has been cooled.
    private(set) var cooldowns = 0

    /// Whether the member is cooling down at `now`.
    func isCooled(at now: Duration) -> Bool {
        guard let cooledUntil else { return false }
        return now < cooledUntil
    }

    /// The cooldown left at `now`, or `nil` when healthy.
    func cooldownRemaining(at now: Duration) -> Duration? {
        guard let cooledUntil, now < cooledUntil else { return nil }
        return cooledUntil - now
    }

    /// Cools the member for `duration` from `now` (an ongoing longer cooldown is kept).
    /// Clears the failure count. Returns whether a new cooldown started.
    @discardableResult
    mutating func cool(for duration: Duration, at now: Duration, byFailureCount: Bool = false) -> Bool {
        guard duration > .zero else { return false }
        let wasCooled = isCooled(at: now)
        let until = now + duration
        if !wasCooled { cooledByFailureCount = byFailureCount } else if !byFailureCount { cooledByFailureCount = false }
        if let cooledUntil, cooledUntil > until {} else { cooledUntil = until }
        recentFailures.removeAll()
        if !wasCooled { cooldowns += 1 }
        return !wasCooled
    }

    /// Whether panic mode may send to the member at `now`: it is cooling down after too many
    /// transient failures.
    func panicEligible(at now: Duration) -> Bool {
        cooledByFailureCount && isCooled(at: now)
    }

    /// A request succeeded: the cooldown ends now (the member answers again).
    mutating func recover() {
        cooledUntil = nil
        cooledByFailureCount = false
        recentFailures.removeAll()
    }

    /// Records a transient failure at `now`; returns whether the member has now had more than
    /// `allowedFails` failures within `window` (the caller then cools it).
    mutating func recordFailure(at now: Duration, allowedFails: Int, window: Duration) -> Bool {
        while let first = recentFailures.first, first <= now - window { recentFailures.removeFirst() }
        recentFailures.append(now)
        return recentFailures.count > allowedFails
    }

    /// Failures counted inside `window` before `now`.
    func failureCount(at now: Duration, window: Duration) -> Int {
        recentFailures.reduce(0) { $0 + ($1 > now - window ? 1 : 0) }
    }
}

/// The cooldown rules: what a failure does to a member's health.
struct HealthPolicy: Sendable, Hashable {
    /// The cooldown when nothing more specific applies (the member's or the balancer's).
    var cooldownTime: Duration
    /// Transient failures tolerated within `window`.
    var allowedFails: Int
    /// The failure-count window.
    var window: Duration
    /// The longest `Retry-After` a 429 may cool a member for.
    var maxRetryAfter: Duration
    /// Whether the balancer has more than one member; a single member is never cooled by
    /// transient errors (that would turn a blip into an outage).
    var hasAlternatives: Bool

    /// Applies `error` (classified as `disposition`) at `now`; returns whether a new cooldown
    /// started.
    func apply(_ error: ModelError, _ disposition: FailureDisposition, to health: inout MemberHealth, at now: Duration) -> Bool {
        guard cooldownTime > .zero else { return false }
        switch disposition {
        case .coolAndMove:
            return health.cool(for: cooldownTime, at: now)
        case .retryable where error.kind == .rateLimited:
            guard hasAlternatives else { return false }
            let wait = error.retryAfter.flatMap { $0 > .zero ? min($0, maxRetryAfter) : nil } ?? cooldownTime
            return health.cool(for: wait, at: now)
        case .retryable, .failover(countsAsFailure: true):
            guard hasAlternatives else { return false }
            if health.recordFailure(at: now, allowedFails: allowedFails, window: window) {
                return health.cool(for: cooldownTime, at: now, byFailureCount: true)
            }
            return false
        case .returnNow, .failover(countsAsFailure: false), .cancelled:
            return false
        }
    }
}
