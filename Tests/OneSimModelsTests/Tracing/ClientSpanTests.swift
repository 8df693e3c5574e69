import InMemoryTracing
import OneSimModelsSimulator
import Testing
import Tracing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsProviders

/// The CLIENT span of each provider attempt, against the simulator over HTTP.
@Suite("Tracing: client spans", .timeLimit(.minutes(3)))
struct ClientSpanTests {
    static let key = "sk-test-secret-key-123"

    @Test func aChatCallIsOneClientSpanInTheGenAIShape() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("traced-chat", sim, clientExtra: #", "max_retries": 0"#))
            let model = try m.getModel(configName: "traced-chat")
            var response: ModelResponse?
            let options = CallOptions(temperature: 0.25, maxTokens: 64, topP: 0.5, extraBody: ["seed": 7])
            let trace = try await TestTracing.trace { response = try await model.acall("hello there", options: options) }
            let spans = try await TestTracing.spans(in: trace, count: 1)
            #expect(spans.count == 1)
            let span = try #require(spans.first)
            let reply = try #require(response)
            #expect(span.operationName == "chat sim-chat")
            #expect(span.kind == .client)
            #expect(span.parentSpanID == TestTracing.rootSpanID(of: trace))
            #expect(span.string("gen_ai.operation.name") == "chat")
            #expect(span.string("gen_ai.provider.name") == "openai")
            #expect(span.string("gen_ai.request.model") == "sim-chat")
            #expect(span.string("gen_ai.response.model") == reply.raw["model"]?.stringValue)
            #expect(span.string("gen_ai.response.id") == reply.raw["id"]?.stringValue)
            #expect(span.string("gen_ai.response.id") != nil)
            #expect(span.strings("gen_ai.response.finish_reasons") == [try #require(reply.finishReason)])
            #expect(span.bool("gen_ai.request.stream") == false)
            #expect(span.double("gen_ai.request.temperature") == 0.25)
            #expect(span.double("gen_ai.request.top_p") == 0.5)
            #expect(span.int("gen_ai.request.max_tokens") == 64)
            #expect(span.int("gen_ai.request.seed") == 7)
            #expect(span.int("gen_ai.usage.input_tokens") == Int64(reply.usage.promptTokens))
            #expect(span.int("gen_ai.usage.output_tokens") == Int64(reply.usage.completionTokens))
            #expect(reply.usage.promptTokens > 0)
            #expect(span.string("server.address") == "127.0.0.1")
            #expect(span.int("server.port") == Int64(sim.port))
            #expect(span.status == nil)
            #expect(!span.renderedAttributes.contains(Self.key))
        }
    }

    @Test func theAttemptCarriesItsTraceparentUpstream() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("traced-propagation", sim))
            let model = try m.getModel(configName: "traced-propagation")
            let trace = try await TestTracing.trace { _ = try await model.acall("hi") }
            let span = try #require(try await TestTracing.spans(in: trace, count: 1).first)
            let request = try #require(sim.requests.last)
            #expect(request.headers["traceparent"] == "00-\(trace)-\(span.spanID)-01")
            #expect(request.headers["authorization"] == "Bearer \(Self.key)")
        }
    }

    @Test func withoutATraceNoHeaderIsAddedAndNothingIsRecorded() async throws {
        _ = TestTracing.memory
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("untraced", sim))
            let model = try m.getModel(configName: "untraced")
            _ = try await model.acall("hi")
            #expect(sim.requests.last?.headers["traceparent"] == nil)
        }
    }

    @Test func aFailedAttemptIsAnErrorSpanWithErrorType() async throws {
        try await withSimulator { sim, m in
            sim.enqueue(.fail(.status(500, message: "boom")))
            try m.loadModelConfigs(json: chatConfig("traced-failure", sim, clientExtra: #", "max_retries": 0"#))
            let model = try m.getModel(configName: "traced-failure")
            let trace = try await TestTracing.trace {
                let error = await captureModelError { _ = try await model.acall("hi") }
                #expect(error?.kind == .serverError)
            }
            let span = try #require(try await TestTracing.spans(in: trace, count: 1).first)
            #expect(span.operationName == "chat sim-chat")
            #expect(span.string("error.type") == "server_error")
            #expect(span.status?.code == .error)
            #expect(span.errors.count == 1)
            #expect(span.int("gen_ai.usage.input_tokens") == nil)
            #expect(!span.renderedAttributes.contains(Self.key))
        }
    }

    @Test func aBareAdaptersRetriesAreOneSpanEach() async throws {
        try await withSimulator { sim, m in
            sim.enqueue(.fail(.status(503, message: "busy", retryAfter: 0)))
            try m.loadModelConfigs(json: chatConfig("traced-retry", sim, clientExtra: #", "max_retries": 1"#))
            let model = try m.getModel(configName: "traced-retry")
            let trace = try await TestTracing.trace { _ = try await model.acall("hi") }
            let spans = try await TestTracing.spans(in: trace, count: 2)
            #expect(spans.map(\.operationName) == ["chat sim-chat", "chat sim-chat"])
            #expect(spans.map { $0.string("error.type") } == ["server_error", nil])
            #expect(spans.map { $0.status?.code } == [.error, nil])
            #expect(Set(spans.compactMap(\.parentSpanID)) == [try #require(TestTracing.rootSpanID(of: trace))])
            let parents = sim.requests.suffix(2).compactMap { $0.headers["traceparent"] }
            #expect(Set(parents) == Set(spans.map { "00-\(trace)-\($0.spanID)-01" }))
        }
    }

    @Test func aStreamRecordsTimeToFirstChunkAndItsUsage() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("traced-stream", sim))
            let model = try m.getModel(configName: "traced-stream")
            var collected: ModelResponse?
            let trace = try await TestTracing.trace {
                collected = try await model.stream("tell me a story", options: .none).collect()
            }
            let span = try #require(try await TestTracing.spans(in: trace, count: 1).first)
            let reply = try #require(collected)
            #expect(span.operationName == "chat sim-chat")
            #expect(span.kind == .client)
            #expect(span.bool("gen_ai.request.stream") == true)
            #expect(span.string("gen_ai.response.model") == nil)
            let ttfc = try #require(span.double("gen_ai.response.time_to_first_chunk"))
            #expect(ttfc >= 0)
            #expect(span.events.map(\.name) == ["gen_ai.first_chunk"])
            #expect(span.int("gen_ai.usage.output_tokens") == Int64(reply.usage.completionTokens))
            #expect(span.strings("gen_ai.response.finish_reasons") == reply.finishReason.map { [$0] })
            #expect(sim.requests.last?.headers["traceparent"] == "00-\(trace)-\(span.spanID)-01")
        }
    }

    @Test func anEmbeddingCallIsAnEmbeddingsSpan() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: embeddingConfig("traced-embed", sim))
            let model = try m.getModel(configName: "traced-embed")
            var response: ModelResponse?
            let trace = try await TestTracing.trace { response = try await model.acall(texts: ["a", "b"], options: .none) }
            let span = try #require(try await TestTracing.spans(in: trace, count: 1).first)
            #expect(span.operationName == "embeddings sim-embedding")
            #expect(span.string("gen_ai.operation.name") == "embeddings")
            #expect(span.int("gen_ai.usage.input_tokens") == Int64(try #require(response).usage.promptTokens))
        }
    }
}

