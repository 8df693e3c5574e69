import InMemoryTracing
import OneSimModels
import OneSimModelsSimulator
import Testing
import Tracing

@testable import OneSimModelsGateway

/// The gateway continues the caller's trace: a SERVER span per request, parent of the model
/// call's spans, whose context goes upstream.
@Suite("Tracing: gateway", .timeLimit(.minutes(3)))
struct GatewayTracingTests {
    @Test func aRequestContinuesTheIncomingTraceparent() async throws {
        _ = TestTracing.memory
        let traceID = TestTracing.randomHex(bytes: 16)
        let parentID = TestTracing.randomHex(bytes: 8)
        try await withGateway(config: { basicGatewayConfig($0) }) { h in
            let reply = try await h.post(
                "/v1/chat/completions", #"{"model": "chat", "messages": [{"role": "user", "content": "hi"}]}"#,
                headers: [("traceparent", "00-\(traceID)-\(parentID)-01")])
            #expect(reply.status == 200)
            let spans = try await TestTracing.spans(in: traceID, count: 2)
            #expect(spans.count == 2)
            let server = try #require(spans.first { $0.kind == .server })
            #expect(server.operationName == "POST /v1/chat/completions")
            #expect(server.parentSpanID == parentID)
            #expect(server.string("http.request.method") == "POST")
            #expect(server.string("http.route") == "/v1/chat/completions")
            #expect(server.int("http.response.status_code") == 200)
            let client = try #require(spans.first { $0.kind == .client })
            #expect(client.parentSpanID == server.spanID)
            #expect(client.operationName == "chat sim-chat")
            #expect(h.simulators[0].requests.last?.headers["traceparent"] == "00-\(traceID)-\(client.spanID)-01")
            for span in spans { #expect(!span.renderedAttributes.contains("Bearer")) }
        }
    }

    @Test func anUpstreamFailureMarksTheServerSpan() async throws {
        _ = TestTracing.memory
        let traceID = TestTracing.randomHex(bytes: 16)
        try await withGateway(config: { basicGatewayConfig($0) }) { h in
            h.simulators[0].setFaultRate(.init(rate: 1, fault: .status(500, message: "down")))
            let reply = try await h.post(
                "/v1/chat/completions", #"{"model": "chat", "messages": [{"role": "user", "content": "hi"}]}"#,
                headers: [("traceparent", "00-\(traceID)-\(TestTracing.randomHex(bytes: 8))-01")])
            #expect(reply.status >= 500)
            let server = try #require(try await TestTracing.spans(in: traceID, count: 2).first { $0.kind == .server })
            #expect(server.int("http.response.status_code") == Int64(reply.status))
            #expect(server.string("error.type") == String(reply.status))
            #expect(server.status?.code == .error)
        }
    }

    @Test func aMalformedTraceparentStartsNothing() async throws {
        _ = TestTracing.memory
        try await withGateway(config: { basicGatewayConfig($0) }) { h in
            let reply = try await h.post(
                "/v1/chat/completions", #"{"model": "chat", "messages": [{"role": "user", "content": "hi"}]}"#,
                headers: [("traceparent", "00-not-a-trace")])
            #expect(reply.status == 200)
            #expect(h.simulators[0].requests.last?.headers["traceparent"] == nil)
        }
    }
}
