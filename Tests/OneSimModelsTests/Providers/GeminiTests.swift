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

private func geminiConfig(_ name: String, _ sim: Simulator, extra: String = "", clientExtra: String = "") -> String {
    providerConfig(name, type: "gemini_chat", sim, model: "gemini-2.5-flash", extra: extra, clientExtra: clientExtra)
}

@Suite("Gemini over HTTP", .timeLimit(.minutes(3)))
struct GeminiTests {
    @Test func chatSendsContentsAndSystemInstructionAndDecodesTheReply() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: geminiConfig("gem", sim))
            let model = try m.getModel(configName: "gem")
            let response = try await model.acall(model.format(
                SystemMessage("You are a cat."), UserMessage("Hello there"), AssistantMessage("Meow."),
                UserMessage("Tell me about language models.")))
            #expect(response.text == "Tell me about language models.")
            #expect(response.finishReason == "stop")
            #expect(response.usage == Usage(promptTokens: 12, completionTokens: 5))
            #expect(response.modelInfo == ModelInfo(modelName: "gemini-2.5-flash", configName: "gem", provider: "gemini"))
            #expect(response.requestID?.hasPrefix("sim-") == true)

            let request = try #require(sim.requests.last)
            #expect(request.path == "/v1beta/models/gemini-2.5-flash:generateContent")
            #expect(request.headers["x-goog-api-key"] == "sim-key-0123456")
            #expect(request.headers["authorization"] == nil)
            #expect(
                lastBody(sim)
                    == [
                        "systemInstruction": ["parts": [["text": "You are a cat."]]],
                        "contents": [
                            ["role": "user", "parts": [["text": "Hello there"]]],
                            ["role": "model", "parts": [["text": "Meow."]]],
                            ["role": "user", "parts": [["text": "Tell me about language models."]]],
                        ],
                    ])
        }
    }

    @Test func optionsGoIntoGenerationConfig() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: geminiConfig(
                "gem", sim,
                extra: #", "generate_args": {"temperature": 0.3, "max_tokens": 40, "top_k": 8, "thinkingConfig": {"thinkingBudget": 0}, "safetySettings": [{"category": "HARM_CATEGORY_HARASSMENT", "threshold": "BLOCK_ONLY_HIGH"}]}"#))
            _ = try await m.getModel(configName: "gem").acall(
                "hi", options: CallOptions(topP: 0.8, stop: ["END"], extraBody: ["seed": 3]))
            let body = try #require(lastBody(sim))
            #expect(
                body["generationConfig"]
                    == [
                        "temperature": 0.3, "maxOutputTokens": 40, "topK": 8, "topP": 0.8, "stopSequences": ["END"], "seed": 3,
                        "thinkingConfig": ["thinkingBudget": 0],
                    ])
            #expect(body["safetySettings"]?[0]?["threshold"] == "BLOCK_ONLY_HIGH")
        }
    }

    @Test func unknownFieldsEndUpInGenerationConfigWhereTheServerRejectsThem() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: geminiConfig("gem", sim, clientExtra: #", "max_retries": 0"#))
            let error = await captureModelError {
                _ = try await m.getModel(configName: "gem").acall("hi", options: CallOptions(extraBody: ["maxTokens": 5]))
            }
            #expect(error?.kind == .badRequest)
            #expect(error?.providerType == "INVALID_ARGUMENT")
            #expect(error?.message.contains("Unknown name \"maxTokens\" at 'generation_config'") == true)
        }
    }

    @Test func maxOutputTokensTruncatesWithFinishReasonLength() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: geminiConfig("gem", sim))
            let response = try await m.getModel(configName: "gem").acall("one two three four", options: CallOptions(maxTokens: 2))
            #expect(response.text == "one two")
            #expect(response.finishReason == "length")
        }
    }

    @Test func featuresGeminiLacksAreClearErrors() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: geminiConfig("gem", sim))
            let model = try m.getModel(configName: "gem")
            for key in ["logit_bias", "parallel_tool_calls"] {
                let error = await captureModelError { _ = try await model.acall("hi", options: CallOptions(extraBody: [key: true])) }
                #expect(error?.kind == .unsupported)
                #expect(error?.message.contains(key) == true)
            }
            #expect(sim.requestCount == 0)
        }
    }

    @Test func functionCallsRoundTrip() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: geminiConfig("gem", sim))
            let model = try m.getModel(configName: "gem")
            let ask = UserMessage("What's the weather in Boston?")
            let first = try await model.acall([ask], options: CallOptions(tools: [weatherTool], toolChoice: .function("get_weather")))
            let body = try #require(lastBody(sim))
            #expect(
                body["tools"]
                    == [[
                        "functionDeclarations": [[
                            "name": "get_weather", "description": "Get the current weather in a given location",
                            "parametersJsonSchema": weatherTool.parameters,
                        ]]
                    ]])
            #expect(body["toolConfig"] == ["functionCallingConfig": ["mode": "ANY", "allowedFunctionNames": ["get_weather"]]])
            #expect(first.finishReason == "tool_calls")
            #expect(first.text == nil)
            let call = try #require(first.toolCalls.first)
            #expect(call.name == "get_weather")
            #expect(call.id == "gemini-call-0")
            #expect(try JSONCodec.parse(call.arguments) == ["location": "What's the weather in Boston?", "unit": "celsius"])

            let second = try await model.acall(
                [ask, AssistantMessage("", toolCalls: first.toolCalls), ToolMessage(#"{"temperature": 21}"#, toolCallID: call.id)])
            #expect(second.text == #"{"temperature":21}"#)
            let contents = try #require(lastBody(sim)?["contents"]?.arrayValue)
            #expect(contents.count == 3)
            #expect(
                contents[1]
                    == ["role": "model", "parts": [["functionCall": ["name": "get_weather", "args": try JSONCodec.parse(call.arguments)]]]])
            #expect(
                contents[2] == ["role": "user", "parts": [["functionResponse": ["name": "get_weather", "response": ["temperature": 21]]]]])
        }
    }

    @Test func aToolMessageForAnUnknownCallFailsBeforeSending() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: geminiConfig("gem", sim))
            let error = await captureModelError {
                _ = try await m.getModel(configName: "gem").acall([UserMessage("hi"), ToolMessage("x", toolCallID: "nope")])
            }
            #expect(error?.kind == .badRequest)
            #expect(error?.message.contains("needs the function name") == true)
            #expect(sim.requestCount == 0)
        }
    }

    @Test func imagesAreInlineData() async throws {
        try await withSimulator { sim, m in
            let dir = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: dir) }
            let path = dir.appendingPathComponent("cat.png").path
            try Data(tinyPNG).write(to: URL(fileURLWithPath: path))
            try m.loadModelConfigs(json: geminiConfig("gem", sim))
            let response = try await m.getModel(configName: "gem").acall([UserMessage("Caption this", images: [path])])
            #expect(response.text == "Caption this")
            #expect(
                lastBody(sim)?["contents"]?[0]?["parts"]
                    == [
                        ["text": "Caption this"],
                        ["inlineData": ["mimeType": "image/png", "data": .string(Data(tinyPNG).base64EncodedString())]],
                    ])
        }
    }

    @Test func jsonFormatsUseResponseMimeTypeAndSchema() async throws {
        struct Answer: Decodable, Sendable { var city: String }
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: geminiConfig("gem", sim))
            let schema: JSONValue = ["type": "object", "properties": ["city": ["type": "string"]], "required": ["city"]]
            let result = try await m.getModel(configName: "gem").acall("Lyon", returning: Answer.self, schema: schema)
            #expect(result.value.city == "Lyon")
            #expect(lastBody(sim)?["generationConfig"] == ["responseMimeType": "application/json", "responseJsonSchema": schema])
            let any = try await m.getModel(configName: "gem").acall("Lyon", options: CallOptions(responseFormat: .jsonObject))
            #expect(any.text == #"{"reply":"Lyon"}"#)
        }
    }

    @Test func streamingOverSSEWithOneByteChunks() async throws {
        try await withSimulator(.init(streamChunkBytes: 1)) { sim, m in
            try m.loadModelConfigs(json: geminiConfig("gem", sim))
            let (deltas, error) = await drain(try await m.getModel(configName: "gem").stream("wie geht’s dir heute 🌍"))
            #expect(error == nil)
            var accumulator = ResponseAccumulator()
            for delta in deltas { accumulator.add(delta) }
            #expect(accumulator.response.text == "wie geht’s dir heute 🌍")
            #expect(accumulator.response.finishReason == "stop")
            #expect(accumulator.response.usage == Usage(promptTokens: 5, completionTokens: 5))
            let request = try #require(sim.requests.last)
            #expect(request.path == "/v1beta/models/gemini-2.5-flash:streamGenerateContent")
            #expect(request.query["alt"] == "sse")
            #expect(m.tokenTracker.stats().totalTokens == 10)
        }
    }

    @Test func streamedFunctionCallsAndStreamErrors() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: geminiConfig("gem", sim, clientExtra: #", "max_retries": 0"#))
            let model = try m.getModel(configName: "gem")
            sim.enqueue(.callTools([SimulatorToolCall(name: "get_weather", arguments: #"{"location":"Oslo"}"#)]))
            let calls = try await model.stream("weather", options: CallOptions(tools: [weatherTool])).collect()
            #expect(calls.toolCalls == [ToolCall(id: "gemini-call-0", name: "get_weather", arguments: #"{"location":"Oslo"}"#)])
            #expect(calls.finishReason == "tool_calls")

            sim.enqueue(.fail(.streamError(afterEvents: 1, message: "The model is overloaded.", code: "UNAVAILABLE")))
            let (_, error) = await drain(try await model.stream("one two three"))
            #expect(error?.kind == .serverError)
            #expect(error?.providerType == "UNAVAILABLE")
            #expect(error?.partialText == "one two")

            sim.enqueue(.fail(.closeStreamEarly(afterEvents: 0)))
            let (_, early) = await drain(try await model.stream("one two three"))
            #expect(early?.kind == .connectionFailed)
            #expect(early?.partialText == "one")
        }
    }

    @Test func googleErrorBodiesMapToKinds() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: geminiConfig("gem", sim, clientExtra: #", "max_retries": 0"#))
            let model = try m.getModel(configName: "gem")
            sim.enqueue(.fail(.status(429, message: "You exceeded your current quota", retryAfter: 2)))
            let limited = await captureModelError { _ = try await model.acall("hi") }
            #expect(limited?.kind == .rateLimited)
            #expect(limited?.providerType == "RESOURCE_EXHAUSTED")
            #expect(limited?.retryAfter == .seconds(2))
            sim.enqueue(.fail(.status(400, message: "The input token count (1200000) exceeds the maximum number of tokens allowed (1048576).")))
            #expect(await captureModelError { _ = try await model.acall("hi") }?.kind == .contextLengthExceeded)
            for (status, kind) in [(403, ModelError.Kind.permissionDenied), (404, .notFound), (500, .serverError), (503, .serverError)] {
                sim.enqueue(.fail(.status(status, message: "boom")))
                let error = await captureModelError { _ = try await model.acall("hi") }
                #expect(error?.kind == kind)
                #expect(error?.status == status)
            }
        }
    }

    @Test func aWrongKeyIsAuthenticationAndTheKeyComesFromGEMINI_API_KEY() async throws {
        try await withSimulator(.init(requiredAPIKey: "gem-right-key"), environment: ["GEMINI_API_KEY": "gem-right-key"]) { sim, m in
            try m.loadModelConfigs(json: "[\(geminiConfig("wrong", sim, clientExtra: #", "max_retries": 0"#)), \(providerConfig("env", type: "gemini_chat", sim, model: "gemini-2.5-flash", key: nil))]")
            let error = await captureModelError { _ = try await m.getModel(configName: "wrong").acall("hi") }
            #expect(error?.kind == .authentication)
            #expect(error?.providerCode == "API_KEY_INVALID")
            #expect(try await m.getModel(configName: "env").acall("hi").text == "hi")
        }
    }

    @Test func embeddingsUseEmbedContentAndBatchEmbedContents() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: providerConfig(
                "emb", type: "gemini_embedding", sim, model: "gemini-embedding-001",
                extra: #", "generate_args": {"task_type": "SEMANTIC_SIMILARITY", "dimensions": 4}"#))
            let model = try m.getModel(configName: "emb")
            let one = try await model.acall(texts: ["hello"])
            #expect(one.embeddings == [SimulatorText.embedding("hello", dimensions: 4)])
            #expect(sim.requests.last?.path == "/v1beta/models/gemini-embedding-001:embedContent")
            #expect(
                lastBody(sim)
                    == ["content": ["parts": [["text": "hello"]]], "taskType": "SEMANTIC_SIMILARITY", "outputDimensionality": 4])

            let many = try await model.acall(texts: ["a b", "c", "d e f"])
            #expect(many.embeddings == ["a b", "c", "d e f"].map { SimulatorText.embedding($0, dimensions: 4) })
            #expect(sim.requests.last?.path == "/v1beta/models/gemini-embedding-001:batchEmbedContents")
            #expect(lastBody(sim)?["requests"]?[1] == [
                "model": "models/gemini-embedding-001", "content": ["parts": [["text": "c"]]], "taskType": "SEMANTIC_SIMILARITY",
                "outputDimensionality": 4,
            ])
            #expect(many.modelInfo.provider == "gemini")
        }
    }

    @Test func apiVersionPicksThePath() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: geminiConfig("gem", sim, extra: #", "api_version": "v1""#))
            #expect(try await m.getModel(configName: "gem").acall("hi").text == "hi")
            #expect(sim.requests.last?.path == "/v1/models/gemini-2.5-flash:generateContent")
        }
    }
}

