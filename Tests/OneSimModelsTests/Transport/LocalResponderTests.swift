import Foundation
import NIOHTTP1
import Synchronization
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

/// Answers with a queue of scripted statuses and counts what it was sent.
private final class ScriptedResponder: LocalResponder {
    let statuses: Mutex<[Int]>
    let seen = Mutex<[HTTPRequestSpec]>([])

    init(statuses: [Int]) { self.statuses = Mutex(statuses) }

    func respond(to request: HTTPRequestSpec) async throws(ModelError) -> HTTPResult {
        seen.withLock { $0.append(request) }
        let status = statuses.withLock { $0.isEmpty ? 200 : $0.removeFirst() }
        if status == 0 { throw ModelError(.connectionFailed, "scripted connection failure") }
        let body =
            status == 200
            ? #"{"choices":[{"message":{"content":"offline"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}"#
            : #"{"error":{"message":"slow down","type":"requests","code":"rate_limit_exceeded"}}"#
        return HTTPResult(status: status, headers: ["x-request-id": "req-\(status)"], body: Array(body.utf8))
    }
}

private let configs = """
    [{"config_name": "a", "model_type": "openai_chat", "model_name": "gpt-4o-mini", "api_key": "sk-secret-key", "client_args": {"base_url": "http://a.invalid/v1", "max_retries": 0}},
     {"config_name": "b", "model_type": "openai_chat", "model_name": "gpt-4o-mini", "api_key": "sk-secret-key", "client_args": {"base_url": "http://b.invalid/v1", "max_retries": 0}},
     {"config_name": "lb", "model_type": "load_balancer", "models": ["a", "b"], "strategy": "round_robin"}]
    """

@Suite("Local responder")
struct LocalResponderTests {
    @Test func answersEveryCallOfAManagerWithoutTheNetwork() async throws {
        let responder = ScriptedResponder(statuses: [])
        let manager = ModelManager(responder: responder)
        try manager.loadModelConfigs(json: configs)
        let lb = try manager.getModel(configName: "lb")
        for _ in 0..<4 {
            let response = try await lb.acall("hello", options: .none)
            #expect(response.text == "offline")
            #expect(response.requestID == "req-200")
        }
        let urls = responder.seen.withLock { $0.map(\.url) }
        #expect(urls.sorted() == ["http://a.invalid/v1/chat/completions", "http://a.invalid/v1/chat/completions",
                                  "http://b.invalid/v1/chat/completions", "http://b.invalid/v1/chat/completions"])
        let body = try JSONCodec.parse(responder.seen.withLock { $0[0].body })
        #expect(body["messages"]?[0]?["content"] == "hello")
        #expect(body["model"] == "gpt-4o-mini")
        #expect(manager.tokenTracker.stats().totalTokens == 16)
        await manager.shutdown()
    }

    @Test func errorsAndFailoverBehaveAsOverHTTP() async throws {
        // a answers 429 then fails to connect; b answers. The balancer fails over both times.
        let responder = ScriptedResponder(statuses: [429, 200, 0, 200])
        let manager = ModelManager(responder: responder)
        try manager.loadModelConfigs(json: configs)
        let lb = try manager.getModel(configName: "lb")
        #expect(try await lb.acall("x", options: .none).text == "offline")
        #expect(try await lb.acall("x", options: .none).text == "offline")
        #expect(responder.seen.withLock { $0.count } == 4)
        let limited = ScriptedResponder(statuses: [429])
        let direct = ModelManager(responder: limited)
        try direct.loadModelConfigs(json: configs)
        let error = await #expect(throws: ModelError.self) { try await direct.getModel(configName: "a").acall("x", options: .none) }
        #expect(error?.kind == .rateLimited)
        #expect(error?.status == 429)
        #expect(error?.message.contains("slow down") == true)
        #expect(error?.message.contains("sk-secret-key") == false)
        await manager.shutdown()
        await direct.shutdown()
    }

    @Test func fixedResponderServesStreamsAsOneChunk() async throws {
        let sse = #"data: {"choices":[{"index":0,"delta":{"content":"one "}}]}"# + "\n\n"
            + #"data: {"choices":[{"index":0,"delta":{"content":"two"},"finish_reason":"stop"}]}"# + "\n\n" + "data: [DONE]\n\n"
        let manager = ModelManager(responder: FixedResponder(contentType: "text/event-stream", body: sse))
        try manager.loadModelConfigs(json: configs)
        var text = ""
        for try await delta in try await manager.getModel(configName: "lb").stream("x") { text += delta.text }
        #expect(text == "one two")
        await manager.shutdown()
    }

    /// The README's "Offline runs" sample.
    @Test func readmeSample() async throws {
        let configPath = FileManager.default.temporaryDirectory.appendingPathComponent("offline-\(UUID().uuidString).json").path
        try #"[{"config_name": "my_model_config", "model_type": "openai_chat", "model_name": "gpt-4o-mini", "api_key": "sk-unused"}]"#
            .write(toFile: configPath, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: configPath) }
        let reply = try await offlineSample(path: configPath)
        #expect(reply.text == "I will plant the field.")
        #expect(reply.usage.totalTokens == 17)
    }

    @Test func aCallWaitingOnTheResponderLatencyCanBeCancelled() async throws {
        let manager = ModelManager(responder: FixedResponder(body: "{}", latency: .seconds(600)))
        try manager.loadModelConfigs(json: configs)
        let model = try manager.getModel(configName: "a")
        let call = Task { try await model.acall("x", options: .none) }
        call.cancel()
        let error = await #expect(throws: ModelError.self) { try await call.value }
        #expect(error?.kind == .cancelled)
        await manager.shutdown()
        let closed = await #expect(throws: ModelError.self) { try await model.acall("x", options: .none) }
        #expect(closed?.kind == .configuration)  // a shut-down manager refuses, responder or not
    }

    private func offlineSample(path: String) async throws -> ModelResponse {
        let manager = ModelManager(responder: FixedResponder(body: """
            {"choices": [{"message": {"role": "assistant", "content": "I will plant the field."}, "finish_reason": "stop"}],
             "usage": {"prompt_tokens": 12, "completion_tokens": 5, "total_tokens": 17}}
            """, latency: .milliseconds(200)))
        try manager.loadModelConfigs(path: path)   // every call is answered in process
        let reply = try await manager.getModel(configName: "my_model_config").acall("What will you do today?")
        await manager.shutdown()
        return reply
    }
}
