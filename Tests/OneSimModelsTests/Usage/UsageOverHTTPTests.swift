import OneSimModelsSimulator
import Testing

@testable import OneSimModels

/// Usage recorded by real adapters over HTTP against the simulator (run with the full package;
/// the pure tracker tests live in the other files of this folder).
@Suite("Token usage over HTTP", .timeLimit(.minutes(3)))
struct UsageOverHTTPTests {
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
            #expect(stats.kindUsage["chat"]?.requestCount == 1000)
            #expect(stats.sources.count == 1)
            #expect(stats.sources[0].sequence == 1000)
        }
    }
}
