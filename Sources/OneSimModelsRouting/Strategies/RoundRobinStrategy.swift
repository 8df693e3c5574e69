import OneSimModelsCore

/// `round_robin`: members in exact config order, skipping those that cannot serve now.
package struct RoundRobinStrategy: RoutingStrategy {
    /// The member index the next pick starts looking from.
    private var next = 0

    /// A cursor at the first member.
    package init() {}

    /// `"round_robin"`: the config's `strategy` value and the name in `BalancerStats.strategy`.
    package var name: String { StrategyName.roundRobin.rawValue }

    /// The first candidate at or after the cursor (wrapping), then moves the cursor past it.
    package mutating func pick(from candidates: [RoutingCandidate], using generator: inout some RandomNumberGenerator) -> Int {
        let position = candidates.firstIndex { $0.index >= next } ?? 0
        next = candidates[position].index + 1
        return position
    }
}
