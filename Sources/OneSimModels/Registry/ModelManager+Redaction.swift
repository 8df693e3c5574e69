import OneSimModelsCore
import OneSimModelsProviders
import OneSimModelsRouting
import OneSimModelsUsage

extension ModelManager: CustomReflectable {
    /// The loaded config names and the environment's variable names: `dump(manager)` shows no
    /// key, no secret header and no environment value (`OPENAI_API_KEY` and friends).
    public var customMirror: Mirror {
        let (configs, instances) = state.withLock { ($0.order, $0.instances.keys.sorted()) }
        return Mirror(
            self,
            children: [
                "configs": configs, "instances": instances, "environmentNames": environment.keys.sorted(),
                "hasBudget": budget != nil,
            ], displayStyle: .class)
    }
}
