import OneSimModelsCore

/// `least_busy`: power of two choices on exact in-flight counts.
///
/// Two distinct random candidates are drawn and the one with fewer requests in flight wins
/// (a random one of the two on a tie). With two candidates this is "the less busy one"; with
/// many it avoids the herd that "always the global minimum" causes, at the same quality.
package struct LeastBusyStrategy: RoutingStrategy {
    /// A stateless strategy; the two draws come from the generator `pick` is given.
    package init() {}

    /// `"least_busy"`: the config's `strategy` value and the name in `BalancerStats.strategy`.
    package var name: String { StrategyName.leastBusy.rawValue }

    /// The less busy of two random candidates.
    package func pick(from candidates: [RoutingCandidate], using generator: inout some RandomNumberGenerator) -> Int {
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
