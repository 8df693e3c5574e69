import Foundation
import OneSimModelsSimulator
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("OpenAI chat over HTTP", .timeLimit(.minutes(3)))
struct OpenAIChatTests {
    @Test func basicChatEchoesAndDecodesUsage() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim))
            let model = try m.getModel(configName: "c")
            let response = try await model.acall(
                model.format(SystemMessage("You are a helpful assistant."), UserMessage("Tell me about language models.")))
            #expect(response.text == "Tell me about language models.")
            #expect(response.finishReason == "stop")
            #expect(response.usage == Usage(promptTokens: 10, completionTokens: 5, totalTokens: 15))
            #expect(response.modelInfo == ModelInfo(modelName: "sim-chat", configName: "c", provider: "openai"))
            #expect(response.requestID?.hasPrefix("req_sim_") == true)
            #expect(response.raw["object"] == "chat.completion")
        }
    }

    @Test func requestBodyAndHeadersFollowTheAPIReference() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig(
                "c", sim, extra: #", "organization": "org-1", "generate_args": {"temperature": 0.2, "max_tokens": 50, "seed": 1}"#,
                clientExtra: #", "default_headers": {"x-team": "agents"}"#))
            let model = try m.getModel(configName: "c")
            _ = try await model.acall(
                model.format(SystemMessage("sys", name: "narrator"), UserMessage("hi")),
                options: CallOptions(temperature: 0.9, extraBody: ["n": 1, "user": "agent-7"]))
            let request = try #require(sim.requests.last)
            #expect(request.path == "/v1/chat/completions")
            #expect(request.headers["authorization"] == "Bearer sk-test-secret-key-123")
            #expect(request.headers["openai-organization"] == "org-1")
            #expect(request.headers["x-team"] == "agents")
            #expect(request.headers["content-type"] == "application/json")
            let body = try #require(request.json)
            #expect(body["model"] as? String == "sim-chat")
            #expect(body["temperature"] as? Double == 0.9)  // per-call wins
            #expect(body["max_tokens"] as? Int == 50)  // generate_args default
            #expect(body["seed"] as? Int == 1)
            #expect(body["user"] as? String == "agent-7")
            let messages = try #require(body["messages"] as? [[String: Any]])
            #expect(messages.count == 2)
            #expect(messages[0]["role"] as? String == "system")
            #expect(messages[0]["name"] as? String == "narrator")
            #expect(messages[1]["content"] as? String == "hi")
            #expect(messages[1]["name"] == nil)
        }
    }

    @Test func maxTokensTruncatesWithFinishReasonLength() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim))
            let response = try await m.getModel(configName: "c").acall(
                "one two three four five", options: CallOptions(maxTokens: 2))
            #expect(response.text == "one two")
            #expect(response.finishReason == "length")
        }
    }

    @Test func imagePartsAreSentAsDataURLs() async throws {
        try await withSimulator { sim, m in
            let dir = try makeTemporaryDirectory()
            defer { try? FileManager.default.removeItem(at: dir) }
            let path = dir.appendingPathComponent("cat.png").path
            let png: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3]
            try Data(png).write(to: URL(fileURLWithPath: path))
            try m.loadModelConfigs(json: chatConfig("c", sim))
            let model = try m.getModel(configName: "c")
            let message = UserMessage(.parts([
                .text("What is in these images?"), .imageFile(path: path, detail: .low),
                .imageURL("https://example.com/dog.jpg"),
            ]))
            let response = try await model.acall(model.format(message))
            #expect(response.text == "What is in these images?")
            let body = try #require(sim.requests.last?.json)
            let parts = try #require((body["messages"] as? [[String: Any]])?.first?["content"] as? [[String: Any]])
            #expect(parts.count == 3)
            let image = try #require(parts[1]["image_url"] as? [String: Any])
            #expect(image["url"] as? String == "data:image/png;base64," + Data(png).base64EncodedString())
            #expect(image["detail"] as? String == "low")
            #expect((parts[2]["image_url"] as? [String: Any])?["url"] as? String == "https://example.com/dog.jpg")
        }
    }

    @Test func missingImageFileFailsBeforeSending() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim))
            let error = await captureModelError {
                _ = try await m.getModel(configName: "c").acall([UserMessage("look", images: ["/nope/missing.png"])])
            }
            #expect(error?.message.contains("/nope/missing.png") == true)
            #expect(sim.requestCount == 0)
        }
    }

    @Test func errorBodiesKeepStatusTypeCodeAndRequestID() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim, clientExtra: #", "max_retries": 0"#))
            let model = try m.getModel(configName: "c")
            sim.enqueue(.fail(.status(400, message: "This model's maximum context length is 8192 tokens.",
                type: "invalid_request_error", code: "context_length_exceeded")))
            let context = await captureModelError { _ = try await model.acall("hi") }
            #expect(context?.kind == .contextLengthExceeded)
            #expect(context?.status == 400)
            #expect(context?.providerCode == "context_length_exceeded")
            #expect(context?.providerType == "invalid_request_error")
            #expect(context?.requestID == "req_sim_err")
            #expect(context?.configName == "c")

            for (status, kind) in [(401, ModelError.Kind.authentication), (403, .permissionDenied), (404, .notFound),
                (422, .badRequest), (500, .serverError), (503, .serverError)] {
                sim.enqueue(.fail(.status(status, message: "boom \(status)")))
                let error = await captureModelError { _ = try await model.acall("hi") }
                #expect(error?.kind == kind)
                #expect(error?.status == status)
                #expect(error?.message == "boom \(status)")
            }
            sim.enqueue(.fail(.status(429, message: "slow down", type: "requests", code: "rate_limit_exceeded", retryAfter: 7)))
            let limited = await captureModelError { _ = try await model.acall("hi") }
            #expect(limited?.kind == .rateLimited)
            #expect(limited?.retryAfter == .seconds(7))
        }
    }

    @Test func apiKeyNeverAppearsInErrors() async throws {
        try await withSimulator(.init(requiredAPIKey: "sk-the-right-key")) { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim))
            let model = try m.getModel(configName: "c")
            let error = await captureModelError { _ = try await model.acall("hi") }
            #expect(error?.kind == .authentication)
            let everything = "\(String(describing: error)) \(error?.message ?? "") \(m.getConfig("c")!)"
            #expect(!everything.contains("sk-test-secret-key-123"))
            #expect(everything.contains("Incorrect API key"))
        }
    }

    @Test func bareAdapterRetriesRetryableErrors() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim, clientExtra: #", "max_retries": 2"#))
            sim.enqueue(.fail(.status(503, retryAfter: 0.01)), .fail(.status(500, retryAfter: 0.01)))
            let response = try await m.getModel(configName: "c").acall("hello")
            #expect(response.text == "hello")
            #expect(sim.requestCount == 3)
            let stats = m.tokenTracker.stats()
            #expect(stats.requestCount == 1)
            #expect(stats.errorCount == 2)
            #expect(stats.errorsByKind["server_error"] == 2)

            sim.enqueue(.fail(.status(400, message: "bad")))
            _ = await captureModelError { _ = try await m.getModel(configName: "c").acall("x") }
            #expect(sim.requestCount == 4)  // 400 is not retried
            sim.enqueue(.fail(.status(500, message: "no", headers: ["x-should-retry": "false"])))
            _ = await captureModelError { _ = try await m.getModel(configName: "c").acall("x") }
            #expect(sim.requestCount == 5)  // the server said not to retry
        }
    }

    @Test func malformedJSONIsADecodingError() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim, clientExtra: #", "max_retries": 0"#))
            sim.enqueue(.fail(.malformedJSON))
            let error = await captureModelError { _ = try await m.getModel(configName: "c").acall("hi") }
            #expect(error?.kind == .decoding)
        }
    }

    @Test func droppedConnectionIsAConnectionError() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim, clientExtra: #", "max_retries": 0"#))
            sim.enqueue(.fail(.dropConnection))
            let error = await captureModelError { _ = try await m.getModel(configName: "c").acall("hi") }
            #expect(error?.kind == .connectionFailed)
        }
    }

    @Test func deadPortIsAConnectionError() async throws {
        let port = try await deadPort()
        let m = ModelManager(environment: [:])
        try m.loadModelConfigs(json: """
            {"config_name": "dead", "model_type": "openai_chat", "api_key": "k",
             "client_args": {"base_url": "http://127.0.0.1:\(port)/v1", "max_retries": 0}}
            """)
        let error = await captureModelError { _ = try await m.getModel(configName: "dead").acall("hi") }
        #expect(error?.kind == .connectionFailed)
        #expect(error?.isRetryable == true)
        await m.shutdown()
    }

    @Test func totalTimeoutIsATimeout() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim, clientExtra: #", "timeout": 0.2, "max_retries": 0"#))
            sim.enqueue(.delay(.seconds(3)))
            let error = await captureModelError { _ = try await m.getModel(configName: "c").acall("hi") }
            #expect(error?.kind == .timeout)
        }
    }

    @Test func cancellingTheTaskCancelsTheRequest() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim))
            let model = try m.getModel(configName: "c")
            sim.enqueue(.delay(.seconds(30)))
            let task = Task { try await model.acall("slow") }
            try await waitUntil("the request reached the server") { sim.requestCount > 0 }
            task.cancel()
            let result = await task.result
            guard case .failure(let error) = result, let modelError = error as? ModelError else {
                Issue.record("expected a ModelError, got \(result)")
                return
            }
            #expect(modelError.kind == .cancelled)
            #expect(sim.requestCount == 1)  // not retried
        }
    }

    @Test func syncCallWorksFromSynchronousCode() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim))
            let model = try m.getModel(configName: "c")
            let text: String = try await withCheckedThrowingContinuation { continuation in
                Thread {
                    continuation.resume(with: Result { try model(model.format(UserMessage("from a thread"))).text ?? "" })
                }.start()
            }
            #expect(text == "from a thread")
        }
    }

    @Test func messageDictionariesLikeTheOriginal() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim))
            let response = try await m.getModel(configName: "c").acall(messages: [
                ["role": "system", "content": "You are a helpful assistant."],
                ["role": "user", "content": "Hello, please introduce yourself."],
            ])
            #expect(response.text == "Hello, please introduce yourself.")
        }
    }
}
