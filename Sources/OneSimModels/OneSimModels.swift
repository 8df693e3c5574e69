import OneSimModelsCore
import OneSimModelsProviders
import OneSimModelsRouting
import OneSimModelsUsage

import Logging

/// `ModelManager.shared`, the manager every facade function uses: created on first use with the
/// process environment and default HTTP settings, and without configs until one is loaded.
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

/// The cost of the shared manager's token usage so far: per-call `prices` over the configs'
/// `input_cost_per_token` / `output_cost_per_token` over the bundled table. Unpriced models
/// are listed in `unpricedModels`.
public func estimateTokenCost(prices: PriceTable? = nil) -> CostEstimate {
    ModelManager.shared.estimateTokenCost(prices: prices)
}

/// Writes the shared manager's token usage to `path` (default
/// `token_usage_<YYYYmmdd_HHMMSS>.json` in the current directory) as JSON with `cost_estimate`,
/// or as CSV (by `format`, else by a `.csv` extension), and returns the path.
///
/// - Throws: `ModelError.configuration` when the file cannot be written.
@discardableResult
public func exportTokenUsageStats(to path: String? = nil, format: UsageExportFormat? = nil, prices: PriceTable? = nil) throws(ModelError) -> String {
    try ModelManager.shared.exportTokenUsageStats(to: path, format: format, prices: prices)
}

/// Folds other processes' snapshots (e.g. `TokenUsageStats(json:)` of what workers sent) into
/// the shared manager's tracker without double counting, and returns the merged snapshot.
@discardableResult
public func mergeTokenUsageStats(_ snapshots: [TokenUsageStats]) -> TokenUsageStats {
    ModelManager.shared.mergeTokenUsageStats(snapshots)
}
