import Foundation
import OneSimModels
@testable import OneSimModelsGateway
import OneSimModelsSimulator
import Testing

@Suite("Gateway: chat completions over HTTP")
struct GatewayChatTests {
    @Test func answersInOpenAIsShapeWithTheGatewayHeaders() async throws {
        try await withGateway(config: { basicGatewayConfig($0) }) { h in
            h.simulators[0].enqueue(.reply("hello from the simulator"))
            let reply = try await h.post(
                "/v1/chat/completions", #"{"model": "chat", "messages": [{"role": "user", "content": "hi"}]}"#,
                headers: [("x-request-id", "req-123")])
            #expect(reply.status == 200, "\(reply.body)")
            let json = try #require(reply.json)
            #expect(json["object"]?.stringValue == "chat.completion")
            #expect(json["model"]?.stringValue == "chat")
            #expect(json["choices"]?[0]?["message"]?["content"]?.stringValue == "hello from the simulator")
            #expect(json["choices"]?[0]?["message"]?["role"]?.stringValue == "assistant")
            #expect(json["choices"]?[0]?["finish_reason"]?.stringValue == "stop")
            #expect((json["usage"]?["total_tokens"]?.intValue ?? 0) > 0)
            #expect(reply.headers.first(name: "x-request-id") == "req-123")
            #expect(h.simulators[0].requests.last?.headers["x-request-id"] == "req-123", "the request id goes upstream too")
            #expect(reply.headers.first(name: "x-onesim-member") == "chat")
            let overhead = try #require(reply.headers.first(name: "x-onesim-overhead-ms").flatMap(Double.init))
            #expect(overhead >= 0)
        }
    }

    @Test func makesARequestIDWhenTheClientSendsNoneOrAnInsaneOne() async throws {
        try await withGateway(config: { basicGatewayConfig($0) }) { h in
            let body = #"{"model": "chat", "messages": [{"role": "user", "content": "hi"}]}"#
            let plain = try await h.post("/v1/chat/completions", body)
            #expect((plain.headers.first(name: "x-request-id") ?? "").count >= 16)
            let insane = try await h.post("/v1/chat/completions", body, headers: [("x-request-id", String(repeating: "x", count: 500))])
            #expect(insane.headers.first(name: "x-request-id")?.count != 500)
        }
    }

    @Test func translatesEveryRequestFieldForTheMember() async throws {
        try await withGateway(config: { basicGatewayConfig($0) }) { h in
            let body = """
                {"model": "chat", "temperature": 0.5, "top_p": 0.9, "max_completion_tokens": 77, "stop": "END", "seed": 7,
                 "user": "agent-7", "frequency_penalty": 0.1,
                 "messages": [
                   {"role": "developer", "content": "be brief"},
                   {"role": "user", "content": [{"type": "text", "text": "what is this"},
                                                {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo=", "detail": "low"}}]},
                   {"role": "assistant", "content": null, "tool_calls": [{"id": "call_1", "type": "function", "function": {"name": "look", "arguments": "{\\"x\\":1}"}}]},
                   {"role": "tool", "tool_call_id": "call_1", "content": "a cat"}],
                 "tools": [{"type": "function", "function": {"name": "look", "description": "looks", "parameters": {"type": "object", "properties": {"x": {"type": "integer"}}}}}],
                 "tool_choice": "auto",
                 "response_format": {"type": "json_schema", "json_schema": {"name": "answer", "strict": true, "schema": {"type": "object", "properties": {"a": {"type": "string"}}, "required": ["a"]}}}}
                """
            let reply = try await h.post("/v1/chat/completions", body)
            #expect(reply.status == 200, "\(reply.body)")
            let sent = try #require(lastUpstreamBody(h.simulators[0]))
            #expect(sent["temperature"]?.doubleValue == 0.5)
            #expect(sent["top_p"]?.doubleValue == 0.9)
            #expect(sent["seed"]?.intValue == 7)
            #expect(sent["frequency_penalty"]?.doubleValue == 0.1)
            #expect(sent["stop"]?[0]?.stringValue == "END")
            #expect(sent["max_tokens"]?.intValue == 77 || sent["max_completion_tokens"]?.intValue == 77)
            #expect(sent["user"] == nil, "user is routing only")
            #expect(sent["messages"]?[0]?["role"]?.stringValue == "system")
            #expect(sent["messages"]?[1]?["content"]?[1]?["image_url"]?["url"]?.stringValue == "data:image/png;base64,iVBORw0KGgo=")
            #expect(sent["messages"]?[2]?["tool_calls"]?[0]?["function"]?["name"]?.stringValue == "look")
            #expect(sent["messages"]?[3]?["tool_call_id"]?.stringValue == "call_1")
            #expect(sent["tools"]?[0]?["function"]?["name"]?.stringValue == "look")
            #expect(sent["tool_choice"]?.stringValue == "auto")
            #expect(sent["response_format"]?["json_schema"]?["name"]?.stringValue == "answer")
            #expect(sent["response_format"]?["type"]?.stringValue == "json_schema")
        }
    }

