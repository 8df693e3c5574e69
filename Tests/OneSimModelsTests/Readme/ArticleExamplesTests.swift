import Foundation
import OneSimModels
import OneSimModelsSimulator
import Testing

/// Runs the samples of the DocC articles that README tests do not already run.
@Suite("README article examples", .timeLimit(.minutes(3)))
struct ReadmeArticleExamplesTests {
    /// RoutingForLLMFleets.md: 200 agents over two simulated vLLM servers with 4 and 2 slots and
    /// their `/metrics`, no `max_concurrency`, no strategy (the fleet dispatch): every call is
    /// served, both servers work, and the balancer learns the limits from the servers' reports.
    @Test func fleetSampleRunsOnSimulatedServers() async throws {
        let gpu1 = Simulator(configuration: .init(fleetServer: FleetServerConfig(name: "gpu1", maxNumSeqs: 4, decodeSecondsPerToken: 0.0005)))
        let gpu2 = Simulator(configuration: .init(fleetServer: FleetServerConfig(name: "gpu2", maxNumSeqs: 2, decodeSecondsPerToken: 0.0005)))
        try await gpu1.start()
        try await gpu2.start()
        func member(_ name: String, _ sim: Simulator) -> String {
            let metrics = sim.baseURL.replacingOccurrences(of: "/v1", with: "/metrics")
            return """
                {"config_name": "\(name)", "model_type": "vllm_chat", "model_name": "sim",
                 "client_args": {"base_url": "\(sim.baseURL)"}, "metrics_url": "\(metrics)", "metrics_interval": 0.05}
                """
        }
        try getModelManager().loadModelConfigs(json: """
            [\(member("fleet-gpu-1", gpu1)), \(member("fleet-gpu-2", gpu2)),
             {"config_name": "fleet", "model_type": "load_balancer", "models": ["fleet-gpu-1", "fleet-gpu-2"], "queue_timeout": 600}]
            """)
        let stats = try #require(try await ArticleSnippets.fleet())
        #expect(stats.strategy == "fleet")
        #expect(gpu1.requestCount + gpu2.requestCount == 200)
        #expect(gpu1.requestCount > 0 && gpu2.requestCount > 0)
        #expect(stats.successes == 200 && stats.queued == 0 && stats.queueTimeouts == 0)
        let balancer = try #require(try getModel("fleet") as? LoadBalancer)
        try await waitUntil("both servers reported their load") { balancer.stats().members.allSatisfy { $0.learnedFrom == "server" } }
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
