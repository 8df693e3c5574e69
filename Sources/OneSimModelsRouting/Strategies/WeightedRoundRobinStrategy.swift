import OneSimModelsCore

/// `weighted`: smooth weighted round robin (nginx's algorithm) by each member's `weight`.
///
/// Over any run of picks among the same candidates, each member's share equals its weight's
/// share, spread evenly (weights 5, 1, 1 give `a a b a c a a`, not `a a a a a b c`). Members
/// with weight 0 are used only when every candidate has weight 0 (then in round-robin order).
package struct WeightedRoundRobinStrategy: RoutingStrategy {
    /// Each member's current smooth weight, by member index.
    private var current: [Double] = []
    /// Used when every candidate's weight is 0.
    private var fallback = RoundRobinStrategy()

    /// A strategy with every member's smooth weight at 0, so the first pick goes to the
    /// heaviest candidate.
    package init() {}

    /// `"weighted"`: the config's `strategy` value and the name in `BalancerStats.strategy`.
    package var name: String { StrategyName.weighted.rawValue }

    /// Adds each candidate's weight to its current weight, picks the largest (first on ties) and
    /// subtracts the candidates' total weight from it.
    package mutating func pick(from candidates: [RoutingCandidate], using generator: inout some RandomNumberGenerator) -> Int {
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
