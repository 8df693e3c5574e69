import OneSimModelsCore

/// A per-minute budget (`rpm` or `tpm`) as a token bucket, driven by an injected time.
///
/// The bucket holds at most `capacity` tokens and refills `capacity / 60` per second. A
/// request that costs more than the whole capacity is let through when the bucket is full,
/// so it can never wait forever. Charges may push the level below zero (a reply larger than
/// estimated); the debt is repaid by refilling.
struct TokenBucket: Sendable, Hashable {
    /// Tokens per minute.
    let capacity: Double
    /// Tokens available at `updatedAt`.
    private(set) var level: Double
    /// When `level` was last brought up to date.
    private var updatedAt: Duration

    /// A full bucket of `perMinute` tokens.
    init(perMinute: Int, now: Duration) {
        capacity = Double(max(perMinute, 1))
        level = capacity
        updatedAt = now
    }

    /// Tokens refilled per second.
    var ratePerSecond: Double { capacity / 60 }

    /// The level at `now`, without changing the bucket.
    func level(at now: Duration) -> Double {
        let elapsed = max((now - updatedAt).seconds, 0)
        return min(capacity, level + elapsed * ratePerSecond)
    }

    /// The amount that must be available before a request of `cost` may go.
    private func needed(_ cost: Double) -> Double { min(max(cost, 0), capacity) }

    /// Rounding slack, so a wait computed to the nanosecond lets the request go at its end.
    static let tolerance = 1e-6

    /// Whether a request of `cost` may go at `now`.
    func allows(_ cost: Double, at now: Duration) -> Bool {
        level(at: now) + Self.tolerance >= needed(cost)
    }

    /// How long until a request of `cost` may go (zero when it may go now), rounded down to
    /// the nanosecond (at least 1 ns).
    func wait(for cost: Double, at now: Duration) -> Duration {
        let missing = needed(cost) - level(at: now)
        guard missing > Self.tolerance else { return .zero }
        let nanoseconds = (missing / ratePerSecond * 1e9).rounded(.down)
        return .nanoseconds(max(Int64(min(nanoseconds, 9e18)), 1))
    }

    /// Takes `cost` tokens at `now` (the level may go negative).
    mutating func take(_ cost: Double, at now: Duration) {
        refill(at: now)
        level -= cost
    }

    /// Gives back `amount` tokens (negative: takes more), never above capacity.
    mutating func giveBack(_ amount: Double, at now: Duration) {
        refill(at: now)
        level = min(capacity, level + amount)
    }

    /// The share of the minute's budget in use at `now` (0 = full bucket; above 1 in debt).
    func usedShare(at now: Duration) -> Double {
        (capacity - level(at: now)) / capacity
    }

    /// Brings `level` up to date.
    private mutating func refill(at now: Duration) {
        level = level(at: now)
        if now > updatedAt { updatedAt = now }
    }
}
