import Foundation

/// Recent latencies of one member, for its p50 and p99: a fixed log-bucket histogram per
/// ten-second slot, six slots in a ring, so the quantiles cover the last 50 to 60 seconds.
///
/// Bounded and cheap on the call path: `record` is O(1) (one `log2`, one increment; a slot
/// that comes round again is cleared once, 82 counters), memory is fixed (6 x 82 counters,
/// about 4 KB per member), and only `quantile` (read by `stats()`, not by calls) sums the
/// ring. Buckets grow by 2^(1/4) from 0.5 ms, so a quantile is the geometric middle of its
/// bucket: within about 9 % of the true value between 0.5 ms and 9 minutes (below and above,
/// the range's ends are reported).
package struct LatencyWindow: Sendable, Hashable {
    /// Width of one slot of the ring.
    package static let slot: Duration = .seconds(10)
    /// Slots in the ring (the window is `slots` x `slot`, the current slot partly filled).
    package static let slots = 6
    /// Bucket 0 holds latencies under `floor`; bucket `k` (1...80) holds
    /// `floor * 2^((k-1)/4) ..< floor * 2^(k/4)`; bucket 81 holds the rest.
    package static let buckets = 82
    /// The lower end of bucket 1, in seconds.
    package static let floor = 0.000_5
    static let perOctave = 4.0

    /// The slot number each ring entry holds counts for (`Int.min` when none yet).
    private var slotOf = [Int](repeating: .min, count: slots)
    private var counts = [UInt32](repeating: 0, count: slots * buckets)

    package init() {}

    /// The bucket of a latency of `seconds` (NaN and negative ones count as 0, +infinity as the
    /// longest).
    package static func bucket(_ seconds: Double) -> Int {
        guard !seconds.isNaN, seconds >= floor else { return 0 }
        let k = (perOctave * log2(seconds / floor)).rounded(.down)
        guard k.isFinite, k < Double(buckets - 2) else { return buckets - 1 }
        return Int(k) + 1
    }

    /// The latency reported for bucket `b`: its geometric middle (the range's end for the
    /// first and last bucket).
    package static func representative(_ b: Int) -> Double {
        if b <= 0 { return floor }
        if b >= buckets - 1 { return floor * exp2(Double(buckets - 2) / perOctave) }
        return floor * exp2((Double(b - 1) + 0.5) / perOctave)
    }

    /// The slot number of time `now`.
    static func slotNumber(_ now: Duration) -> Int {
        let (seconds, _) = now.components
        let width = slot.components.seconds
        return Int(seconds / width - (seconds % width < 0 ? 1 : 0))
    }

    /// Records one latency at time `now`.
    package mutating func record(_ latency: Duration, at now: Duration) {
        let number = Self.slotNumber(now)
        let index = ((number % Self.slots) + Self.slots) % Self.slots
        if slotOf[index] != number {
            slotOf[index] = number
            let base = index * Self.buckets
            for b in base..<(base + Self.buckets) { counts[b] = 0 }
        }
        let i = index * Self.buckets + Self.bucket(latency.seconds)
        if counts[i] < .max { counts[i] += 1 }
    }

    /// The latency under which a share `q` (0...1) of the window's samples fall, or `nil` when
    /// the window has none.
    package func quantile(_ q: Double, at now: Duration) -> Duration? {
        let current = Self.slotNumber(now)
        var totals = [Int](repeating: 0, count: Self.buckets)
        var n = 0
        for index in 0..<Self.slots {
            let number = slotOf[index]
            guard number != .min, number <= current, current - number < Self.slots else { continue }
            let base = index * Self.buckets
            for b in 0..<Self.buckets {
                totals[b] += Int(counts[base + b])
                n += Int(counts[base + b])
            }
        }
        guard n > 0 else { return nil }
        let share = q.isFinite ? min(max(q, 0), 1) : 0.5
        let rank = max(1, Int((share * Double(n)).rounded(.up)))
        var seen = 0
        for b in 0..<Self.buckets {
            seen += totals[b]
            if seen >= rank { return .seconds(Self.representative(b)) }
        }
        return .seconds(Self.representative(Self.buckets - 1))
    }
}
