import OneSimModelsCore

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
