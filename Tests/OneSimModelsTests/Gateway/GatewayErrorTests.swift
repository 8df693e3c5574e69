import Foundation
import OneSimModels
@testable import OneSimModelsGateway
import OneSimModelsSimulator
import Testing

@Suite("Gateway: errors and bad input")
struct GatewayErrorTests {
    static let chat = #"{"model": "chat", "messages": [{"role": "user", "content": "hi"}]}"#

    @Test func upstreamErrorsKeepTheirStatusTypeCodeAndMessage() async throws {
        try await withGateway(config: { basicGatewayConfig($0) }) { h in
            h.simulators[0].enqueue(.fail(.status(400, message: "bad things in prompt", type: "invalid_request_error", code: "weird_input")))
            let reply = try await h.post("/v1/chat/completions", Self.chat)
            #expect(reply.status == 400)
            #expect(reply.errorCode == "weird_input")
            #expect(reply.json?["error"]?["type"]?.stringValue == "invalid_request_error")
            #expect(reply.errorMessage.contains("bad things in prompt"))

            h.simulators[0].enqueue(.fail(.status(429, message: "slow down", type: "requests", code: "rate_limit_exceeded", retryAfter: 7)))
            let limited = try await h.post("/v1/chat/completions", Self.chat)
            #expect(limited.status == 429)
            #expect(limited.headers.first(name: "retry-after") == "7")
        }
    }

