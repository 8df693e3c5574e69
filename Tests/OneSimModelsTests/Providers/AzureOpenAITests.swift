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

private func azureConfig(_ name: String, _ sim: Simulator, type: String = "azure_openai_chat", deployment: String = "gpt-4o-prod", extra: String = "", clientExtra: String = "") -> String {
    providerConfig(name, type: type, sim, model: deployment, key: "azure-key-0123456", extra: extra, clientExtra: clientExtra)
}

@Suite("Azure OpenAI over HTTP", .timeLimit(.minutes(3)))
struct AzureOpenAITests {
    @Test func chatUsesTheDeploymentURLApiVersionAndApiKeyHeader() async throws {
        try await withSimulator(.init(requiredAPIKey: "azure-key-0123456")) { sim, m in
            try m.loadModelConfigs(json: azureConfig("az", sim))
            let model = try m.getModel(configName: "az")
            let response = try await model.acall(model.format(UserMessage("Tell me about language models.")), options: CallOptions(maxTokens: 100))
            #expect(response.text == "Tell me about language models.")
            #expect(response.usage == Usage(promptTokens: 5, completionTokens: 5))
            #expect(response.modelInfo == ModelInfo(modelName: "gpt-4o-prod", configName: "az", provider: "azure"))
            #expect(response.requestID?.hasPrefix("azure-sim-") == true)
            let request = try #require(sim.requests.last)
            #expect(request.path == "/openai/deployments/gpt-4o-prod/chat/completions")
            #expect(request.query == ["api-version": AzureOpenAIModelTypes.defaultAPIVersion])
            #expect(request.headers["api-key"] == "azure-key-0123456")
            #expect(request.headers["authorization"] == nil)
            #expect(lastBody(sim)?["max_tokens"] == 100)
        }
    }

