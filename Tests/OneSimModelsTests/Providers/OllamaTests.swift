import Foundation
import NIOCore
import OneSimModelsSimulator
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

private func ollamaConfig(_ name: String, _ sim: Simulator, extra: String = "", clientExtra: String = "") -> String {
    providerConfig(name, type: "ollama_chat", sim, model: "llama3.2", key: nil, extra: extra, clientExtra: clientExtra)
}

@Suite("Ollama over HTTP", .timeLimit(.minutes(3)))
struct OllamaTests {
    @Test func chatUsesTheNativeAPIAndCountsEvalTokens() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: ollamaConfig("llama", sim))
            let model = try m.getModel(configName: "llama")
            let response = try await model.acall(model.format(SystemMessage("Be kind."), UserMessage("why is the sky blue?")))
            #expect(response.text == "why is the sky blue?")
            #expect(response.finishReason == "stop")
            #expect(response.usage == Usage(promptTokens: 7, completionTokens: 5))
            #expect(response.modelInfo == ModelInfo(modelName: "llama3.2", configName: "llama", provider: "ollama"))
            let request = try #require(sim.requests.last)
            #expect(request.path == "/api/chat")
            #expect(request.headers["authorization"] == nil)
            #expect(
                lastBody(sim)
                    == [
                        "model": "llama3.2", "stream": false,
                        "messages": [["role": "system", "content": "Be kind."], ["role": "user", "content": "why is the sky blue?"]],
                    ])
        }
    }

    @Test func samplingSettingsGoIntoOptions() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: ollamaConfig(
                "llama", sim, extra: #", "generate_args": {"temperature": 0, "num_ctx": 8192, "max_tokens": 3, "keep_alive": "10m"}"#))
            let response = try await m.getModel(configName: "llama").acall(
                "one two three four five", options: CallOptions(topP: 0.5, stop: ["\n\n"], extraBody: ["seed": 101, "top_k": 20]))
            #expect(response.text == "one two three")
            #expect(response.finishReason == "length")
            let body = try #require(lastBody(sim))
            #expect(body["keep_alive"] == "10m")
            #expect(
                body["options"]
                    == ["temperature": 0, "num_ctx": 8192, "num_predict": 3, "top_p": 0.5, "stop": ["\n\n"], "seed": 101, "top_k": 20])
        }
    }

    @Test func featuresOllamaLacksAreClearErrors() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: ollamaConfig("llama", sim))
            let model = try m.getModel(configName: "llama")
            let forced = await captureModelError {
                _ = try await model.acall("hi", options: CallOptions(tools: [weatherTool], toolChoice: .required))
            }
            #expect(forced?.kind == .unsupported)
            #expect(forced?.message.contains("cannot force a tool call") == true)
            let many = await captureModelError { _ = try await model.acall("hi", options: CallOptions(extraBody: ["n": 3])) }
            #expect(many?.kind == .unsupported)
            let url = await captureModelError { _ = try await model.acall([UserMessage(.parts([.text("x"), .imageURL("https://example.com/a.png")]))]) }
            #expect(url?.kind == .unsupported)
            #expect(sim.requestCount == 0)
            // tool_choice none offers no tools, so the model cannot call one.
            _ = try await model.acall("hi", options: CallOptions(tools: [weatherTool], toolChoice: ToolChoice.none))
            #expect(lastBody(sim)?["tools"] == nil)
        }
    }

    @Test func imagesTravelAsBase64Strings() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: ollamaConfig("llama", sim))
            let response = try await m.getModel(configName: "llama").acall([
                UserMessage(.parts([.text("what is in this image?"), .imageData(Data(tinyPNG))]))
            ])
            #expect(response.text == "what is in this image?")
            #expect(
                lastBody(sim)?["messages"]?[0]
                    == [
                        "role": "user", "content": "what is in this image?",
                        "images": [.string(Data(tinyPNG).base64EncodedString())],
                    ])
        }
    }

    @Test func toolCallsRoundTripWithObjectArgumentsAndToolNames() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: ollamaConfig("llama", sim))
            let model = try m.getModel(configName: "llama")
            sim.enqueue(.callTools([SimulatorToolCall(name: "get_weather", arguments: #"{"location":"Paris, FR","unit":"celsius"}"#)]))
            let ask = UserMessage("What is the weather today in Paris?")
            let first = try await model.acall([ask], options: CallOptions(tools: [weatherTool]))
            #expect(lastBody(sim)?["tools"]?[0]?["function"]?["name"] == "get_weather")
            #expect(first.toolCalls == [ToolCall(id: "call_0", name: "get_weather", arguments: #"{"location":"Paris, FR","unit":"celsius"}"#)])
            #expect(first.finishReason == "tool_calls")
            #expect(first.text == nil)
            let second = try await model.acall([ask, AssistantMessage("", toolCalls: first.toolCalls), ToolMessage("22 degrees", toolCallID: "call_0")])
            #expect(second.text == "22 degrees")
            let messages = try #require(lastBody(sim)?["messages"]?.arrayValue)
            #expect(
                messages[1]
                    == [
                        "role": "assistant", "content": "",
                        "tool_calls": [["function": ["name": "get_weather", "arguments": ["location": "Paris, FR", "unit": "celsius"]]]],
                    ])
            #expect(messages[2] == ["role": "tool", "content": "22 degrees", "tool_name": "get_weather"])
        }
    }

    @Test func jsonFormats() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: ollamaConfig("llama", sim))
            let model = try m.getModel(configName: "llama")
            let schema: JSONValue = ["type": "object", "properties": ["age": ["type": "integer"], "available": ["type": "boolean"]]]
            let structured = try await model.acall("Ollama is 22", options: CallOptions(responseFormat: .jsonSchema(name: "r", schema: schema)))
            #expect(lastBody(sim)?["format"] == schema)
            #expect(try JSONCodec.parse(structured.text ?? "") == ["age": 1, "available": true])
            _ = try await model.acall("x", options: CallOptions(responseFormat: .jsonObject))
            #expect(lastBody(sim)?["format"] == "json")
        }
    }

    @Test func streamingReadsNDJSONSplitAnywhere() async throws {
        try await withSimulator(.init(streamChunkBytes: 3)) { sim, m in
            try m.loadModelConfigs(json: ollamaConfig("llama", sim))
            let model = try m.getModel(configName: "llama")
            let (deltas, error) = await drain(try await model.stream("ça va très bien 🌍"))
            #expect(error == nil)
            var accumulator = ResponseAccumulator()
            for delta in deltas { accumulator.add(delta) }
            #expect(accumulator.response.text == "ça va très bien 🌍")
            #expect(accumulator.response.finishReason == "stop")
            #expect(accumulator.response.usage == Usage(promptTokens: 5, completionTokens: 5))
            #expect(deltas.first?.modelInfo?.provider == "ollama")
            #expect(lastBody(sim)?["stream"] == true)

            sim.enqueue(.callTools([SimulatorToolCall(name: "get_weather", arguments: #"{"location":"Rome"}"#)]))
            let tools = try await model.stream("weather", options: CallOptions(tools: [weatherTool])).collect()
            #expect(tools.toolCalls == [ToolCall(id: "call_0", name: "get_weather", arguments: #"{"location":"Rome"}"#)])
            #expect(tools.finishReason == "tool_calls")
        }
    }

    @Test func errorLinesAndEarlyClosesEndTheStream() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: ollamaConfig("llama", sim, clientExtra: #", "max_retries": 0"#))
            let model = try m.getModel(configName: "llama")
            sim.enqueue(.fail(.streamError(afterEvents: 1, message: "an error was encountered while running the model")))
            let (_, error) = await drain(try await model.stream("one two three"))
            #expect(error?.kind == .serverError)
            #expect(error?.message == "an error was encountered while running the model")
            #expect(error?.partialText == "one two")
            sim.enqueue(.fail(.closeStreamEarly(afterEvents: 2)))
            let (_, early) = await drain(try await model.stream("one two three"))
            #expect(early?.kind == .connectionFailed)
            #expect(early?.partialText == "one two three")  // the done line never came
        }
    }

    @Test func errorBodiesMapToKinds() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: ollamaConfig("llama", sim, clientExtra: #", "max_retries": 0"#))
            let model = try m.getModel(configName: "llama")
            sim.enqueue(.fail(.status(404, message: "model \"llama3.2\" not found, try pulling it first")))
            let missing = await captureModelError { _ = try await model.acall("hi") }
            #expect(missing?.kind == .notFound)
            #expect(missing?.message == "model \"llama3.2\" not found, try pulling it first")
            #expect(missing?.configName == "llama")
            sim.enqueue(.fail(.status(400, message: "the input length exceeds the context length")))
            #expect(await captureModelError { _ = try await model.acall("hi") }?.kind == .contextLengthExceeded)
            sim.enqueue(.fail(.status(503, message: "server busy, please try again.  maximum pending requests exceeded", retryAfter: 1)))
            let busy = await captureModelError { _ = try await model.acall("hi") }
            #expect(busy?.kind == .serverError)
            #expect(busy?.retryAfter == .seconds(1))
            // A request the server rejects is its 400; options that are not an object fail before sending.
            let requests = sim.requestCount
            let bad = await captureModelError { _ = try await model.acall("x", options: CallOptions(extraBody: ["format": 5])) }
            #expect(bad?.kind == .badRequest)
            #expect(bad?.message.contains("invalid format") == true)
            #expect(sim.requestCount == requests + 1)
            let local = await captureModelError { _ = try await model.acall("x", options: CallOptions(extraBody: ["options": "fast"])) }
            #expect(local?.kind == .badRequest)
            #expect(sim.requestCount == requests + 1)
        }
    }

    @Test func embeddingsUseApiEmbed() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: providerConfig(
                "emb", type: "ollama_embedding", sim, model: "all-minilm", key: nil,
                extra: #", "generate_args": {"truncate": false, "dimensions": 5, "num_ctx": 512}"#))
            let response = try await m.getModel(configName: "emb").acall(texts: ["Why is the sky blue?", "Why is the grass green?"])
            #expect(response.embeddings == ["Why is the sky blue?", "Why is the grass green?"].map { SimulatorText.embedding($0, dimensions: 5) })
            #expect(response.usage == Usage(promptTokens: 10))
            #expect(sim.requests.last?.path == "/api/embed")
            #expect(
                lastBody(sim)
                    == [
                        "model": "all-minilm", "input": ["Why is the sky blue?", "Why is the grass green?"], "truncate": false,
                        "dimensions": 5, "options": ["num_ctx": 512],
                    ])
        }
    }

    @Test func anAPIKeyIsABearerTokenForHostedOllama() async throws {
        try await withSimulator(.init(requiredAPIKey: "ollama-cloud-key"), environment: ["OLLAMA_API_KEY": "ollama-cloud-key"]) { sim, m in
            try m.loadModelConfigs(json: ollamaConfig("llama", sim))
            #expect(try await m.getModel(configName: "llama").acall("hi").text == "hi")
            #expect(sim.requests.last?.headers["authorization"] == "Bearer ollama-cloud-key")
        }
    }
}

