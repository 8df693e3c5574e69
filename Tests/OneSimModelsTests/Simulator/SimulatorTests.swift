import AsyncHTTPClient
import Foundation
import NIOCore
import OneSimModelsSimulator
import Testing

@Suite("Simulator", .timeLimit(.minutes(3)))
struct SimulatorTests {
    func post(_ sim: Simulator, _ path: String, _ body: String) async throws -> (Int, [String: Any]) {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(sim.port)\(path)")
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: body))
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(300))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let json = try JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any] ?? [:]
        return (Int(response.status.code), json)
    }

    @Test func validatesRequestsLikeOpenAI() async throws {
        let sim = Simulator()
        try await sim.start()
        let (status, json) = try await post(sim, "/v1/chat/completions", #"{"messages": [{"role": "user", "content": "x"}]}"#)
        #expect(status == 400)
        #expect((json["error"] as? [String: Any])?["param"] as? String == "model")
        let (badJSON, _) = try await post(sim, "/v1/chat/completions", "{nope")
        #expect(badJSON == 400)
        let (emb, _) = try await post(sim, "/v1/embeddings", #"{"model": "m", "input": []}"#)
        #expect(emb == 400)
        await sim.stop()
    }

    @Test func scriptedRepliesFaultRatesAndPeakInFlight() async throws {
        let sim = Simulator()
        try await sim.start()
        sim.enqueue(.reply("scripted"), .fail(.status(418, message: "teapot")))
        let body = #"{"model": "m", "messages": [{"role": "user", "content": "echo me"}]}"#
        let (s1, j1) = try await post(sim, "/v1/chat/completions", body)
        #expect(s1 == 200)
        let message = ((j1["choices"] as? [[String: Any]])?.first?["message"] as? [String: Any])?["content"] as? String
        #expect(message == "scripted")
        let (s2, j2) = try await post(sim, "/v1/chat/completions", body)
        #expect(s2 == 418)
        #expect((j2["error"] as? [String: Any])?["message"] as? String == "teapot")
        sim.setFaultRate(.init(rate: 0.5, fault: .status(500)))
        var failures = 0
        for _ in 0..<200 {
            let (s, _) = try await post(sim, "/v1/chat/completions", body)
            if s == 500 { failures += 1 }
        }
        #expect((60...140).contains(failures))
        #expect(sim.requestCount == 202)
        #expect(sim.peakInFlight >= 1)
        await sim.stop()
    }

    @Test func listsModels() async throws {
        let sim = Simulator(configuration: .init(models: ["a", "b"]))
        try await sim.start()
        let response = try await HTTPClient.shared.execute(
            HTTPClientRequest(url: "http://127.0.0.1:\(sim.port)/v1/models"), timeout: .seconds(300))
        let bytes = try await response.body.collect(upTo: 1 << 20)
        let json = try JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any]
        #expect((json?["data"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == ["a", "b"])
        await sim.stop()
    }
}
