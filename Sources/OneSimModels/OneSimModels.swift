import OneSimModelsCore
import OneSimModelsProviders
import OneSimModelsRouting
import OneSimModelsUsage

import Logging

/// The process-wide model manager.
public func getModelManager() -> ModelManager { ModelManager.shared }

/// A model from the shared manager: by config name (a plain config or a balancer), else the
/// balancer over every config with `modelName`, else the default balancer of `modelType`
/// (`chat_load_balancer` when nothing is given).
public func getModel(configName: String? = nil, modelType: ModelKind? = nil, modelName: String? = nil) throws(ModelError) -> any ModelAdapter {
    try ModelManager.shared.getModel(configName: configName, modelType: modelType, modelName: modelName)
}

/// A model from the shared manager by config name: `getModel("gpt-4")`.
public func getModel(_ configName: String) throws(ModelError) -> any ModelAdapter {
    try ModelManager.shared.getModel(configName: configName)
}

/// An embedding model from the shared manager: `configName`, or `embedding_load_balancer`.
public func getEmbeddingModel(configName: String? = nil) throws(ModelError) -> any ModelAdapter {
    try ModelManager.shared.getEmbeddingModel(configName: configName)
}

/// Configures a load balancer on the shared manager (see `ModelManager.configureLoadBalancer`).
public func configureLoadBalancer(
    modelConfigs: [String]? = nil, strategy: String = "round_robin", configName: String = "chat_load_balancer",
    modelType: ModelKind = .chat
) throws(ModelError) {
    try ModelManager.shared.configureLoadBalancer(
        modelConfigs: modelConfigs, strategy: strategy, configName: configName, modelType: modelType)
}

/// Token usage of the shared manager so far, as a value snapshot.
public func getTokenUsageStats() -> TokenUsageStats { ModelManager.shared.tokenTracker.stats() }

/// Clears the shared manager's token counts.
public func resetTokenStats() { ModelManager.shared.tokenTracker.reset() }

/// Logs the shared manager's token usage.
public func logTokenUsage(to logger: Logger = Logger(label: "onesim.models.usage")) {
    ModelManager.shared.logTokenUsage(to: logger)
}