/// Mapping checked against the examples of Ollama's API documentation (docs/api.md).
@Suite("Ollama documentation payloads")
struct OllamaDocPayloadTests {
    @Test func decodesTheNonStreamedChatExample() throws {
        let raw = try JSONCodec.parse(#"""
            {"model": "llama3.2", "created_at": "2023-12-12T14:13:43.416799Z",
             "message": {"role": "assistant", "content": "Hello! How are you today?"},
             "done": true, "total_duration": 5191566416, "load_duration": 2154458, "prompt_eval_count": 26,
             "prompt_eval_duration": 383809000, "eval_count": 298, "eval_duration": 4799921000}
            """#)
        let response = try OllamaCodec.decodeResponse(raw)
        #expect(response.text == "Hello! How are you today?")
        #expect(response.usage == Usage(promptTokens: 26, completionTokens: 298))
    }

    @Test func decodesTheToolCallExample() throws {
        let raw = try JSONCodec.parse(#"""
            {"model": "llama3.2", "created_at": "2024-07-22T20:33:28.123648Z",
             "message": {"role": "assistant", "content": "",
                         "tool_calls": [{"function": {"name": "get_current_weather", "arguments": {"format": "celsius", "location": "Paris, FR"}}}]},
             "done_reason": "stop", "done": true, "total_duration": 885095291, "load_duration": 3753500,
             "prompt_eval_count": 122, "prompt_eval_duration": 328493000, "eval_count": 33, "eval_duration": 552222000}
            """#)
        let response = try OllamaCodec.decodeResponse(raw)
        #expect(response.toolCalls == [ToolCall(id: "call_0", name: "get_current_weather", arguments: #"{"format":"celsius","location":"Paris, FR"}"#)])
        #expect(response.finishReason == "tool_calls")
        #expect(response.text == nil)
        #expect(response.usage == Usage(promptTokens: 122, completionTokens: 33))
    }

    @Test func decodesTheStreamingExampleLines() throws {
        let lines = """
            {"model": "llama3.2", "created_at": "2023-08-04T08:52:19.385406455-07:00", "message": {"role": "assistant", "content": "The", "images": null}, "done": false}
            {"model": "llama3.2", "created_at": "2023-08-04T08:52:19.385406455-07:00", "message": {"role": "assistant", "content": " sky"}, "done": false}
            {"model": "llama3.2", "created_at": "2023-08-04T19:22:45.499127Z", "done": true, "total_duration": 4883583458, "load_duration": 1334875, "prompt_eval_count": 26, "prompt_eval_duration": 342546000, "eval_count": 282, "eval_duration": 4535599000}

            """
        var ndjson = NDJSONDecoder()
        var decoder = OllamaStreamDecoder()
        var accumulator = ResponseAccumulator()
        for line in ndjson.feed(Array(lines.utf8)) {
            for delta in try decoder.decode(SSEEvent(data: line)) { accumulator.add(delta) }
        }
        #expect(decoder.isFinished)
        #expect(accumulator.response.text == "The sky")
        #expect(accumulator.response.finishReason == "stop")
        #expect(accumulator.response.usage == Usage(promptTokens: 26, completionTokens: 282))
    }

    @Test func encodesTheImageAndReproducibleOutputsRequests() async throws {
        let png = Data(tinyPNG)
        let messages = try await OllamaCodec.encodeMessages([UserMessage(.parts([.text("what is in this image?"), .imageData(png)]))])
        #expect(messages == [["role": "user", "content": "what is in this image?", "images": [.string(png.base64EncodedString())]]])
        let fields = try OllamaCodec.fields(generateArgs: ["seed": 101], options: CallOptions(temperature: 0))
        #expect(fields == ["options": ["seed": 101, "temperature": 0.0]])
    }

    @Test func mapsItsErrorBody() {
        let error = OllamaErrorMapper.map(
            HTTPResult(status: 404, headers: [:], body: ByteBuffer(string: #"{"error": "model 'llama3' not found"}"#)), configName: "o")
        #expect(error.kind == .notFound)
        #expect(error.message == "model 'llama3' not found")
        #expect(error.status == 404)
    }
}
