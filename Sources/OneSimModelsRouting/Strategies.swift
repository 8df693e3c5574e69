import OneSimModelsCore

/// `round_robin`: members in exact config order, skipping those that cannot serve now.
public struct RoundRobinStrategy: RoutingStrategy {
    /// The member index the next pick starts looking from.
    private var next = 0

    /// A cursor at the first member.
    public init() {}

    /// `"round_robin"`: the config's `strategy` value and the name in `BalancerStats.strategy`.
    public var name: String { StrategyName.roundRobin.rawValue }

    /// The first candidate at or after the cursor (wrapping), then moves the cursor past it.
    public mutating func pick(from candidates: [RoutingCandidate], using generator: inout some RandomNumberGenerator) -> Int {
        let position = candidates.firstIndex { $0.index >= next } ?? 0
        next = candidates[position].index + 1
        return position
    }
}

/// `random`: a uniformly random candidate.
public struct RandomStrategy: RoutingStrategy {
    /// A stateless strategy; the randomness comes from the generator `pick` is given.
    public init() {}

    /// `"random"`: the config's `strategy` value and the name in `BalancerStats.strategy`.
    public var name: String { StrategyName.random.rawValue }

    /// A uniformly random position.
    public func pick(from candidates: [RoutingCandidate], using generator: inout some RandomNumberGenerator) -> Int {
        Int.random(in: 0..<candidates.count, using: &generator)
    }
}

/// `weighted`: smooth weighted round robin (nginx's algorithm) by each member's `weight`.
///
/// Over any run of picks among the same candidates, each member's share equals its weight's
/// share, spread evenly (weights 5, 1, 1 give `a a b a c a a`, not `a a a a a b c`). Members
/// with weight 0 are used only when every candidate has weight 0 (then in round-robin order).
public struct WeightedRoundRobinStrategy: RoutingStrategy {
    /// Each member's current smooth weight, by member index.
    private var current: [Double] = []
    /// Used when every candidate's weight is 0.
    private var fallback = RoundRobinStrategy()

    /// A strategy with every member's smooth weight at 0, so the first pick goes to the
    /// heaviest candidate.
    public init() {}

    /// `"weighted"`: the config's `strategy` value and the name in `BalancerStats.strategy`.
    public var name: String { StrategyName.weighted.rawValue }

    /// Adds each candidate's weight to its current weight, picks the largest (first on ties) and
    /// subtracts the candidates' total weight from it.
    public mutating func pick(from candidates: [RoutingCandidate], using generator: inout some RandomNumberGenerator) -> Int {
        if let last = candidates.last, last.index >= current.count {
            current.append(contentsOf: repeatElement(0, count: last.index + 1 - current.count))
        }
        var total = 0.0
        var best = -1
        for (position, candidate) in candidates.enumerated() {
            let weight = candidate.weight.isFinite ? max(candidate.weight, 0) : 0
            guard weight > 0 else { continue }
            total += weight
            current[candidate.index] += weight
            if best < 0 || current[candidate.index] > current[candidates[best].index] { best = position }
        }
        guard best >= 0 else { return fallback.pick(from: candidates, using: &generator) }
        current[candidates[best].index] -= total
        return best
    }
}

/// `least_busy`: power of two choices on exact in-flight counts.
///
/// Two distinct random candidates are drawn and the one with fewer requests in flight wins
/// (a random one of the two on a tie). With two candidates this is "the less busy one"; with
/// many it avoids the herd that "always the global minimum" causes, at the same quality.
public struct LeastBusyStrategy: RoutingStrategy {
    /// A stateless strategy; the two draws come from the generator `pick` is given.
    public init() {}

    /// `"least_busy"`: the config's `strategy` value and the name in `BalancerStats.strategy`.
    public var name: String { StrategyName.leastBusy.rawValue }

    /// The less busy of two random candidates.
    public func pick(from candidates: [RoutingCandidate], using generator: inout some RandomNumberGenerator) -> Int {
        let count = candidates.count
        guard count > 1 else { return 0 }
        let a = Int.random(in: 0..<count, using: &generator)
        var b = Int.random(in: 0..<(count - 1), using: &generator)
        if b >= a { b += 1 }
        let (x, y) = (candidates[a].inFlight, candidates[b].inFlight)
        if x != y { return x < y ? a : b }
        return Bool.random(using: &generator) ? a : b
    }
}