/// Where a client span says the server is.
@Suite("Tracing: server address")
struct CallTraceDefaultsTests {
    @Test(arguments: [
        ("http://127.0.0.1:8000/v1", "127.0.0.1", 8000),
        ("https://api.openai.com/v1", "api.openai.com", 443),
        ("http://user:secret@host.example/v1", "host.example", 80),
        ("http://[::1]:9000/v1", "::1", 9000),
        ("HTTPS://Host.Example/v1", "Host.Example", 443),
    ] as [(String, String, Int)])
    func serverAddressAndPort(url: String, host: String, port: Int) {
        let (h, p) = CallTraceDefaults.server(of: url)
        #expect(h == host)
        #expect(p == port)
    }

    /// URLs the transport refuses (`URLCheck`) name no server.
    @Test(arguments: ["", "not a url", "http://", "ftp:///path", "https://host:99999/v1", "http://[::1/v1"])
    func noHostGivesNothing(url: String) {
        let (h, _) = CallTraceDefaults.server(of: url)
        #expect(h == nil)
    }

    @Test func providerNamesFollowTheConvention() {
        #expect(GenAINames.provider("gemini") == "gcp.gemini")
        #expect(GenAINames.provider("azure") == "azure.ai.openai")
        #expect(GenAINames.provider("openai") == "openai")
        #expect(GenAINames.provider("vllm") == "vllm")
    }
}
