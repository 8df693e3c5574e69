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

@Suite("vLLM over HTTP", .timeLimit(.minutes(3)))
struct VLLMTests {
    @Test func extraSamplingFieldsPassThroughGenerateArgsAndExtraBody() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: """
                {"config_name": "qwen", "model_type": "vllm_chat", "model_name": "Qwen/Qwen2.5-7B-Instruct",
                 "client_args": {"base_url": "\(sim.baseURL)"},
                 "generate_args": {"top_k": 20, "repetition_penalty": 1.05, "min_p": 0.1,
                                   "guided_json": {"type": "object", "properties": {"mood": {"type": "string"}}}}}
                """)
            let response = try await m.getModel(configName: "qwen").acall(
                "hello", options: CallOptions(temperature: 0.7, extraBody: ["guided_choice": ["happy", "sad"], "skip_special_tokens": false]))
            #expect(response.text == "hello")
            #expect(response.modelInfo.provider == "vllm")
            let request = try #require(sim.requests.last)
            #expect(request.headers["authorization"] == "Bearer EMPTY")
            let body = try #require(lastBody(sim))
            #expect(body["top_k"] == 20)
            #expect(body["repetition_penalty"] == 1.05)
            #expect(body["min_p"] == 0.1)
            #expect(body["guided_json"] == ["type": "object", "properties": ["mood": ["type": "string"]]])
            #expect(body["guided_choice"] == ["happy", "sad"])
            #expect(body["skip_special_tokens"] == false)
            #expect(body["temperature"] == 0.7)
        }
    }

    @Test func defaultsToLocalhost8000AndKeyEMPTY() throws {
        let m = ModelManager(environment: ["OPENAI_API_KEY": "sk-not-for-vllm", "OPENAI_BASE_URL": "https://api.openai.com/v1"])
        try m.loadModelConfigs(json: #"[{"config_name": "v", "model_type": "vllm_chat", "model_name": "m"}, {"config_name": "e", "model_type": "vllm_embedding", "model_name": "m"}]"#)
        let chat = try #require(try m.getModel(configName: "v") as? OpenAIChatAdapter)
        #expect(chat.endpoint.baseURL == "http://localhost:8000/v1")
        #expect(chat.endpoint.headers.first(name: "authorization") == "Bearer EMPTY")
        let embedding = try #require(try m.getModel(configName: "e") as? OpenAIEmbeddingAdapter)
        #expect(embedding.endpoint.baseURL == "http://localhost:8000/v1")
    }

    @Test func vLLMsFlatErrorBodyIsMapped() {
        let result = HTTPResult(status: 400, headers: [:], body: ByteBuffer(string: #"""
            {"object": "error", "message": "This model's maximum context length is 4096 tokens. However, you requested 5000 tokens (4000 in the messages, 1000 in the completion). Please reduce the length of the messages or completion.", "type": "BadRequestError", "param": null, "code": 400}
            """#))
        let error = OpenAIErrorMapper.map(result, configName: "qwen")
        #expect(error.kind == .contextLengthExceeded)
        #expect(error.providerType == "BadRequestError")
        #expect(error.message.hasPrefix("This model's maximum context length is 4096 tokens."))
    }
}
