import Foundation
import NIOCore
import NIOHTTP1
import OneSimModelsSimulator
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

private func anthropicConfig(_ name: String, _ sim: Simulator, extra: String = "", clientExtra: String = "") -> String {
    providerConfig(name, type: "anthropic_chat", sim, model: "claude-sonnet-4-5", extra: extra, clientExtra: clientExtra)
}

@Suite("Anthropic over HTTP", .timeLimit(.minutes(3)))
struct AnthropicTests {
    @Test func chatSendsTheMessagesAPIShapeAndDecodesTheReply() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: anthropicConfig("claude", sim))
            let model = try m.getModel(configName: "claude")
            let response = try await model.acall(
                model.format(SystemMessage("You are a helpful assistant."), UserMessage("Tell me about language models.")))
            #expect(response.text == "Tell me about language models.")
            #expect(response.finishReason == "stop")
            #expect(response.usage == Usage(promptTokens: 10, completionTokens: 5))
            #expect(response.modelInfo == ModelInfo(modelName: "claude-sonnet-4-5", configName: "claude", provider: "anthropic"))
            #expect(response.requestID?.hasPrefix("req_sim_") == true)
            #expect(response.raw["type"] == "message")

            let request = try #require(sim.requests.last)
            #expect(request.path == "/v1/messages")
            #expect(request.headers["x-api-key"] == "sim-key-0123456")
            #expect(request.headers["anthropic-version"] == "2023-06-01")
            #expect(request.headers["authorization"] == nil)
            #expect(
                lastBody(sim)
                    == [
                        "model": "claude-sonnet-4-5", "max_tokens": 4096, "system": "You are a helpful assistant.",
                        "messages": [["role": "user", "content": "Tell me about language models."]],
                    ])
        }
    }

    @Test func optionsAreTranslatedAndNativeFieldsPassThrough() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: anthropicConfig(
                "claude", sim,
                extra: #", "anthropic_version": "2023-01-01", "generate_args": {"temperature": 0.2, "max_tokens": 50, "top_k": 5, "stop": "END"}"#))
            _ = try await m.getModel(configName: "claude").acall(
                "hi", options: CallOptions(topP: 0.9, stop: ["STOP"], extraBody: ["metadata": ["user_id": "agent-7"]]))
            #expect(sim.requests.last?.headers["anthropic-version"] == "2023-01-01")
            let body = try #require(lastBody(sim))
            #expect(body["max_tokens"] == 50)
            #expect(body["temperature"] == 0.2)
            #expect(body["top_p"] == 0.9)
            #expect(body["top_k"] == 5)
            #expect(body["stop_sequences"] == ["STOP"])  // the call's stop wins over generate_args
            #expect(body["stop"] == nil)
            #expect(body["metadata"] == ["user_id": "agent-7"])
        }
    }

    @Test func featuresAnthropicLacksAreClearErrorsBeforeAnythingIsSent() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: anthropicConfig("claude", sim))
            let model = try m.getModel(configName: "claude")
            for options in [
                CallOptions(extraBody: ["n": 2]), CallOptions(extraBody: ["seed": 7]),
                CallOptions(extraBody: ["presence_penalty": 0.5]), CallOptions(responseFormat: .jsonObject),
            ] {
                let error = await captureModelError { _ = try await model.acall("hi", options: options) }
                #expect(error?.kind == .unsupported, "\(options)")
                #expect(error?.message.contains("Anthropic does not support") == true)
                #expect(error?.configName == "claude")
            }
            let one = try await model.acall("fine", options: CallOptions(extraBody: ["n": 1]))
            #expect(one.text == "fine")
            #expect(sim.requestCount == 1)
        }
    }

    @Test func toolCallsRoundTripAsToolUseAndToolResultBlocks() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: anthropicConfig("claude", sim))
            let model = try m.getModel(configName: "claude")
            let ask = UserMessage("What's the weather like in San Francisco?")
            let first = try await model.acall(
                [ask], options: CallOptions(tools: [weatherTool], toolChoice: .required))
            let body = try #require(lastBody(sim))
            #expect(body["tool_choice"] == ["type": "any"])
            #expect(
                body["tools"]
                    == [["name": "get_weather", "description": "Get the current weather in a given location", "input_schema": weatherTool.parameters]])
            #expect(first.text == nil)
            #expect(first.finishReason == "tool_calls")
            let call = try #require(first.toolCalls.first)
            #expect(call.name == "get_weather")
            #expect(call.id == "toolu_sim_0_get_weather")
            #expect(try JSONCodec.parse(call.arguments)["location"] == "What's the weather like in San Francisco?")

            // Two parallel calls answered by two tool messages: one user turn of tool_result blocks.
            sim.enqueue(.callTools([
                SimulatorToolCall(name: "get_weather", arguments: #"{"location":"SF"}"#),
                SimulatorToolCall(name: "get_weather", arguments: #"{"location":"NYC"}"#),
            ]))
            let second = try await model.acall([ask], options: CallOptions(tools: [weatherTool]))
            #expect(second.toolCalls.map(\.id) == ["toolu_sim_0_get_weather", "toolu_sim_1_get_weather"])
            let third = try await model.acall(
                [
                    ask, AssistantMessage("Let me check both.", toolCalls: second.toolCalls),
                    ToolMessage("15 degrees", toolCallID: second.toolCalls[0].id),
                    ToolMessage("20 degrees", toolCallID: second.toolCalls[1].id),
                ], options: CallOptions(tools: [weatherTool]))
            #expect(third.text == "15 degrees\n20 degrees")
            let messages = try #require(lastBody(sim)?["messages"]?.arrayValue)
            #expect(messages.count == 3)
            #expect(
                messages[1]
                    == [
                        "role": "assistant",
                        "content": [
                            ["type": "text", "text": "Let me check both."],
                            ["type": "tool_use", "id": "toolu_sim_0_get_weather", "name": "get_weather", "input": ["location": "SF"]],
                            ["type": "tool_use", "id": "toolu_sim_1_get_weather", "name": "get_weather", "input": ["location": "NYC"]],
                        ],
                    ])
            #expect(
                messages[2]
                    == [
                        "role": "user",
                        "content": [
                            ["type": "tool_result", "tool_use_id": "toolu_sim_0_get_weather", "content": "15 degrees"],
                            ["type": "tool_result", "tool_use_id": "toolu_sim_1_get_weather", "content": "20 degrees"],
                        ],
                    ])
        }
    }

    @Test func aToolResultForAnUnknownCallIsRejectedByTheServer() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: anthropicConfig("claude", sim, clientExtra: #", "max_retries": 0"#))
            let error = await captureModelError {
                _ = try await m.getModel(configName: "claude").acall([UserMessage("hi"), ToolMessage("x", toolCallID: "toolu_nope")])
            }
            #expect(error?.kind == .badRequest)
            #expect(error?.providerType == "invalid_request_error")
            #expect(error?.message.contains("toolu_nope") == true)
        }
    }

    @Test func fieldsTheAPIDoesNotKnowAreRejectedByTheServer() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: anthropicConfig("claude", sim, clientExtra: #", "max_retries": 0"#))
            let model = try m.getModel(configName: "claude")
            let unknown = await captureModelError { _ = try await model.acall("hi", options: CallOptions(extraBody: ["frequency": 1])) }
            #expect(unknown?.kind == .badRequest)
            #expect(unknown?.message == "frequency: Extra inputs are not permitted")
            let zero = await captureModelError { _ = try await model.acall("hi", options: CallOptions(maxTokens: 0)) }
            #expect(zero?.kind == .badRequest)
            #expect(zero?.status == 400)
        }
    }

    @Test func imagesAreBase64OrURLBlocks() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: anthropicConfig("claude", sim))
            let message = UserMessage(.parts([
                .text("What is in these images?"), .imageData(Data(tinyPNG)), .imageURL("https://example.com/dog.jpg"),
            ]))
            let response = try await m.getModel(configName: "claude").acall([message])
            #expect(response.text == "What is in these images?")
            #expect(
                lastBody(sim)?["messages"]?[0]?["content"]
                    == [
                        ["type": "text", "text": "What is in these images?"],
                        [
                            "type": "image",
                            "source": ["type": "base64", "media_type": "image/png", "data": .string(Data(tinyPNG).base64EncodedString())],
                        ],
                        ["type": "image", "source": ["type": "url", "url": "https://example.com/dog.jpg"]],
                    ])
        }
    }

    @Test func streamingDeliversTextAndUsageEvenWhenBytesArriveOneByOne() async throws {
        try await withSimulator(.init(streamChunkBytes: 1)) { sim, m in
            try m.loadModelConfigs(json: anthropicConfig("claude", sim))
            let model = try m.getModel(configName: "claude")
            let (deltas, error) = await drain(try await model.stream(model.format(SystemMessage("Be brief."), UserMessage("héllo wörld 🌍 again"))))
            #expect(error == nil)
            var accumulator = ResponseAccumulator()
            for delta in deltas { accumulator.add(delta) }
            let response = accumulator.response
            #expect(response.text == "héllo wörld 🌍 again")
            #expect(response.finishReason == "stop")
            #expect(response.usage == Usage(promptTokens: 6, completionTokens: 4))
            #expect(deltas.first?.modelInfo?.provider == "anthropic")
            #expect(deltas.filter { !$0.text.isEmpty }.count == 4)
            #expect(lastBody(sim)?["stream"] == true)
            let stats = m.tokenTracker.stats()
            #expect(stats.totalTokens == 10)
        }
    }

    @Test func streamedToolCallsAssembleFromInputJSONDeltas() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: anthropicConfig("claude", sim))
            sim.enqueue(.callTools([
                SimulatorToolCall(name: "get_weather", arguments: #"{"location":"San Francisco, CA","unit":"celsius"}"#),
                SimulatorToolCall(name: "get_time", arguments: "{}"),
            ]))
            let response = try await m.getModel(configName: "claude").stream(
                "weather?", options: CallOptions(tools: [weatherTool])
            ).collect()
            #expect(response.toolCalls.map(\.name) == ["get_weather", "get_time"])
            #expect(response.toolCalls[0].arguments == #"{"location":"San Francisco, CA","unit":"celsius"}"#)
            #expect(response.toolCalls[1].arguments == "{}")
            #expect(response.finishReason == "tool_calls")
            #expect(response.text == nil)
        }
    }

    @Test func errorEventsAndEarlyClosesEndTheStreamWithTypedErrors() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: anthropicConfig("claude", sim, clientExtra: #", "max_retries": 0"#))
            let model = try m.getModel(configName: "claude")
            sim.enqueue(.fail(.streamError(afterEvents: 4, message: "Overloaded", code: "overloaded_error")))
            let (deltas, error) = await drain(try await model.stream("one two three four five"))
            #expect(error?.kind == .serverError)
            #expect(error?.providerType == "overloaded_error")
            #expect(error?.message == "Overloaded")
            #expect(error?.isRetryable == true)
            #expect(error?.partialText == "one two")
            #expect(deltas.map(\.text).joined() == "one two")

            sim.enqueue(.fail(.closeStreamEarly(afterEvents: 3)))
            let (_, early) = await drain(try await model.stream("one two three four five"))
            #expect(early?.kind == .connectionFailed)
            #expect(early?.partialText == "one")
        }
    }

    @Test func errorBodiesMapToKindsWithTypeRequestIDAndRetryAfter() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: anthropicConfig("claude", sim, clientExtra: #", "max_retries": 0"#))
            let model = try m.getModel(configName: "claude")
            sim.enqueue(.fail(.status(529, message: "Overloaded")))
            let overloaded = await captureModelError { _ = try await model.acall("hi") }
            #expect(overloaded?.kind == .serverError)
            #expect(overloaded?.status == 529)
            #expect(overloaded?.providerType == "overloaded_error")
            #expect(overloaded?.isRetryable == true)
            #expect(overloaded?.requestID == "req_sim_err")

            sim.enqueue(.fail(.status(429, message: "Number of request tokens has exceeded your per-minute rate limit", retryAfter: 3)))
            let limited = await captureModelError { _ = try await model.acall("hi") }
            #expect(limited?.kind == .rateLimited)
            #expect(limited?.providerType == "rate_limit_error")
            #expect(limited?.retryAfter == .seconds(3))

            sim.enqueue(.fail(.status(429, message: "spend limit reached", code: "enforced_spend_limit_reached")))
            let spend = await captureModelError { _ = try await model.acall("hi") }
            #expect(spend?.kind == .rateLimited)
            #expect(spend?.providerCode == "enforced_spend_limit_reached")
            #expect(spend?.isRetryable == false)

            sim.enqueue(.fail(.status(400, message: "prompt is too long: 212000 tokens > 200000 maximum")))
            let long = await captureModelError { _ = try await model.acall("hi") }
            #expect(long?.kind == .contextLengthExceeded)

            for (status, kind, type) in [
                (401, ModelError.Kind.authentication, "authentication_error"), (403, .permissionDenied, "permission_error"),
                (404, .notFound, "not_found_error"), (413, .badRequest, "request_too_large"), (500, .serverError, "api_error"),
            ] {
                sim.enqueue(.fail(.status(status, message: "boom \(status)")))
                let error = await captureModelError { _ = try await model.acall("hi") }
                #expect(error?.kind == kind)
                #expect(error?.providerType == type)
                #expect(error?.message == "boom \(status)")
            }
        }
    }

    @Test func theBareAdapterRetriesOverloadedErrors() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: anthropicConfig("claude", sim, clientExtra: #", "max_retries": 2"#))
            sim.enqueue(.fail(.status(529, message: "Overloaded", retryAfter: 0.01)), .fail(.status(500, retryAfter: 0.01)))
            let response = try await m.getModel(configName: "claude").acall("hello")
            #expect(response.text == "hello")
            #expect(sim.requestCount == 3)
        }
    }

    @Test func aWrongKeyIsAnAuthenticationErrorWithoutTheKey() async throws {
        try await withSimulator(.init(requiredAPIKey: "sk-ant-right")) { sim, m in
            try m.loadModelConfigs(json: anthropicConfig("claude", sim))
            let error = await captureModelError { _ = try await m.getModel(configName: "claude").acall("hi") }
            #expect(error?.kind == .authentication)
            #expect(!String(describing: error).contains("sim-key-0123456"))
        }
    }

    @Test func theKeyComesFromANTHROPIC_API_KEY() async throws {
        try await withSimulator(.init(requiredAPIKey: "sk-ant-from-env"), environment: ["ANTHROPIC_API_KEY": "sk-ant-from-env"]) { sim, m in
            try m.loadModelConfigs(json: providerConfig("claude", type: "anthropic_chat", sim, model: "claude-haiku-4-5", key: nil))
            #expect(try await m.getModel(configName: "claude").acall("hi").text == "hi")
            #expect(sim.requests.last?.headers["x-api-key"] == "sk-ant-from-env")
        }
    }

    @Test func structuredOutputsUseOutputConfigFormat() async throws {
        struct Weather: Decodable, Sendable {
            var location: String
            var celsius: Int
        }
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: anthropicConfig("claude", sim))
            let schema: JSONValue = [
                "type": "object", "properties": ["location": ["type": "string"], "celsius": ["type": "integer"]],
                "required": ["location", "celsius"], "additionalProperties": false,
            ]
            let result = try await m.getModel(configName: "claude").acall("Paris", returning: Weather.self, schema: schema)
            #expect(result.value.location == "Paris")
            #expect(result.value.celsius == 1)
            #expect(lastBody(sim)?["output_config"] == ["format": ["type": "json_schema", "schema": schema]])
        }
    }

    @Test func streamTrueInTheConfigStreamsUnderTheHood() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: anthropicConfig("claude", sim, extra: #", "stream": true"#))
            let response = try await m.getModel(configName: "claude").acall("streamed anyway")
            #expect(response.text == "streamed anyway")
            #expect(response.modelInfo.provider == "anthropic")
            #expect(lastBody(sim)?["stream"] == true)
        }
    }
}

