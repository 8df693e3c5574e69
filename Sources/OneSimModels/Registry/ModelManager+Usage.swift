import OneSimModelsCore
import OneSimModelsProviders
import OneSimModelsRouting
import OneSimModelsUsage

import Logging

extension ModelManager {
    /// The prices the loaded configs set with `input_cost_per_token` / `output_cost_per_token`,
    /// by config name.
    public func configuredPrices() -> PriceTable {
        PriceTable.configuredPrices(in: modelConfigs.values)
    }

    /// The prices cost estimates use: `prices` (per call) over the configs' own prices over the
    /// bundled table (see `PriceTable.overriding(_:)` and `PriceTable.match(modelName:configName:)`).
    public func effectivePrices(_ prices: PriceTable? = nil) -> PriceTable {
        let base = configuredPrices().overriding(.bundled)
        return prices.map { $0.overriding(base) } ?? base
    }

    /// The cost of this manager's token usage so far, at `effectivePrices(prices)`.
    public func estimateTokenCost(prices: PriceTable? = nil) -> CostEstimate {
        tokenTracker.stats().estimateCost(prices: effectivePrices(prices))
    }

    /// Writes this manager's token usage to `path` (default `token_usage_<YYYYmmdd_HHMMSS>.json`)
    /// as JSON with `cost_estimate`, or as CSV (by `format`, else by a `.csv` extension), and
    /// returns the path.
    ///
    /// - Throws: `ModelError.configuration` when the file cannot be written.
    @discardableResult
    public func exportTokenUsageStats(to path: String? = nil, format: UsageExportFormat? = nil, prices: PriceTable? = nil) throws(ModelError) -> String {
        try tokenTracker.export(to: path, format: format, prices: effectivePrices(prices))
    }

    /// Folds other processes' snapshots into this manager's tracker, one copy per source (so a
    /// worker may send its cumulative snapshot every step), and returns the merged snapshot.
    @discardableResult
    public func mergeTokenUsageStats(_ snapshots: [TokenUsageStats]) -> TokenUsageStats {
        for snapshot in snapshots { tokenTracker.merge(snapshot) }
        return tokenTracker.stats()
    }

    /// Logs this manager's token usage with costs at `effectivePrices()`.
    public func logTokenUsage(to logger: Logger = Logger(label: "onesim.models.usage")) {
        tokenTracker.log(to: logger, prices: effectivePrices())
    }
}