    @Test func relaysToolCalls() async throws {
        try await withGateway(config: { basicGatewayConfig($0) }) { h in
            h.simulators[0].enqueue(.callTools([SimulatorToolCall(name: "get_weather", arguments: #"{"city":"Paris"}"#)]))
            let reply = try await h.post(
                "/v1/chat/completions",
                #"{"model": "chat", "messages": [{"role": "user", "content": "weather?"}], "tools": [{"type": "function", "function": {"name": "get_weather", "parameters": {"type": "object"}}}]}"#)
            #expect(reply.status == 200, "\(reply.body)")
            let call = try #require(reply.json?["choices"]?[0]?["message"]?["tool_calls"]?[0])
            #expect(call["function"]?["name"]?.stringValue == "get_weather")
            #expect(call["function"]?["arguments"]?.stringValue == #"{"city":"Paris"}"#)
            #expect(call["type"]?.stringValue == "function")
            #expect(reply.json?["choices"]?[0]?["finish_reason"]?.stringValue == "tool_calls")
        }
    }

    @Test func streamsChunksThenDoneWithUsageWhenAsked() async throws {
        try await withGateway(config: { basicGatewayConfig($0) }) { h in
            h.simulators[0].enqueue(.reply("one two three four five"))
            let reply = try await h.post(
                "/v1/chat/completions",
                #"{"model": "chat", "stream": true, "stream_options": {"include_usage": true}, "messages": [{"role": "user", "content": "count"}]}"#)
            #expect(reply.status == 200)
            #expect(reply.headers.first(name: "content-type") == "text/event-stream")
            #expect(reply.headers.first(name: "x-onesim-member") == "chat")
            let events = GatewayHarness.events(reply.body)
            #expect(events.last == "[DONE]")
            let chunks = events.dropLast().compactMap { try? JSONCodec.parse($0) }
            #expect(chunks.count == events.count - 1)
            #expect(chunks.allSatisfy { $0["object"]?.stringValue == "chat.completion.chunk" })
            #expect(chunks.first?["choices"]?[0]?["delta"]?["role"]?.stringValue == "assistant")
            let text = chunks.compactMap { $0["choices"]?[0]?["delta"]?["content"]?.stringValue }.joined()
            #expect(text == "one two three four five")
            #expect(chunks.contains { $0["choices"]?[0]?["finish_reason"]?.stringValue == "stop" })
            let usage = try #require(chunks.last)
            #expect(usage["choices"]?.arrayValue?.isEmpty == true)
            #expect((usage["usage"]?["total_tokens"]?.intValue ?? 0) > 0)
        }
    }

    @Test func streamsToolCallDeltas() async throws {
        try await withGateway(config: { basicGatewayConfig($0) }) { h in
            h.simulators[0].enqueue(.callTools([SimulatorToolCall(name: "lookup", arguments: #"{"q":"x"}"#)]))
            let reply = try await h.post(
                "/v1/chat/completions",
                #"{"model": "chat", "stream": true, "messages": [{"role": "user", "content": "go"}], "tools": [{"type": "function", "function": {"name": "lookup"}}]}"#)
            let chunks = GatewayHarness.events(reply.body).dropLast().compactMap { try? JSONCodec.parse($0) }
            let calls = chunks.compactMap { $0["choices"]?[0]?["delta"]?["tool_calls"]?[0] }
            #expect(calls.first?["function"]?["name"]?.stringValue == "lookup")
            #expect(calls.compactMap { $0["function"]?["arguments"]?.stringValue }.joined() == #"{"q":"x"}"#)
            #expect(chunks.contains { $0["choices"]?[0]?["finish_reason"]?.stringValue == "tool_calls" })
        }
    }

    @Test func aStreamThatFailsMidwayEndsWithAnErrorEventAndNoDone() async throws {
        try await withGateway(config: { basicGatewayConfig($0) }) { h in
            h.simulators[0].enqueue(.fail(.streamError(afterEvents: 2, message: "upstream broke")))
            let reply = try await h.post(
                "/v1/chat/completions", #"{"model": "chat", "stream": true, "messages": [{"role": "user", "content": "go"}]}"#)
            let events = GatewayHarness.events(reply.body)
            #expect(events.last != "[DONE]")
            #expect(events.last?.contains("\"error\"") == true, "\(events)")
        }
    }

    @Test func resolvesBalancersAndModelNames() async throws {
        try await withGateway(
            simulators: 2,
            config: { sims in
                """
                [\(memberConfig("a", baseURL: sims[0].baseURL, model: "shared")), \(memberConfig("b", baseURL: sims[1].baseURL, model: "shared")),
                 {"config_name": "lb", "model_type": "load_balancer", "models": ["a", "b"], "strategy": "round_robin"}]
                """
            }
        ) { h in
            let body = { (model: String) in #"{"model": "\#(model)", "messages": [{"role": "user", "content": "hi"}]}"# }
            var members = Set<String>()
            for _ in 0..<4 {
                let reply = try await h.post("/v1/chat/completions", body("lb"))
                #expect(reply.status == 200)
                members.insert(reply.headers.first(name: "x-onesim-member") ?? "")
            }
            #expect(members == ["a", "b"])
            members = []
            for _ in 0..<4 {
                let reply = try await h.post("/v1/chat/completions", body("shared"))
                #expect(reply.status == 200, "\(reply.body)")
                members.insert(reply.headers.first(name: "x-onesim-member") ?? "")
            }
            // The by-name balancer names no strategy: the fleet dispatch keeps one prompt where
            // it was sent before, so one call after another may all go to one member.
            #expect(!members.isEmpty && members.isSubset(of: ["a", "b"]))
            let direct = try await h.post("/v1/chat/completions", body("b"))
            #expect(direct.headers.first(name: "x-onesim-member") == "b")
        }
    }
}
