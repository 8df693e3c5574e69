import OneSimModelsCore
import OneSimModelsProviders
import OneSimModelsRouting
import OneSimModelsUsage

/// How a balancer chooses its members: a fixed list, or every config matching a rule at the
/// time it is built (so loading configs later changes the membership).
enum MemberSelection: Sendable, Hashable {
    /// These config names, in order.
    case names([String])
    /// Every config of this kind.
    case kind(ModelKind)
    /// Every config with this `model_name`, optionally only of one kind.
    case modelName(String, kind: ModelKind?)
    /// Every config of this provider and kind.
    case provider(String, kind: ModelKind)
}

/// A balancer known to the manager: from a `load_balancer` config entry, from
/// `configureLoadBalancer`, or from an automatic lookup (`getModel()`, `getModel(modelName:)`).
struct BalancerSpec: Sendable {
    var name: String
    var kind: ModelKind?
    var selection: MemberSelection
    /// `strategy`, `max_retries`, `fallbacks`, `cooldown_time`, `allowed_fails`, `queue_timeout`.
    var options: [String: JSONValue]
    /// Declared in a config file (so it is a config too).
    var isDeclared: Bool

    /// The spec of a `load_balancer` config entry.
    init(declared config: ModelConfig) {
        name = config.configName
        kind = config.options["category"]?.stringValue.flatMap(ModelKind.init(rawValue:))
        selection = .names(config.options["models"]?.arrayValue?.compactMap(\.stringValue) ?? [])
        options = config.options
        isDeclared = true
    }

    /// A spec made in code.
    init(name: String, kind: ModelKind?, selection: MemberSelection, options: [String: JSONValue]) {
        self.name = name
        self.kind = kind
        self.selection = selection
        self.options = options
        isDeclared = false
    }

    /// Whether membership is recomputed from the loaded configs.
    var isAutomatic: Bool {
        if case .names = selection { return false }
        return true
    }
}
