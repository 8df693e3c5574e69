import Foundation
import OneSimModels
@testable import OneSimModelsGateway
import OneSimModelsSimulator
import Testing

@Suite("Gateway article samples run")
struct GatewayDocTests {
    @Test func serveInProcessStartsAndStops() async throws {
        let simulator = Simulator()
        try await simulator.start()
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let file = directory.appendingPathComponent("models.json")
        try Data("[\(memberConfig("a", baseURL: simulator.baseURL))]".utf8).write(to: file)
        try await serveInProcess(configFile: file.path)
        await simulator.stop()
    }

    @Test func theSwiftClientSampleCallsThroughTheGateway() async throws {
        try await withGateway(
            config: { sims in
                """
                [\(memberConfig("a", baseURL: sims[0].baseURL)), {"config_name": "lb", "model_type": "load_balancer", "models": ["a"]},
                 {"gateway": {"keys": [{"key": "sk-team-a", "models": ["lb"]}]}}]
                """
            },
            keys: #"{"gateway": {"keys": [{"key": "sk-team-a", "models": ["lb"]}]}}"#
        ) { h in
            h.simulators[0].enqueue(.reply("I explore the map."))
            let text = try await callThroughTheGateway(gatewayURL: h.base + "/v1")
            #expect(text == "I explore the map.")
        }
    }
}
