import Foundation
import OneSimModels
import OneSimModelsSimulator
import Testing

/// Runs the samples of the DocC articles that README tests do not already run.
@Suite("README article examples", .timeLimit(.minutes(3)))
struct ReadmeArticleExamplesTests {
    /// RoutingForLLMFleets.md: 200 agents over two servers with 4 and 2 slots; neither server
    /// ever sees more than its slots, and every call is served.
    @Test func fleetSampleKeepsEachServerWithinItsSlots() async throws {
        let gpu1 = Simulator(configuration: .init(latency: .milliseconds(20)))
        let gpu2 = Simulator(configuration: .init(latency: .milliseconds(20)))
        try await gpu1.start()
        try await gpu2.start()
        try getModelManager().loadModelConfigs(json: """
            [{"config_name": "fleet-gpu-1", "model_type": "vllm_chat", "model_name": "sim-chat",
              "client_args": {"base_url": "\(gpu1.baseURL)"}, "max_concurrency": 4},
             {"config_name": "fleet-gpu-2", "model_type": "vllm_chat", "model_name": "sim-chat",
              "client_args": {"base_url": "\(gpu2.baseURL)"}, "max_concurrency": 2},
             {"config_name": "fleet", "model_type": "load_balancer", "models": ["fleet-gpu-1", "fleet-gpu-2"],
              "strategy": "least_busy", "queue_timeout": 600}]
            """)
        let stats = try #require(try await ArticleSnippets.fleet())
        #expect(gpu1.requestCount + gpu2.requestCount == 200)
        #expect(gpu1.peakInFlight <= 4 && gpu2.peakInFlight <= 2)
        #expect(gpu1.requestCount > 0 && gpu2.requestCount > 0)
        #expect(stats.successes == 200 && stats.queued == 0 && stats.queueTimeouts == 0)
        #expect(stats[member: "fleet-gpu-1"]?.peakInFlight ?? 99 <= 4)
        #expect(stats[member: "fleet-gpu-2"]?.peakInFlight ?? 99 <= 2)
        await gpu1.stop()
        await gpu2.stop()
    }

    /// TestingWithTheSimulator.md, "A test against the simulator": the sample is this test.
    @Test func villagerAnswersAfterAnOutage() async throws {
        let simulator = Simulator()
        try await simulator.start()
        simulator.enqueue(.fail(.status(503)), .reply("I will plant the field."))

        let manager = ModelManager(environment: [:])
        try manager.loadModelConfigs(json: """
            {"config_name": "villager", "model_type": "openai_chat", "model_name": "sim-chat",
             "client_args": {"base_url": "\(simulator.baseURL)"}}
            """)
        let reply = try await manager.getModel(configName: "villager").acall("What will you do today?")

        #expect(reply.text == "I will plant the field.")
        #expect(simulator.requestCount == 2)  // the 503, then the retry
        #expect(manager.tokenTracker.stats().errorsByKind["server_error"] == 1)
        await manager.shutdown()
        await simulator.stop()
    }
}
