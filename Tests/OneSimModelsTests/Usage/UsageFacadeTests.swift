import Foundation
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

/// The manager-level usage API (the global functions call the same methods on the shared manager).
@Suite("Token usage facade")
struct UsageFacadeTests {
    func manager() throws -> ModelManager {
        let m = ModelManager(tokenTracker: TokenUsageTracker())
        try m.loadModelConfigs([
            ModelConfig(
                configName: "cheap-4o", modelType: "openai_chat", modelName: "gpt-4o",
                options: ["input_cost_per_token": 0.000001, "output_cost_per_token": 0.000002]),
            ModelConfig(configName: "plain-4o", modelType: "openai_chat", modelName: "gpt-4o"),
        ])
        m.tokenTracker.record(usageRecord(model: "gpt-4o", config: "cheap-4o", provider: "openai", prompt: 1000, completion: 1000))
        m.tokenTracker.record(usageRecord(model: "gpt-4o", config: "plain-4o", provider: "openai", prompt: 1000, completion: 1000))
        return m
    }

    @Test func estimatesUseConfigPricesThenTheBundledTable() async throws {
        let m = try manager()
        #expect(m.configuredPrices().configs["cheap-4o"] == ModelPrice(inputCostPerToken: 0.000001, outputCostPerToken: 0.000002))
        let estimate = m.estimateTokenCost()
        #expect(abs((estimate.configCosts["cheap-4o"]?.totalCost ?? 0) - 0.003) < 1e-12)
        #expect(abs((estimate.configCosts["plain-4o"]?.totalCost ?? 0) - 0.0125) < 1e-12)
        #expect(abs(estimate.totalCostUSD - 0.0155) < 1e-12)

        let perCall = m.estimateTokenCost(prices: ["gpt-4o": .perMillionTokens(input: 1, output: 1)])
        #expect(abs((perCall.configCosts["plain-4o"]?.totalCost ?? 0) - 0.002) < 1e-12)
        #expect(abs((perCall.configCosts["cheap-4o"]?.totalCost ?? 0) - 0.003) < 1e-12)  // the config's own price stays
        await m.shutdown()
    }

    @Test func exportsWithTheEffectivePrices() async throws {
        let m = try manager()
        let dir = try usageTemporaryDirectory()
        let path = try m.exportTokenUsageStats(to: dir.appendingPathComponent("u.json").path)
        let json = try JSONCodec.parse(Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(abs((json["cost_estimate"]?["total_cost_usd"]?.doubleValue ?? 0) - 0.0155) < 1e-12)
        let csv = try m.exportTokenUsageStats(to: dir.appendingPathComponent("u.csv").path)
        #expect(try String(contentsOfFile: csv, encoding: .utf8).hasPrefix("model_name,"))
        await m.shutdown()
    }

    @Test func mergesWorkerSnapshotsIntoTheManagersTracker() async throws {
        let m = try manager()
        let worker = TokenUsageTracker(label: "worker")
        worker.record(usageRecord(model: "gpt-4o", config: "remote", provider: "openai", prompt: 10))
        let first = m.mergeTokenUsageStats([worker.stats()])
        let second = m.mergeTokenUsageStats([worker.stats(), worker.stats()])
        #expect(first.totalTokens == 4010)
        #expect(second.totalTokens == 4010)
        #expect(m.tokenTracker.stats().configUsage["remote"]?.totalTokens == 10)
        await m.shutdown()
    }
}
