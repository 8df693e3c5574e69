import Foundation
import OneSimModelsCore

/// The built-in routing strategies, by their config names.
///
/// Parse a config's `strategy` value with ``StrategyName/init(parsing:)``; an unknown name is a
/// `.configuration` error that lists the valid ones.
public enum StrategyName: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Members in config order, one after another (`"round_robin"`).
    case roundRobin = "round_robin"
    /// A uniformly random healthy member (`"random"`).
    case random
    /// Smooth weighted round robin by each member's `weight` (`"weighted"`).
    case weighted
    /// The member with the fewest requests in flight, by power-of-two choices (`"least_busy"`).
    case leastBusy = "least_busy"
    /// The member with the lowest moving-average latency per output token (`"latency"`).
    case latency
    /// The member with the lowest used share of its `rpm` / `tpm` limits (`"usage"`).
    case usage

    /// Parses a config value: case-insensitive, `-` accepted for `_` (`"least-busy"`).
    ///
    /// - Throws: `ModelError.Kind.configuration` naming the value and listing the valid names.
    public init(parsing name: String) throws(ModelError) {
        let normalized = name.trimmingCharacters(in: .whitespaces).lowercased().replacingOccurrences(of: "-", with: "_")
        guard let value = StrategyName(rawValue: normalized) else {
            throw ModelError(
                .configuration,
                "unknown load balancing strategy '\(name)' (valid: \(StrategyName.validNames))",
                param: "strategy")
        }
        self = value
    }

    /// The valid names, comma-separated, for error messages.
    package static var validNames: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// The config name (`"round_robin"`, ...).
    public var description: String { rawValue }

    /// A fresh instance of this strategy, with its own state.
    package func makeStrategy() -> any RoutingStrategy {
        switch self {
        case .roundRobin: return RoundRobinStrategy()
        case .random: return RandomStrategy()
        case .weighted: return WeightedRoundRobinStrategy()
        case .leastBusy: return LeastBusyStrategy()
        case .latency: return LowestLatencyStrategy()
        case .usage: return LowestUsageStrategy()
        }
    }
}
