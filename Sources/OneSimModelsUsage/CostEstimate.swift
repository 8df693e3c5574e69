import OneSimModelsCore

/// The cost of some usage: one model's or one config's.
public struct UsageCost: Sendable, Hashable {
    /// Prompt tokens that had a price (unpriced tokens are in `CostEstimate.unpricedTokens`).
    public var promptTokens: Int = 0
    /// Completion tokens that had a price.
    public var completionTokens: Int = 0
    /// USD for the prompt tokens.
    public var promptCost: Double = 0
    /// USD for the completion tokens.
    public var completionCost: Double = 0

    /// Zero tokens and zero USD.
    public init() {}

    /// `promptCost + completionCost`, in USD.
    public var totalCost: Double { promptCost + completionCost }

    mutating func add(_ usage: UsageBucket, at price: ModelPrice) {
        promptTokens = promptTokens.saturatingAdd(usage.promptTokens)
        completionTokens = completionTokens.saturatingAdd(usage.completionTokens)
        promptCost += Double(usage.promptTokens) * price.inputCostPerToken
        completionCost += Double(usage.completionTokens) * price.outputCostPerToken
    }

    /// The original's keys `prompt_cost`, `completion_cost`, `total_cost`, plus the token counts.
    package var json: JSONValue {
        [
            "prompt_cost": .double(promptCost), "completion_cost": .double(completionCost),
            "total_cost": .double(totalCost), "prompt_tokens": .int(promptTokens),
            "completion_tokens": .int(completionTokens),
        ]
    }
}

/// What usage cost, by model and by config, with the models that have no price listed
/// rather than dropped.
public struct CostEstimate: Sendable, Hashable {
    /// USD over every priced call.
    public var totalCostUSD: Double = 0
    /// Cost per model name (only the priced part of each model's usage).
    public var modelCosts: [String: UsageCost] = [:]
    /// Cost per config name (only the priced part).
    public var configCosts: [String: UsageCost] = [:]
    /// Model names with recorded calls that no price covered, sorted. A model priced for one config
    /// (by a config override) and not for another appears here and in `modelCosts`.
    public var unpricedModels: [String] = []
    /// Config names with recorded calls that no price covered, sorted.
    public var unpricedConfigs: [String] = []
    /// Tokens (prompt plus completion) that no price covered.
    public var unpricedTokens: Int = 0
    /// The date of the price table used, if known.
    public var pricesAsOf: String?

    /// An estimate of no usage: zero cost, nothing unpriced, no price date.
    public init() {}

    /// Whether every recorded call was priced.
    public var isComplete: Bool { unpricedModels.isEmpty }

    /// The original's `{total_cost_usd, model_costs: {model: {prompt_cost, completion_cost,
    /// total_cost}}}` plus `config_costs`, `unpriced_models`, `unpriced_configs`,
    /// `unpriced_tokens` and `prices_as_of`.
    package var json: JSONValue {
        [
            "total_cost_usd": .double(totalCostUSD),
            "model_costs": .object(modelCosts.mapValues(\.json)),
            "config_costs": .object(configCosts.mapValues(\.json)),
            "unpriced_models": .array(unpricedModels.map(JSONValue.string)),
            "unpriced_configs": .array(unpricedConfigs.map(JSONValue.string)),
            "unpriced_tokens": .int(unpricedTokens),
            "prices_as_of": asOfJSON,
        ]
    }

    private var asOfJSON: JSONValue { pricesAsOf.map(JSONValue.string) ?? .null }
}

extension TokenUsageStats {
    /// The cost of this usage at `prices` (the bundled table by default). Each row (model,
    /// config, provider, kind) is priced by `PriceTable.match(modelName:configName:)`; rows
    /// without a price are listed under `unpricedModels` / `unpricedConfigs`.
    public func estimateCost(prices: PriceTable = .bundled) -> CostEstimate {
        var estimate = CostEstimate()
        estimate.pricesAsOf = prices.asOf
        var unpricedModels = Set<String>()
        var unpricedConfigs = Set<String>()
        var cache: [UsageKey: ModelPrice?] = [:]
        for row in rows {
            let price: ModelPrice?
            if let cached = cache[row.key] {
                price = cached
            } else {
                price = prices.price(modelName: row.key.modelName, configName: row.key.configName)
                cache[row.key] = price
            }
            guard let price else {
                unpricedModels.insert(row.key.modelName)
                unpricedConfigs.insert(row.key.configName)
                estimate.unpricedTokens = estimate.unpricedTokens.saturatingAdd(
                    max(row.usage.promptTokens.saturatingAdd(row.usage.completionTokens), row.usage.totalTokens))
                continue
            }
            estimate.modelCosts[row.key.modelName, default: UsageCost()].add(row.usage, at: price)
            estimate.configCosts[row.key.configName, default: UsageCost()].add(row.usage, at: price)
        }
        estimate.totalCostUSD = estimate.modelCosts.values.reduce(0) { $0 + $1.totalCost }
        estimate.unpricedModels = unpricedModels.sorted()
        estimate.unpricedConfigs = unpricedConfigs.sorted()
        return estimate
    }
}