/// Mapping checked against the example payloads of the Gemini API documentation
/// (ai.google.dev: generateContent, function calling, embeddings, errors).
@Suite("Gemini documentation payloads")
struct GeminiDocPayloadTests {
    @Test func decodesTheGenerateContentExample() throws {
        let raw = try JSONCodec.parse(#"""
            {"candidates": [{"content": {"parts": [{"text": "AI learns patterns from data to make predictions."}], "role": "model"},
                             "finishReason": "STOP", "avgLogprobs": -0.1734}],
             "usageMetadata": {"promptTokenCount": 8, "candidatesTokenCount": 9, "totalTokenCount": 17,
                               "promptTokensDetails": [{"modality": "TEXT", "tokenCount": 8}]},
             "modelVersion": "gemini-2.0-flash", "responseId": "GrHUZ8n2Cov2n9sPj8HJmQ4"}
            """#)
        let response = try GeminiCodec.decodeResponse(raw)
        #expect(response.text == "AI learns patterns from data to make predictions.")
        #expect(response.finishReason == "stop")
        #expect(response.usage == Usage(promptTokens: 8, completionTokens: 9, totalTokens: 17))
        #expect(response.requestID == "GrHUZ8n2Cov2n9sPj8HJmQ4")
    }

    @Test func decodesTheFunctionCallExampleWithIDsAndThoughtSignatures() throws {
        let raw = try JSONCodec.parse(#"""
            {"candidates": [{"content": {"role": "model", "parts": [
                {"functionCall": {"name": "set_light_values", "args": {"brightness": 25, "color_temp": "warm"}}, "thoughtSignature": "c2lnLTE="},
                {"functionCall": {"id": "call-7", "name": "get_time", "args": {}}}]},
              "finishReason": "STOP"}],
             "usageMetadata": {"promptTokenCount": 40, "candidatesTokenCount": 12, "thoughtsTokenCount": 30, "totalTokenCount": 82}}
            """#)
        let response = try GeminiCodec.decodeResponse(raw)
        #expect(response.toolCalls == [
            ToolCall(id: "gemini-call-0|ts:c2lnLTE=", name: "set_light_values", arguments: #"{"brightness":25,"color_temp":"warm"}"#),
            ToolCall(id: "call-7", name: "get_time", arguments: "{}"),
        ])
        #expect(response.finishReason == "tool_calls")
        #expect(response.text == nil)
        #expect(response.usage == Usage(promptTokens: 40, completionTokens: 42, totalTokens: 82, reasoningTokens: 30))
    }

    @Test func sendsThoughtSignaturesAndRealIDsBackButNotMadeUpIDs() async throws {
        let calls = [
            ToolCall(id: "gemini-call-0|ts:c2lnLTE=", name: "set_light_values", arguments: #"{"brightness":25}"#),
            ToolCall(id: "call-7", name: "get_time", arguments: ""),
        ]
        let (_, contents) = try await GeminiCodec.encodeContents([
            UserMessage("Dim the lights"), AssistantMessage("", toolCalls: calls),
            ToolMessage("done", toolCallID: calls[0].id), ToolMessage("12:00", toolCallID: "call-7"),
        ])
        let expected = try JSONCodec.parse(#"""
            [{"role": "user", "parts": [{"text": "Dim the lights"}]},
             {"role": "model", "parts": [
                {"functionCall": {"name": "set_light_values", "args": {"brightness": 25}}, "thoughtSignature": "c2lnLTE="},
                {"functionCall": {"id": "call-7", "name": "get_time", "args": {}}}]},
             {"role": "user", "parts": [
                {"functionResponse": {"name": "set_light_values", "response": {"result": "done"}}},
                {"functionResponse": {"id": "call-7", "name": "get_time", "response": {"result": "12:00"}}}]}]
            """#)
        #expect(contents == expected)
    }

    @Test func aBlockedPromptIsContentFilteredAndSafetyFinishesAreContentFilter() throws {
        let blocked = try JSONCodec.parse(#"{"promptFeedback": {"blockReason": "SAFETY", "safetyRatings": []}, "usageMetadata": {"promptTokenCount": 5}}"#)
        let error = #expect(throws: ModelError.self) { _ = try GeminiCodec.decodeResponse(blocked) }
        #expect(error?.kind == .contentFiltered)
        #expect(error?.providerCode == "SAFETY")
        let safety = try GeminiCodec.decodeResponse(try JSONCodec.parse(#"{"candidates": [{"finishReason": "SAFETY", "index": 0}]}"#))
        #expect(safety.finishReason == "content_filter")
        #expect(safety.text == nil)
    }

    @Test func decodesTheStreamingChunks() throws {
        // Each SSE event is a partial GenerateContentResponse; the last carries the finish reason.
        let stream = """
            data: {"candidates": [{"content": {"parts": [{"text": "The"}],"role": "model"}}],"usageMetadata": {"promptTokenCount": 9,"totalTokenCount": 9},"modelVersion": "gemini-2.0-flash"}\r
            \r
            data: {"candidates": [{"content": {"parts": [{"text": " sky is blue."}],"role": "model"},"finishReason": "STOP"}],"usageMetadata": {"promptTokenCount": 9,"candidatesTokenCount": 5,"totalTokenCount": 14},"modelVersion": "gemini-2.0-flash"}\r
            \r

            """
        var sse = SSEDecoder()
        var decoder = GeminiStreamDecoder()
        var accumulator = ResponseAccumulator()
        for event in sse.feed(Array(stream.utf8)) { for delta in try decoder.decode(event) { accumulator.add(delta) } }
        #expect(decoder.isFinished)
        #expect(accumulator.response.text == "The sky is blue.")
        #expect(accumulator.response.usage == Usage(promptTokens: 9, completionTokens: 5, totalTokens: 14))
    }

    @Test func mapsTheDocsErrorBodies() {
        let invalidKey = GeminiErrorMapper.map(
            HTTPResult(status: 400, headers: [:], body: ByteBuffer(string: #"""
                {"error": {"code": 400, "message": "API key not valid. Please pass a valid API key.", "status": "INVALID_ARGUMENT",
                 "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "API_KEY_INVALID", "domain": "googleapis.com",
                              "metadata": {"service": "generativelanguage.googleapis.com"}}]}}
                """#)), configName: "g")
        #expect(invalidKey.kind == .authentication)
        #expect(invalidKey.providerType == "INVALID_ARGUMENT")
        #expect(invalidKey.providerCode == "API_KEY_INVALID")
        let quota = GeminiErrorMapper.map(
            HTTPResult(status: 429, headers: [:], body: ByteBuffer(string: #"""
                {"error": {"code": 429, "message": "You exceeded your current quota, please check your plan and billing details.",
                 "status": "RESOURCE_EXHAUSTED", "details": [
                   {"@type": "type.googleapis.com/google.rpc.QuotaFailure", "violations": [{"quotaMetric": "generativelanguage.googleapis.com/generate_content_free_tier_requests"}]},
                   {"@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": "37s"}]}}
                """#)), configName: "g")
        #expect(quota.kind == .rateLimited)
        #expect(quota.retryAfter == .seconds(37))
        #expect(quota.isRetryable)
    }

    @Test func decodesTheEmbeddingExamples() throws {
        let one = try GeminiEmbeddingAdapter.decode(try JSONCodec.parse(#"{"embedding": {"values": [0.013168523, -0.008711934, -0.046782676]}}"#), expected: 1)
        #expect(one.embeddings == [[0.013168523, -0.008711934, -0.046782676]])
        let batch = try GeminiEmbeddingAdapter.decode(try JSONCodec.parse(#"{"embeddings": [{"values": [0.1, 0.2]}, {"values": [0.3, 0.4]}]}"#), expected: 2)
        #expect(batch.embeddings == [[0.1, 0.2], [0.3, 0.4]])
        #expect(throws: ModelError.self) {
            _ = try GeminiEmbeddingAdapter.decode(try JSONCodec.parse(#"{"embeddings": [{"values": [0.1]}]}"#), expected: 2)
        }
    }
}
