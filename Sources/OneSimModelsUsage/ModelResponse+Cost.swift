import OneSimModelsCore

extension ModelResponse {
    /// What this response cost at `prices`, keyed by `modelInfo.modelName` (and the serving
    /// config: `modelInfo.member` for a balancer, else `modelInfo.configName`), or `nil`
    /// when the model is unpriced.
    public func cost(using prices: PriceTable = .bundled) -> Double? {
        prices.price(modelName: modelInfo.modelName, configName: modelInfo.member ?? modelInfo.configName)?.cost(of: usage)
    }
}
