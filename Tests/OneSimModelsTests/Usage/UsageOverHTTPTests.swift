import OneSimModelsSimulator
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

/// Usage recorded by real adapters over HTTP against the simulator (run with the full package;
/// the pure tracker tests live in the other files of this folder).
@Suite("Token usage over HTTP", .timeLimit(.minutes(3)))
struct UsageOverHTTPTests {
    /// 10,000 calls, 500 in flight at any moment — chat, streamed chat and embeddings — each
    /// counted exactly once.
    @Test func exactUnderConcurrencyAndMatchesTheSimulator() async throws {
        try await withSimulator(.init(recordRequests: false)) { sim, m in
            try m.loadModelConfigs(json: "[\(chatConfig("a", sim)), \(chatConfig("b", sim)), \(embeddingConfig("e", sim))]")
            let a = try m.getModel(configName: "a")
            let b = try m.getModel(configName: "b")
            let e = try m.getModel(configName: "e")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<500 {
                    group.addTask {
                        for i in stride(from: worker, to: 10_000, by: 500) {
                            let model = i % 2 == 0 ? a : b
                            switch i % 100 {
                            case 0: _ = try await e.acall(texts: ["word \(i) here"])
                            case 1...9: _ = try await model.stream("word \(i) here").collect()
                            default: _ = try await model.acall("word \(i) here")
                            }
                        }
                    }
                }
                try await group.waitForAll()
            }
            let stats = m.tokenTracker.stats()
            #expect(sim.requestCount == 10_000)
            #expect(stats.requestCount == 10_000)
            #expect(stats.errorCount == 0)
            #expect(stats.totalTokens == sim.servedTokens)
            #expect(stats.totalTokens == 9_900 * 6 + 100 * 3)  // chat: 3 prompt + 3 completion; embeddings: 3
            #expect(stats.configUsage["a"]?.requestCount == 4_900)  // even i, minus the 100 embeddings
            #expect(stats.configUsage["e"]?.promptTokens == 300)
            #expect(stats.modelUsage["sim-chat"]?.requestCount == 9_900)
            #expect(stats.providerUsage["openai"]?.totalTokens == 59_700)
            #expect(stats.kindUsage["chat"]?.requestCount == 9_900)
            #expect(stats.kindUsage["embedding"]?.requestCount == 100)
            #expect(stats.sources.count == 1)
            #expect(stats.sources[0].sequence == 10_000)
        }
    }
}