/// Mapping checked against the example payloads of Anthropic's Messages API documentation
/// (docs.claude.com: Messages, Streaming Messages, Tool use, Errors).
@Suite("Anthropic documentation payloads")
struct AnthropicDocPayloadTests {
    @Test func decodesTheMessagesExampleResponse() throws {
        let raw = try JSONCodec.parse(#"""
            {"content": [{"text": "Hi! My name is Claude.", "type": "text"}],
             "id": "msg_013Zva2CMHLNnXjNJJKqJ2EF", "model": "claude-3-7-sonnet-20250219", "role": "assistant",
             "stop_reason": "end_turn", "stop_sequence": null, "type": "message",
             "usage": {"input_tokens": 2095, "output_tokens": 503}}
            """#)
        let response = try AnthropicCodec.decodeResponse(raw)
        #expect(response.text == "Hi! My name is Claude.")
        #expect(response.finishReason == "stop")
        #expect(response.usage == Usage(promptTokens: 2095, completionTokens: 503))
        #expect(response.toolCalls.isEmpty)
    }

    @Test func decodesTheToolUseExampleResponse() throws {
        let raw = try JSONCodec.parse(#"""
            {"id": "msg_01Aq9w938a90dw8q", "model": "claude-opus-4-1-20250805", "stop_reason": "tool_use",
             "role": "assistant",
             "content": [
               {"type": "text", "text": "I'll check the current weather in San Francisco for you."},
               {"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "get_weather",
                "input": {"location": "San Francisco, CA", "unit": "celsius"}}]}
            """#)
        let response = try AnthropicCodec.decodeResponse(raw)
        #expect(response.text == "I'll check the current weather in San Francisco for you.")
        #expect(response.finishReason == "tool_calls")
        #expect(response.toolCalls == [
            ToolCall(id: "toolu_01A09q90qw90lq917835lq9", name: "get_weather", arguments: #"{"location":"San Francisco, CA","unit":"celsius"}"#)
        ])
        #expect(response.usage == .zero)
    }

    @Test func encodesTheToolResultConversationOfTheDocs() async throws {
        let prompt: Prompt = [
            UserMessage("What's the weather like in San Francisco?"),
            AssistantMessage(
                "I'll check the current weather in San Francisco for you.",
                toolCalls: [ToolCall(id: "toolu_01A09q90qw90lq917835lq9", name: "get_weather", arguments: #"{"location": "San Francisco, CA", "unit": "celsius"}"#)]),
            ToolMessage("15 degrees", toolCallID: "toolu_01A09q90qw90lq917835lq9"),
        ]
        let (system, messages) = try await AnthropicCodec.encodeMessages(prompt)
        #expect(system == nil)
        let expected = try JSONCodec.parse(#"""
            [{"role": "user", "content": "What's the weather like in San Francisco?"},
             {"role": "assistant", "content": [
                {"type": "text", "text": "I'll check the current weather in San Francisco for you."},
                {"type": "tool_use", "id": "toolu_01A09q90qw90lq917835lq9", "name": "get_weather",
                 "input": {"location": "San Francisco, CA", "unit": "celsius"}}]},
             {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_01A09q90qw90lq917835lq9", "content": "15 degrees"}]}]
            """#)
        #expect(messages == expected)
    }

    @Test func toolArgumentsThatAreNotAnObjectAreABadRequest() async {
        let prompt: Prompt = [AssistantMessage("", toolCalls: [ToolCall(id: "t1", name: "f", arguments: "[1, 2]")])]
        await #expect(throws: ModelError.self) { _ = try await AnthropicCodec.encodeMessages(prompt) }
    }

    @Test func decodesTheBasicStreamingExample() throws {
        let stream = """
            event: message_start
            data: {"type": "message_start", "message": {"id": "msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY", "type": "message", "role": "assistant", "content": [], "model": "claude-opus-4-1-20250805", "stop_reason": null, "stop_sequence": null, "usage": {"input_tokens": 25, "output_tokens": 1}}}

            event: content_block_start
            data: {"type": "content_block_start", "index": 0, "content_block": {"type": "text", "text": ""}}

            event: ping
            data: {"type": "ping"}

            event: content_block_delta
            data: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "Hello"}}

            event: content_block_delta
            data: {"type": "content_block_delta", "index": 0, "delta": {"type": "text_delta", "text": "!"}}

            event: content_block_stop
            data: {"type": "content_block_stop", "index": 0}

            event: message_delta
            data: {"type": "message_delta", "delta": {"stop_reason": "end_turn", "stop_sequence":null}, "usage": {"output_tokens": 15}}

            event: message_stop
            data: {"type": "message_stop"}


            """
        let (response, finished) = try Self.play(stream)
        #expect(finished)
        #expect(response.text == "Hello!")
        #expect(response.finishReason == "stop")
        #expect(response.usage == Usage(promptTokens: 25, completionTokens: 15))
    }

    @Test func decodesTheToolUseStreamingExample() throws {
        let stream = #"""
            event: message_start
            data: {"type":"message_start","message":{"id":"msg_014p7gG3wDgGV9EUtLvnow3U","type":"message","role":"assistant","model":"claude-opus-4-1-20250805","stop_sequence":null,"usage":{"input_tokens":472,"output_tokens":2},"content":[],"stop_reason":null}}

            event: content_block_start
            data: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Okay"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":0}

            event: content_block_start
            data: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_01T1x1fJ34qAmk2tNTrN7Up6","name":"get_weather","input":{}}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":""}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"location\":"}}

            event: content_block_delta
            data: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":" \"San Francisco, CA\"}"}}

            event: content_block_stop
            data: {"type":"content_block_stop","index":1}

            event: message_delta
            data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}

            event: message_stop
            data: {"type":"message_stop"}


            """#
        let (response, finished) = try Self.play(stream)
        #expect(finished)
        #expect(response.text == "Okay")
        #expect(response.toolCalls == [
            ToolCall(id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", name: "get_weather", arguments: #"{"location": "San Francisco, CA"}"#)
        ])
        #expect(response.finishReason == "tool_calls")
        #expect(response.usage == Usage(promptTokens: 472, completionTokens: 89))
    }

    @Test func theDocsErrorEventIsThrown() {
        var decoder = AnthropicStreamDecoder()
        let error = #expect(throws: ModelError.self) {
            _ = try decoder.decode(SSEEvent(event: "error", data: #"{"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}"#))
        }
        #expect(error?.kind == .serverError)
        #expect(error?.providerType == "overloaded_error")
        #expect(error?.message == "Overloaded")
    }

    @Test func mapsTheDocsErrorShape() {
        var headers = HTTPHeaders()
        headers.add(name: "retry-after", value: "12")
        let result = HTTPResult(status: 404, headers: headers, body: ByteBuffer(string: #"""
            {"type": "error", "error": {"type": "not_found_error", "message": "The requested resource could not be found."}, "request_id": "req_011CSHoEeqs5C35K2UUqR7Fy"}
            """#))
        let error = AnthropicErrorMapper.map(result, configName: "c")
        #expect(error.kind == .notFound)
        #expect(error.message == "The requested resource could not be found.")
        #expect(error.requestID == "req_011CSHoEeqs5C35K2UUqR7Fy")
        #expect(error.retryAfter == .seconds(12))
        #expect(error.configName == "c")
        let html = AnthropicErrorMapper.map(HTTPResult(status: 502, headers: [:], body: ByteBuffer(string: "<html>bad gateway</html>")), configName: "c")
        #expect(html.kind == .serverError)
        #expect(html.message.contains("bad gateway"))
    }

    static func play(_ text: String) throws -> (ModelResponse, Bool) {
        var sse = SSEDecoder()
        var decoder = AnthropicStreamDecoder()
        var accumulator = ResponseAccumulator()
        for event in sse.feed(Array(text.utf8)) + sse.finish() {
            for delta in try decoder.decode(event) { accumulator.add(delta) }
        }
        return (accumulator.response, decoder.isFinished)
    }
}
