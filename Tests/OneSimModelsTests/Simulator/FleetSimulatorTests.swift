import AsyncHTTPClient
import Foundation
import NIOCore
import OneSimModels
import Testing

@testable import OneSimModelsRouting
@testable import OneSimModelsSimulator

/// The simulator in fleet server mode, over real HTTP on 127.0.0.1 (port 0). Waits are for
/// events only; no assertion on how long anything took.
@Suite("Fleet simulator over HTTP", .timeLimit(.minutes(3)))
struct FleetSimulatorTests {
    static func fleetSimulator(seqs: Int = 4, decode: Double = 0.0001) -> Simulator {
        Simulator(
            configuration: .init(
                recordRequests: false,
                fleetServer: FleetServerConfig(
                    name: "gpu0", maxNumSeqs: seqs, prefillSecondsPerToken: 0, decodeSecondsPerToken: decode,
                    cacheBlocks: 1000, blockTokens: 4)))
    }

    func post(_ sim: Simulator, _ body: String) async throws -> (Int, [String: Any]) {
        var request = HTTPClientRequest(url: "\(sim.baseURL)/chat/completions")
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(300))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let json = try JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any] ?? [:]
        return (Int(response.status.code), json)
    }

    func metrics(_ sim: Simulator) async throws -> String {
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(sim.port)/metrics"), timeout: .seconds(300))
        #expect(response.status == .ok)
        return String(buffer: try await response.body.collect(upTo: 1 << 20))
    }

    @Test func servesVLLMsHealthProbe() async throws {
        let sim = Self.fleetSimulator()
        try await sim.start()
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(sim.port)/health"), timeout: .seconds(300))
        #expect(response.status == .ok)
        await sim.stop()
    }

    @Test func answersWithUsageAndCachedTokensAndServesMetrics() async throws {
        let sim = Self.fleetSimulator()
        try await sim.start()
        defer { Task { await sim.stop() } }
        let persona = String(repeating: "You are a careful farmer. ", count: 20)
        let body = { (user: String) in
            """
            {"model": "sim", "max_tokens": 7, "messages": [{"role": "system", "content": "\(persona)"}, {"role": "user", "content": "\(user)"}]}
            """
        }
        let (status1, first) = try await post(sim, body("Plan the harvest."))
        #expect(status1 == 200)
        let usage1 = try #require(first["usage"] as? [String: Any])
        #expect(usage1["completion_tokens"] as? Int == 7)
        #expect((usage1["prompt_tokens_details"] as? [String: Any])?["cached_tokens"] as? Int == 0)
        let prompt = try #require(usage1["prompt_tokens"] as? Int)
        let expected = FleetPromptBlocks.make([("system", persona), ("user", "Plan the harvest.")], blockTokens: 4).tokens
        #expect(prompt == expected)

        let (status2, second) = try await post(sim, body("Sell apples."))
        #expect(status2 == 200)
        let usage2 = try #require(second["usage"] as? [String: Any])
        let cached = try #require((usage2["prompt_tokens_details"] as? [String: Any])?["cached_tokens"] as? Int)
        // The persona's full blocks (role, separator, persona, separator: 6 + 1 + 520 + 1 bytes → 33 blocks of 16 bytes) hit.
        #expect(cached == (6 + 1 + persona.utf8.count + 1) / 16 * 4)

        let text = try await metrics(sim)
        let load = ServerMetricsParser.parse(text)
        #expect(load.running == 0 && load.waiting == 0)
        #expect(load.prefixCacheHits == Double(cached))
        #expect(load.prefixCacheQueries == Double(prompt + (usage2["prompt_tokens"] as? Int ?? 0)))
    }

    @Test func queuesBeyondItsSlotsAndAnswersEveryone() async throws {
        let sim = Self.fleetSimulator(seqs: 2, decode: 0.002)
        try await sim.start()
        defer { Task { await sim.stop() } }
        let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
            for i in 0..<8 {
                group.addTask {
                    try await post(sim, #"{"model": "sim", "max_tokens": 20, "messages": [{"role": "user", "content": "agent \#(i)"}]}"#).0
                }
            }
            return try await group.reduce(into: [Int]()) { $0.append($1) }
        }
        #expect(statuses == Array(repeating: 200, count: 8))
        let model = try #require(sim.fleetModel)
        #expect(model.completed == 8)
        #expect(model.running == 0 && model.waiting == 0)
    }

    @Test func aClientThatGoesAwayDoesNotLeakItsSlot() async throws {
        // One slot and a request of 40 output tokens at 25 ms each. The client goes away while it
        // runs; the server (like Hummingbird's handler, which is not cancelled by a disconnect)
        // finishes it and the slot is free again for the next request.
        let sim = Self.fleetSimulator(seqs: 1, decode: 0.025)
        try await sim.start()
        defer { Task { await sim.stop() } }
        let call = Task {
            try await post(sim, #"{"model": "sim", "max_tokens": 40, "messages": [{"role": "user", "content": "long"}]}"#).0
        }
        try await waitUntil("the request runs") { sim.fleetModel?.running == 1 }
        call.cancel()
        _ = try? await call.value
        try await waitUntil("the slot is free") { sim.fleetModel?.running == 0 }
        let (status, _) = try await post(sim, #"{"model": "sim", "max_tokens": 1, "messages": [{"role": "user", "content": "next"}]}"#)
        #expect(status == 200)
        #expect(sim.fleetModel?.running == 0 && sim.fleetModel?.waiting == 0)
    }

    @Test func anInvalidFleetConfigFailsToStart() async {
        let sim = Simulator(configuration: .init(fleetServer: FleetServerConfig(name: "bad", maxNumSeqs: 0)))
        await #expect(throws: FleetConfigError.self) { try await sim.start() }
    }
}

/// TestingWithTheSimulator.md, "Simulated fleets": the sample starts a fleet server.
@Suite("Fleet simulator article sample", .timeLimit(.minutes(3)))
struct FleetArticleSampleTests {
    @Test func startsAFleetServer() async throws {
        let gpu = Simulator(configuration: .init(fleetServer: FleetServerConfig(name: "gpu0", maxNumSeqs: 16)))
        try await gpu.start()
        #expect(gpu.fleetModel?.config.maxNumSeqs == 16)
        await gpu.stop()
    }
}

/// The real-time shell without HTTP: a cancelled caller leaves the model at once.
@Suite("Fleet server runtime", .timeLimit(.minutes(3)))
struct FleetServerRuntimeTests {
    @Test func cancellingACallerFreesItsSlot() async throws {
        let runtime = try FleetServerRuntime(config: FleetServerConfig(name: "g", maxNumSeqs: 1, decodeSecondsPerToken: 60))
        let running = Task { await runtime.run(blocks: [], promptTokens: 1, outputTokens: 1000) }
        try await waitUntil("the call runs") { runtime.model.running == 1 }
        let waiting = Task { await runtime.run(blocks: [], promptTokens: 1, outputTokens: 1000) }
        try await waitUntil("the second call waits") { runtime.model.waiting == 1 }
        running.cancel()
        #expect(await running.value == nil)
        // The waiting call took the freed slot.
        #expect(runtime.model.running == 1 && runtime.model.waiting == 0)
        runtime.shutdown()
        #expect(await waiting.value == nil)
    }
}
