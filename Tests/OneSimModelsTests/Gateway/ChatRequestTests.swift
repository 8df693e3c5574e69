import Foundation
import OneSimModels
@testable import OneSimModelsGateway
import Testing

/// Request translation without HTTP.
@Suite("Gateway: request translation")
struct ChatRequestTests {
    static func parse(_ text: String) throws -> ChatRequest {
        try ChatRequest(try JSONCodec.parse(text))
    }

    @Test func userBecomesTheAffinityKeyAndIsNotSent() throws {
        let request = try Self.parse(#"{"model": "m", "user": "agent-7", "messages": [{"role": "user", "content": "x"}]}"#)
        #expect(request.options.affinityKey == "agent-7")
        #expect(request.options.extraBody["user"] == nil)
    }

    @Test func maxCompletionTokensWinsOverMaxTokens() throws {
        let request = try Self.parse(#"{"model": "m", "max_tokens": 5, "max_completion_tokens": 9, "messages": [{"role": "user", "content": "x"}]}"#)
        #expect(request.options.maxTokens == 9)
    }

    @Test func unknownFieldsGoToTheMemberAndGatewayFieldsDoNot() throws {
        let request = try Self.parse(
            #"{"model": "m", "stream": true, "stream_options": {"include_usage": true}, "n": 1, "top_k": 40, "messages": [{"role": "user", "content": "x"}]}"#)
        #expect(request.stream && request.includeUsage)
        #expect(request.options.extraBody == ["top_k": 40])
    }

    @Test func partsAndToolMessagesTranslate() throws {
        let request = try Self.parse(
            #"{"model": "m", "messages": [{"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "image_url", "image_url": "https://x/y.png"}]}, {"role": "tool", "tool_call_id": "c1", "content": "r"}]}"#)
        #expect(request.prompt.messages[0].content == .parts([.text("a"), .imageURL("https://x/y.png")]))
        #expect(request.prompt.messages[1].role == .tool)
        #expect(request.prompt.messages[1].toolCallID == "c1")
    }

    @Test func requestIDsAreTheClientsOnlyWhenSane() {
        #expect(GatewayRoutes.requestID("abc-123") == "abc-123")
        #expect(GatewayRoutes.requestID("has space") != "has space")
        #expect(GatewayRoutes.requestID("line\nbreak") != "line\nbreak")
        #expect(GatewayRoutes.requestID(String(repeating: "a", count: 129)).count == 36)
        #expect(GatewayRoutes.requestID(nil).count == 36)
    }

    @Test func retryAfterSecondsAreBounded() {
        #expect(GatewayError.retrySeconds(.milliseconds(1)) == 1)
        #expect(GatewayError.retrySeconds(.seconds(2.5)) == 3)
        #expect(GatewayError.retrySeconds(.seconds(Int64.max)) == 86_400)
        #expect(GatewayError.retrySeconds(nil) == nil)
    }

    @Test func onlyLoopbackAddressesGoWithoutKeys() {
        for host in ["127.0.0.1", "127.1.2.3", "localhost", "::1"] { #expect(Gateway.Configuration.isLoopback(host), "\(host)") }
        for host in ["0.0.0.0", "10.0.0.1", "127.evil.example", "127.0.0.1.nip.io", "::", ""] {
            #expect(!Gateway.Configuration.isLoopback(host), "\(host)")
        }
    }
}
