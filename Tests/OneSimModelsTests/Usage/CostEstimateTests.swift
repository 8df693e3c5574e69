import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("Cost estimate")
struct CostEstimateTests {
    /// gpt-4o through two configs, a dated gpt-4o-mini, an embedding model and an unpriced local model.
    func sampleTracker() -> TokenUsageTracker {
        let t = TokenUsageTracker()
        t.record(usageRecord(model: "gpt-4o", config: "a", provider: "openai", prompt: 1000, completion: 500))
        t.record(usageRecord(model: "gpt-4o", config: "b", provider: "azure", prompt: 2000, completion: 0))
        t.record(usageRecord(model: "gpt-4o-mini-2024-07-18", config: "mini", provider: "openai", prompt: 100, completion: 100))
        t.record(usageRecord(model: "text-embedding-3-small", config: "emb", provider: "openai", kind: .embedding, prompt: 5000))
        t.record(usageRecord(model: "qwen-local", config: "vllm-a", provider: "vllm", prompt: 300, completion: 30))
        t.record(usageRecord(model: "only-errors", config: "broken", provider: "vllm", error: .serverError))
        return t
    }

    @Test func pricesEveryRowAndListsTheUnpriced() {
        let estimate = sampleTracker().stats().estimateCost()
        let gpt4o = 3000 * 2.5e-6 + 500 * 1e-5
        let mini = 100 * 0.15e-6 + 100 * 0.6e-6
        let embedding = 5000 * 0.02e-6
        #expect(abs((estimate.modelCosts["gpt-4o"]?.totalCost ?? 0) - gpt4o) < 1e-12)
        #expect(abs((estimate.modelCosts["gpt-4o-mini-2024-07-18"]?.totalCost ?? 0) - mini) < 1e-12)
        #expect(abs((estimate.modelCosts["text-embedding-3-small"]?.promptCost ?? 0) - embedding) < 1e-12)
        #expect(abs(estimate.totalCostUSD - (gpt4o + mini + embedding)) < 1e-12)
        #expect(abs((estimate.configCosts["a"]?.totalCost ?? 0) - (1000 * 2.5e-6 + 500 * 1e-5)) < 1e-12)
        #expect(abs((estimate.configCosts["b"]?.totalCost ?? 0) - 2000 * 2.5e-6) < 1e-12)
        #expect(estimate.modelCosts["gpt-4o"]?.promptTokens == 3000)
        #expect(estimate.unpricedModels == ["only-errors", "qwen-local"])
        #expect(estimate.unpricedConfigs == ["broken", "vllm-a"])
        #expect(estimate.unpricedTokens == 330)
        #expect(estimate.modelCosts["qwen-local"] == nil)
        #expect(!estimate.isComplete)
        #expect(estimate.pricesAsOf == PriceTable.bundled.asOf)
    }

    @Test func configAndPerCallPricesOverrideTheTable() {
        var configPrices = PriceTable()
        configPrices.setPrice(.perMillionTokens(input: 1, output: 1), forConfig: "b")
        configPrices.setPrice(.perMillionTokens(input: 10, output: 20), forConfig: "vllm-a")
        let perCall: PriceTable = ["gpt-4o": .perMillionTokens(input: 5, output: 5)]
        let prices = perCall.overriding(configPrices.overriding(.bundled))
        let estimate = sampleTracker().stats().estimateCost(prices: prices)

        #expect(abs((estimate.configCosts["a"]?.totalCost ?? 0) - 1500 * 5e-6) < 1e-12)  // per call
        #expect(abs((estimate.configCosts["b"]?.totalCost ?? 0) - 2000 * 1e-6) < 1e-12)  // config
        #expect(abs((estimate.modelCosts["qwen-local"]?.totalCost ?? 0) - (300 * 10e-6 + 30 * 20e-6)) < 1e-12)
        #expect(estimate.unpricedModels == ["only-errors"])
    }

    @Test func jsonHasTheOriginalKeys() {
        let json = sampleTracker().stats().estimateCost().json
        #expect(json["total_cost_usd"]?.doubleValue != nil)
        let gpt4o = json["model_costs"]?["gpt-4o"]
        for key in ["prompt_cost", "completion_cost", "total_cost"] {
            #expect(gpt4o?[key]?.doubleValue != nil, "missing \(key)")
        }
        #expect(json["unpriced_models"] == ["only-errors", "qwen-local"])
        #expect(json["config_costs"]?["a"] != nil)
    }

    @Test func anEmptyTableLeavesEverythingUnpriced() {
        let estimate = sampleTracker().stats().estimateCost(prices: .empty)
        #expect(estimate.totalCostUSD == 0)
        #expect(estimate.modelCosts.isEmpty)
        #expect(estimate.unpricedModels.count == 5)
    }
}
