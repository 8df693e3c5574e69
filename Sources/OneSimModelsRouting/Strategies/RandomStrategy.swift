import OneSimModelsCore

/// `random`: a uniformly random candidate.
package struct RandomStrategy: RoutingStrategy {
    /// A stateless strategy; the randomness comes from the generator `pick` is given.
    package init() {}

    /// `"random"`: the config's `strategy` value and the name in `BalancerStats.strategy`.
    package var name: String { StrategyName.random.rawValue }

    /// A uniformly random position.
    package func pick(from candidates: [RoutingCandidate], using generator: inout some RandomNumberGenerator) -> Int {
        Int.random(in: 0..<candidates.count, using: &generator)
    }
}
