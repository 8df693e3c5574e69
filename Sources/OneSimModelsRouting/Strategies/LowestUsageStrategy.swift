import OneSimModelsCore

/// `usage`: the lowest used share of the member's `rpm` / `tpm` budget.
///
/// Members without limits count as unused (share 0); ties go to the member with fewer
/// requests in flight, then to a random one.
package struct LowestUsageStrategy: RoutingStrategy {
    /// A stateless strategy: shares are read from the candidates at each pick.
    package init() {}

    /// `"usage"`: the config's `strategy` value and the name in `BalancerStats.strategy`.
    package var name: String { StrategyName.usage.rawValue }

    /// The candidate with the lowest `usageShare`; ties go to fewer requests in flight, then
    /// to a random one of those.
    package func pick(from candidates: [RoutingCandidate], using generator: inout some RandomNumberGenerator) -> Int {
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
