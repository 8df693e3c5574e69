import OneSimModelsSimulator
import Testing

@testable import OneSimModels

@Suite("Token usage tracking")
struct TokenUsageTrackerTests {
    @Test func exactUnderConcurrencyAndMatchesTheSimulator() async throws {
        try await withSimulator(.init(recordRequests: false)) { sim, m in
            try m.loadModelConfigs(json: "[\(chatConfig("a", sim)), \(chatConfig("b", sim))]")
            let a = try m.getModel(configName: "a")
            let b = try m.getModel(configName: "b")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<1000 {
                    let model = i % 2 == 0 ? a : b
                    group.addTask { _ = try await model.acall("word \(i) here") }
                }
                try await group.waitForAll()
            }
            let stats = m.tokenTracker.stats()
            #expect(stats.requestCount == 1000)
            #expect(stats.totalTokens == sim.servedTokens)
            #expect(stats.totalTokens == 6000)  // 3 prompt + 3 completion tokens each
            #expect(stats.configUsage["a"]?.requestCount == 500)
            #expect(stats.modelUsage["sim-chat"]?.requestCount == 1000)
            #expect(stats.providerUsage["openai"]?.totalTokens == 6000)
        }
    }

    @Test func snapshotsAreIndependentValues() {
        let tracker = TokenUsageTracker()
        tracker.record(CallRecord(modelName: "m", configName: "c", provider: "p", kind: .chat,
            usage: Usage(promptTokens: 2, completionTokens: 3), latency: .milliseconds(5)))
        var snapshot = tracker.stats()
        snapshot.modelUsage["m"]?.totalTokens += 1000
        snapshot.totalTokens = 0
        #expect(tracker.stats().modelUsage["m"]?.totalTokens == 5)
        #expect(tracker.stats().totalTokens == 5)
        let dict = tracker.stats().dictionary
        for key in ["total_prompt_tokens", "total_completion_tokens", "total_tokens", "request_count", "model_usage",
            "elapsed_time_seconds", "tokens_per_second"] {
            #expect(dict[key] != nil, "missing key \(key)")
        }
        #expect(dict["model_usage"]?["m"]?["total_tokens"] == 5)
        tracker.reset()
        #expect(tracker.stats().totalTokens == 0)
    }
}