/// `latency`: the lowest moving average of latency per output token (per request for
/// embeddings), with new and stale members probed rather than starved.
///
/// A member without a measurement that has nothing in flight is picked first, so every new
/// (or reset) member gets a probe. So is an idle member whose last sample is older than
/// `probeAfter`: one slow sample (a cold start) does not bar a member for good, since the
/// average forgets old samples (`MemberRuntime.latencyMemory`) and a probe refreshes it.
/// Members still waiting for their first measurement are otherwise left alone; when no
/// member is measured yet, the least busy one is used.
public struct LowestLatencyStrategy: RoutingStrategy {
    /// An idle member whose last sample is older than this gets the next call.
    public var probeAfter: Duration

    /// The strategy; idle members not measured for `probeAfter` (default 10 s) are probed.
    public init(probeAfter: Duration = .seconds(10)) {
        self.probeAfter = probeAfter
    }

    /// `"latency"`: the config's `strategy` value and the name in `BalancerStats.strategy`.
    public var name: String { StrategyName.latency.rawValue }

    /// An idle unmeasured member, else the idle member with the stalest sample older than
    /// `probeAfter`, else the lowest average (fewest in flight, then random, on ties).
    public func pick(from candidates: [RoutingCandidate], using generator: inout some RandomNumberGenerator) -> Int {
        if let probe = candidates.firstIndex(where: { $0.latencySamples == 0 && $0.inFlight == 0 }) { return probe }
        var stale: Int?
        for position in candidates.indices where candidates[position].inFlight == 0 {
            guard let age = candidates[position].latencySampleAge, age >= probeAfter else { continue }
            if let best = stale, let bestAge = candidates[best].latencySampleAge, bestAge >= age { continue }
            stale = position
        }
        if let stale { return stale }
        var best = -1
        var bestKey = (Double.infinity, Double.infinity)
        var ties = 0
        for position in candidates.indices {
            guard let latency = candidates[position].latencyPerToken else { continue }
            let key = (latency.seconds, Double(candidates[position].inFlight))
            if best < 0 || key < bestKey {
                best = position
                bestKey = key
                ties = 1
            } else if key == bestKey {
                ties += 1
                if Int.random(in: 0..<ties, using: &generator) == 0 { best = position }
            }
        }
        if best >= 0 { return best }
        return Ranking.lowest(candidates.indices, using: &generator) { Double(candidates[$0].inFlight) }
    }
}

/// `usage`: the lowest used share of the member's `rpm` / `tpm` budget.
///
/// Members without limits count as unused (share 0); ties go to the member with fewer
/// requests in flight, then to a random one.
public struct LowestUsageStrategy: RoutingStrategy {
    /// A stateless strategy: shares are read from the candidates at each pick.
    public init() {}

    /// `"usage"`: the config's `strategy` value and the name in `BalancerStats.strategy`.
    public var name: String { StrategyName.usage.rawValue }

    /// The candidate with the lowest `usageShare`; ties go to fewer requests in flight, then
    /// to a random one of those.
    public func pick(from candidates: [RoutingCandidate], using generator: inout some RandomNumberGenerator) -> Int {
        Ranking.lowest(candidates.indices, using: &generator) { candidates[$0].usageShare } tieBreak: {
            Double(candidates[$0].inFlight)
        }
    }
}

/// Argmin helpers shared by the strategies.
enum Ranking {
    /// The position with the lowest `key`, then lowest `tieBreak`; a random one among full ties.
    static func lowest(
        _ positions: some Collection<Int>, using generator: inout some RandomNumberGenerator,
        key: (Int) -> Double, tieBreak: (Int) -> Double = { _ in 0 }
    ) -> Int {
        var best: [Int] = []
        var bestKey = (Double.infinity, Double.infinity)
        for position in positions {
            let k = (key(position), tieBreak(position))
            if best.isEmpty || k < bestKey {
                best = [position]
                bestKey = k
            } else if k == bestKey {
                best.append(position)
            }
        }
        guard !best.isEmpty else { return 0 }
        return best.count == 1 ? best[0] : best[Int.random(in: 0..<best.count, using: &generator)]
    }
}