    @Test func aBalancerThatGaveUpAnswersWithTheLastUpstreamStatus() async throws {
        try await withGateway(
            simulators: 2,
            config: { sims in
                """
                [\(memberConfig("a", baseURL: sims[0].baseURL)), \(memberConfig("b", baseURL: sims[1].baseURL)),
                 {"config_name": "lb", "model_type": "load_balancer", "models": ["a", "b"], "max_retries": 0}]
                """
            }
        ) { h in
            for sim in h.simulators { sim.setFaultRate(SimulatorFaultRate(rate: 1, fault: .status(502, message: "bad gateway upstream"))) }
            let reply = try await h.post("/v1/chat/completions", #"{"model": "lb", "messages": [{"role": "user", "content": "hi"}]}"#)
            #expect(reply.status == 502, "\(reply.body)")
            #expect(reply.json?["error"]?["message"] != nil)
        }
    }

    @Test func unknownModelsRoutesAndMethodsAreOpenAIShaped404sAnd405s() async throws {
        try await withGateway(config: { basicGatewayConfig($0) }) { h in
            let model = try await h.post("/v1/chat/completions", #"{"model": "nope", "messages": [{"role": "user", "content": "hi"}]}"#)
            #expect(model.status == 404)
            #expect(model.errorCode == "model_not_found")
            let route = try await h.get("/v1/nothing-here")
            #expect(route.status == 404)
            #expect(route.errorCode == "unknown_url")
            let method = try await h.get("/v1/chat/completions")
            #expect(method.status == 405)
            #expect(method.json?["error"]?["type"] != nil)
            let kind = try await h.post("/v1/chat/completions", #"{"model": "embed", "messages": [{"role": "user", "content": "hi"}]}"#)
            #expect(kind.status == 400)
            #expect(kind.errorParam == "model")
        }
    }

    @Test(arguments: ["/v1/chat/completions", "/v1/embeddings"])
    func malformedJSONIsA400WithLineAndColumn(_ path: String) async throws {
        try await withGateway(config: { basicGatewayConfig($0) }) { h in
            let truncated = try await h.post(path, "{\"model\": \"chat\",\n \"messages\": [")
            #expect(truncated.status == 400)
            #expect(truncated.errorCode == "invalid_json")
            #expect(truncated.errorMessage.contains("line 2, column"), "\(truncated.errorMessage)")
            let empty = try await h.send(.POST, path, bytes: [])
            #expect(empty.status == 400)
            let notUTF8 = try await h.send(.POST, path, bytes: [0x7B, 0xFF, 0xFE, 0x7D])
            #expect(notUTF8.status == 400)
            let array = try await h.post(path, "[1, 2]")
            #expect(array.status == 400)
            let deep = try await h.post(path, String(repeating: "[", count: 10_000))
            #expect(deep.status == 400)
        }
    }

    @Test(arguments: [
        (#"{"model": 5, "messages": []}"#, "model"),
        (#"{"model": "chat"}"#, "messages"),
        (#"{"model": "chat", "messages": "hi"}"#, "messages"),
        (#"{"model": "chat", "messages": []}"#, "messages"),
        (#"{"model": "chat", "messages": [{"role": "wizard", "content": "x"}]}"#, "messages[0].role"),
        (#"{"model": "chat", "messages": [{"role": "user", "content": 5}]}"#, "messages[0].content"),
        (#"{"model": "chat", "messages": [{"role": "user", "content": [{"type": "input_audio"}]}]}"#, "messages[0].content[0].type"),
        (#"{"model": "chat", "messages": [{"role": "user", "content": [{"type": "image_url", "image_url": {"url": "/etc/passwd"}}]}]}"#, "messages[0].content[0].image_url.url"),
        (#"{"model": "chat", "messages": [{"role": "tool", "content": "x"}]}"#, "messages[0].tool_call_id"),
        (#"{"model": "chat", "messages": [{"role": "user", "content": "x"}], "temperature": "hot"}"#, "temperature"),
        (#"{"model": "chat", "messages": [{"role": "user", "content": "x"}], "temperature": 1e400}"#, nil),
        (#"{"model": "chat", "messages": [{"role": "user", "content": "x"}], "temperature": 9}"#, "temperature"),
        (#"{"model": "chat", "messages": [{"role": "user", "content": "x"}], "max_tokens": -3}"#, "max_tokens"),
        (#"{"model": "chat", "messages": [{"role": "user", "content": "x"}], "max_tokens": 1e30}"#, "max_tokens"),
        (#"{"model": "chat", "messages": [{"role": "user", "content": "x"}], "n": 3}"#, "n"),
        (#"{"model": "chat", "messages": [{"role": "user", "content": "x"}], "stream": "yes"}"#, "stream"),
        (#"{"model": "chat", "messages": [{"role": "user", "content": "x"}], "stop": [1]}"#, "stop"),
        (#"{"model": "chat", "messages": [{"role": "user", "content": "x"}], "tools": {}}"#, "tools"),
        (#"{"model": "chat", "messages": [{"role": "user", "content": "x"}], "tool_choice": "sometimes"}"#, "tool_choice"),
        (#"{"model": "chat", "messages": [{"role": "user", "content": "x"}], "response_format": {"type": "yaml"}}"#, "response_format.type"),
        (#"{"model": "chat", "messages": [{"role": "user", "content": "x"}], "response_format": {"type": "json_schema"}}"#, "response_format.json_schema"),
        (#"{"model": "chat", "messages": [{"role": "user", "content": "x"}], "seed": 1.5}"#, "seed"),
    ] as [(String, String?)])
    func wrongTypesAndRangesNameTheField(_ body: String, _ param: String?) async throws {
        try await withGateway(config: { basicGatewayConfig($0) }) { h in
            let reply = try await h.post("/v1/chat/completions", body)
            #expect(reply.status == 400, "\(body) → \(reply.body)")
            if let param { #expect(reply.errorParam == param, "\(body) → \(reply.body)") }
            #expect(h.simulators[0].requestCount == 0)
        }
    }

    @Test(arguments: [
        (#"{"model": "embed"}"#, "input"),
        (#"{"model": "embed", "input": 5}"#, "input"),
        (#"{"model": "embed", "input": []}"#, "input"),
        (#"{"model": "embed", "input": [1, 2, 3]}"#, "input[0]"),
        (#"{"model": "embed", "input": "x", "encoding_format": "hex"}"#, "encoding_format"),
        (#"{"model": "embed", "input": "x", "dimensions": 0}"#, "dimensions"),
        (#"{"model": "embed", "input": "x", "dimensions": 1e20}"#, "dimensions"),
    ] as [(String, String)])
    func badEmbeddingRequestsNameTheField(_ body: String, _ param: String) async throws {
        try await withGateway(config: { basicGatewayConfig($0) }) { h in
            let reply = try await h.post("/v1/embeddings", body)
            #expect(reply.status == 400, "\(body) → \(reply.body)")
            #expect(reply.errorParam == param, "\(body) → \(reply.body)")
        }
    }

    @Test(arguments: ["/v1/chat/completions", "/v1/embeddings"])
    func hugeBodiesAreA413(_ path: String) async throws {
        try await withGateway(config: { basicGatewayConfig($0) }, configure: { $0.maxBodyBytes = 4096 }) { h in
            let big = #"{"model": "chat", "messages": [{"role": "user", "content": ""# + String(repeating: "a", count: 100_000) + #""}]}"#
            let reply = try await h.post(path, big)
            #expect(reply.status == 413)
            #expect(reply.errorCode == "request_too_large")
            // The server still answers afterwards.
            let live = try await h.get("/health/live")
            #expect(live.status == 200)
        }
    }

    @Test func anUnsupportedFieldForTheMembersProviderIsA400NamingIt() async throws {
        try await withGateway(
            config: { sims in
                """
                [{"config_name": "claude", "model_type": "anthropic_chat", "model_name": "claude-x", "api_key": "k",
                  "client_args": {"base_url": "\(sims[0].baseURL)", "max_retries": 0}}]
                """
            }
        ) { h in
            let reply = try await h.post(
                "/v1/chat/completions",
                #"{"model": "claude", "messages": [{"role": "user", "content": "hi"}], "logit_bias": {"50256": -100}}"#)
            #expect(reply.status == 400, "\(reply.body)")
            #expect(reply.errorMessage.contains("logit_bias"), "\(reply.body)")
            #expect(h.simulators[0].requestCount == 0)
        }
    }
}

@Suite("Gateway: unsupported fields through a balancer")
struct GatewayBalancerUnsupportedTests {
    @Test func aBalancerOverAnAnthropicMemberStillAnswers400NamingTheField() async throws {
        try await withGateway(
            config: { sims in
                """
                [{"config_name": "claude", "model_type": "anthropic_chat", "model_name": "claude-x", "api_key": "k",
                  "client_args": {"base_url": "\(sims[0].baseURL)", "max_retries": 0}},
                 {"config_name": "lb", "model_type": "load_balancer", "models": ["claude"]}]
                """
            }
        ) { h in
            let reply = try await h.post(
                "/v1/chat/completions", #"{"model": "lb", "messages": [{"role": "user", "content": "hi"}], "logit_bias": {"1": 1}}"#)
            #expect(reply.status == 400, "\(reply.body)")
            #expect(reply.errorMessage.contains("logit_bias"))
        }
    }
}