    @Test func apiVersionComesFromTheConfig() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: azureConfig("az", sim, extra: #", "api_version": "2025-04-01-preview""#))
            _ = try await m.getModel(configName: "az").acall("hi")
            #expect(sim.requests.last?.query["api-version"] == "2025-04-01-preview")
        }
    }

    @Test func streamingAndToolsReuseTheOpenAICodec() async throws {
        try await withSimulator(.init(streamChunkBytes: 7)) { sim, m in
            try m.loadModelConfigs(json: azureConfig("az", sim))
            let model = try m.getModel(configName: "az")
            let streamed = try await model.stream("streamed through azure").collect()
            #expect(streamed.text == "streamed through azure")
            #expect(streamed.usage == Usage(promptTokens: 3, completionTokens: 3))
            let tools = try await model.acall("Boston", options: CallOptions(tools: [weatherTool], toolChoice: .required))
            #expect(tools.toolCalls.first?.name == "get_weather")
            #expect(tools.finishReason == "tool_calls")
        }
    }

    @Test func embeddingsUseTheDeploymentURL() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: azureConfig("emb", sim, type: "azure_openai_embedding", deployment: "text-embedding-3-small"))
            let response = try await m.getModel(configName: "emb").acall(texts: ["a", "b c"])
            #expect(response.embeddings == [SimulatorText.embedding("a", dimensions: 8), SimulatorText.embedding("b c", dimensions: 8)])
            #expect(sim.requests.last?.path == "/openai/deployments/text-embedding-3-small/embeddings")
            #expect(sim.requests.last?.query["api-version"] == AzureOpenAIModelTypes.defaultAPIVersion)
        }
    }

    @Test func aMissingEndpointIsAConfigurationErrorAndTheEnvironmentCanSupplyIt() async throws {
        let m = ModelManager(environment: [:])
        try m.loadModelConfigs(json: #"{"config_name": "az", "model_type": "azure_openai_chat", "model_name": "gpt-4o", "api_key": "k"}"#)
        let error = await captureModelError { _ = try m.getModel(configName: "az") }
        #expect(error?.kind == .configuration)
        #expect(error?.message.contains("AZURE_OPENAI_ENDPOINT") == true)
        await m.shutdown()

        try await withSimulator { sim, _ in
            let env = ModelManager(environment: ["AZURE_OPENAI_ENDPOINT": sim.rootURL + "/", "AZURE_OPENAI_API_KEY": "env-azure-key"])
            try env.loadModelConfigs(json: #"{"config_name": "az", "model_type": "azure_openai_chat", "model_name": "gpt-4o"}"#)
            #expect(try await env.getModel(configName: "az").acall("hi").text == "hi")
            #expect(sim.requests.last?.headers["api-key"] == "env-azure-key")
            #expect(sim.requests.last?.path == "/openai/deployments/gpt-4o/chat/completions")
            await env.shutdown()
        }
    }

    @Test func azureErrorsMapToKinds() async throws {
        try await withSimulator(.init(requiredAPIKey: "azure-key-0123456")) { sim, m in
            try m.loadModelConfigs(json: azureConfig("az", sim, clientExtra: #", "max_retries": 0"#))
            let model = try m.getModel(configName: "az")
            sim.enqueue(.fail(.status(400, message: "The response was filtered due to the prompt triggering Azure OpenAI's content management policy.", type: "invalid_request_error", code: "content_filter")))
            let filtered = await captureModelError { _ = try await model.acall("hi") }
            #expect(filtered?.kind == .contentFiltered)
            #expect(filtered?.providerCode == "content_filter")
            sim.enqueue(.fail(.status(429, message: "Requests to the ChatCompletions_Create Operation have exceeded call rate limit.", code: "429", retryAfter: 5)))
            let limited = await captureModelError { _ = try await model.acall("hi") }
            #expect(limited?.kind == .rateLimited)
            #expect(limited?.retryAfter == .seconds(5))

            try m.loadModelConfigs(json: providerConfig("wrong", type: "azure_openai_chat", sim, model: "gpt-4o-prod", key: "nope-nope-nope", clientExtra: #", "max_retries": 0"#))
            let denied = await captureModelError { _ = try await m.getModel(configName: "wrong").acall("hi") }
            #expect(denied?.kind == .authentication)
            #expect(denied?.providerCode == "401")
        }
    }
}

/// Mapping checked against the examples of the Azure OpenAI REST reference (learn.microsoft.com:
/// chat completions response with content filter results, error response).
@Suite("Azure OpenAI documentation payloads")
struct AzureOpenAIDocPayloadTests {
    @Test func decodesTheChatCompletionsExampleWithFilterResults() throws {
        let raw = try JSONCodec.parse(#"""
            {"id": "chatcmpl-7R1nGnsXO8n4oi9UPz2f3UHdgAYMn", "created": 1686676106, "choices": [
               {"index": 0, "finish_reason": "stop",
                "message": {"role": "assistant", "content": "Yes, other Azure AI services also support customer managed keys."},
                "content_filter_results": {"hate": {"filtered": false, "severity": "safe"}, "self_harm": {"filtered": false, "severity": "safe"},
                                           "sexual": {"filtered": false, "severity": "safe"}, "violence": {"filtered": false, "severity": "safe"}}}],
             "prompt_filter_results": [{"prompt_index": 0, "content_filter_results": {"hate": {"filtered": false, "severity": "safe"}}}],
             "usage": {"completion_tokens": 557, "prompt_tokens": 33, "total_tokens": 590}}
            """#)
        let response = try OpenAIChatCodec.decodeResponse(raw)
        #expect(response.text == "Yes, other Azure AI services also support customer managed keys.")
        #expect(response.usage == Usage(promptTokens: 33, completionTokens: 557, totalTokens: 590))
        #expect(response.raw["prompt_filter_results"]?[0]?["prompt_index"] == 0)
    }

    @Test func mapsTheContentFilterErrorExample() {
        let result = HTTPResult(status: 400, headers: [:], body: ByteBuffer(string: #"""
            {"error": {"message": "The response was filtered due to the prompt triggering Azure OpenAI's content management policy. Please modify your prompt and retry.",
              "type": null, "param": "prompt", "code": "content_filter", "status": 400,
              "innererror": {"code": "ResponsibleAIPolicyViolation",
                             "content_filter_result": {"hate": {"filtered": true, "severity": "high"}}}}}
            """#))
        let error = OpenAIErrorMapper.map(result, configName: "az")
        #expect(error.kind == .contentFiltered)
        #expect(error.param == "prompt")
        #expect(error.isRetryable == false)
    }
}
