import Foundation
import OneSimModelsCore

/// The built-in routing strategies, by their config names.
///
/// Parse a config's `strategy` value with ``StrategyName/init(parsing:)``; an unknown name is a
/// `.configuration` error that lists the valid ones.
public enum StrategyName: String, Sendable, Hashable, CaseIterable, CustomStringConvertible {
    /// Fleet-aware dispatch, the default (`"fleet"`): late binding into each member's learned
    /// slots (calls wait in the balancer and go to the first member with a free slot), with
    /// prefix-cache and affinity-key awareness. See ``FleetSettings``.
    case fleet
    /// Consistent hashing with bounded loads on the call's `affinityKey`, else its prompt's
    /// first block (`"affinity"`), for hosted APIs whose prompt caches are keyed by prefix.
    case affinity
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
        case .fleet: return NamedDispatch(name: rawValue)
        case .affinity: return NamedDispatch(name: rawValue)
        }
    }
}

/// The strategy slot of the dispatch modes the balancer core runs itself (`fleet`, `affinity`):
/// it only names them; its pick (least busy) is used by nothing but custom code that calls it.
struct NamedDispatch: RoutingStrategy {
    let name: String
    mutating func pick(from candidates: [RoutingCandidate], using generator: inout some RandomNumberGenerator) -> Int {
        Self.leastInFlight(candidates)
    }

    /// The position of the candidate with the fewest requests in flight (the first of equals).
    static func leastInFlight(_ candidates: [RoutingCandidate]) -> Int {
        var best = 0
        for i in candidates.indices where candidates[i].inFlight < candidates[best].inFlight { best = i }
        return best
    }
}
