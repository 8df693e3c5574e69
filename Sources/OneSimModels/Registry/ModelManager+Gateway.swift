import OneSimModelsCore
import OneSimModelsProviders
import OneSimModelsRouting

/// What the gateway (`onesim-models serve`) asks the registry: a model by the name a client
/// sends, the names it can list, and the balancers whose health it reports.
extension ModelManager {
    /// One name a client may send as `model`.
    package struct ServedName: Sendable, Hashable {
        package var name: String
        package var kind: ModelKind
        /// `config`, `load_balancer` or `model_name` (the balancer over every config with it).
        package var source: String
    }

    /// The model a client's `model` names: a config, a balancer, or the balancer over every
    /// config with that `model_name` (of `kind`). `nil` when nothing has that name.
    package func servedModel(named name: String, kind: ModelKind) throws(ModelError) -> (any ModelAdapter)? {
        let (isName, hasModelName) = state.withLock { state -> (Bool, Bool) in
            if state.configs[name] != nil || state.balancerSpecs[name] != nil { return (true, false) }
            // Only names that are no config nor balancer pay for the scan.
            let shared = state.configs.values.contains {
                $0.modelType != ConfigParser.balancerType && $0.resolvedModelName == name
                    && registry.descriptor(for: $0.modelType)?.kind == kind
            }
            return (false, shared)
        }
        if isName { return try getModel(configName: name) }
        if hasModelName { return try getModel(modelType: kind, modelName: name) }
        return nil
    }

    /// Every config and declared or configured balancer, plus every `model_name` shared by
    /// configs, sorted by name.
    package func servedNames() -> [ServedName] {
        state.withLock { state in
            var out: [String: ServedName] = [:]
            for (name, config) in state.configs {
                if config.modelType == ConfigParser.balancerType { continue }
                guard let kind = registry.descriptor(for: config.modelType)?.kind else { continue }
                out[name] = ServedName(name: name, kind: kind, source: "config")
                let modelName = config.resolvedModelName
                if out[modelName] == nil, state.configs[modelName] == nil, state.balancerSpecs[modelName] == nil {
                    out[modelName] = ServedName(name: modelName, kind: kind, source: "model_name")
                }
            }
            for (name, spec) in state.balancerSpecs where !spec.isAutomatic || state.configs[name] != nil {
                out[name] = ServedName(name: name, kind: self.kind(of: name, in: state) ?? spec.kind ?? .chat, source: "load_balancer")
            }
            return out.values.sorted { $0.name < $1.name }
        }
    }

    /// The declared and configured balancers (built on demand), by name; a balancer that cannot
    /// be built is left out (its calls fail with the reason).
    package func servedBalancers() -> [LoadBalancer] {
        let names = state.withLock { state in
            state.balancerSpecs.filter { !$0.value.isAutomatic || state.configs[$0.key] != nil }.keys.sorted()
        }
        return names.compactMap { name in (try? getModel(configName: name)) as? LoadBalancer }
    }
}
