import Foundation
import OneSimModels
import OneSimModelsSimulator
import Testing

/// Runs the README snippets that can run locally, against the simulator, through the shared
/// manager the snippets use. Each test uses its own config names so parallel tests do not meet.
@Suite("README examples", .timeLimit(.minutes(3)))
struct ReadmeExamplesTests {
    @Test func basicExampleRuns() async throws {
        let sim = Simulator()
        try await sim.start()
        try getModelManager().loadModelConfigs(json: """
            {"config_name": "my_model_config", "model_type": "openai_chat", "model_name": "gpt-4",
             "api_key": "your-api-key", "client_args": {"base_url": "\(sim.baseURL)"}}
            """)
        let text = try await ReadmeSnippets.basicExample()
        #expect(text == "Tell me about language models.")
        #expect(sim.requests.last?.headers["authorization"] == "Bearer your-api-key")
        await sim.stop()
    }

    @Test func syncAndAsyncExamplesRun() async throws {
        let sim = Simulator()
        try await sim.start()
        try getModelManager().loadModelConfigs(json: """
            {"config_name": "gpt-4", "model_type": "openai_chat", "model_name": "gpt-4",
             "api_key": "k", "client_args": {"base_url": "\(sim.baseURL)"}}
            """)
        let expected = "Briefly explain the difference between synchronous and asynchronous programming."
        let asyncText = try await generateResponse()
        #expect(asyncText == expected)
        let syncText: String = try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try ReadmeSnippets.synchronousCall() }) }
                .start()
        }
        #expect(syncText == expected)
        await sim.stop()
    }

    @Test func customAdapterExampleRunsBothWays() async throws {
        #expect(try await ReadmeSnippets.customAdapter() == "HELLO")
        let shout = ReadmeSnippets.ShoutingAdapter()
        let syncText: String = try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try shout(shout.format(UserMessage("quiet"))).text ?? "" }) }
                .start()
        }
        #expect(syncText == "QUIET")
        let embedError = await captureModelError { _ = try await shout.acall(texts: ["x"]) }
        #expect(embedError?.kind == .unsupported)
    }
}
