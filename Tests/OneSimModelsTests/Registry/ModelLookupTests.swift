import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("Model lookup and caching")
struct ModelLookupTests {
    @Test func sameNameGivesTheSameInstanceUntilReload() throws {
        let m = ModelManager(environment: [:])
        try m.loadModelConfigs(json: #"{"config_name": "x", "model_type": "openai_chat", "model_name": "a"}"#)
        let first = try m.getModel(configName: "x") as! OpenAIChatAdapter
        let second = try m.getModel(configName: "x") as! OpenAIChatAdapter
        #expect(first.endpoint.baseURL == second.endpoint.baseURL)
        #expect(m.state.withLock { $0.instances.count } == 1)
        try m.loadModelConfigs(json: #"{"config_name": "x", "model_type": "openai_chat", "model_name": "b"}"#)
        #expect(m.state.withLock { $0.instances.count } == 0)
        #expect(try m.getModel(configName: "x").modelName == "b")
        m.clearConfigs()
        #expect(throws: ModelError.self) { try m.getModel(configName: "x") }
    }

    @Test func noConfigsIsAClearError() {
        let m = ModelManager(environment: [:])
        let error = #expect(throws: ModelError.self) { try m.getModel(configName: "x") }
        #expect(error?.message.contains("no model configs are loaded") == true)
    }

    @Test func unknownNameSuggests() throws {
        let m = ModelManager(environment: [:])
        try m.loadModelConfigs(json: #"{"config_name": "gpt-4o", "model_type": "openai_chat"}"#)
        let error = #expect(throws: ModelError.self) { try m.getModel(configName: "gpt4o") }
        #expect(error?.message.contains("'gpt4o' not found; did you mean 'gpt-4o'?") == true)
    }

    @Test func embeddingLookupChecksTheKind() throws {
        let m = ModelManager(environment: [:])
        try m.loadModelConfigs(json: """
            [{"config_name": "c", "model_type": "openai_chat"}, {"config_name": "e", "model_type": "openai_embedding"}]
            """)
        #expect(try m.getEmbeddingModel(configName: "e").kind == .embedding)
        #expect(throws: ModelError.self) { try m.getEmbeddingModel(configName: "c") }
    }

    @Test func keyAndBaseURLFallBackToEnvironmentAndEmptyMeansMissing() throws {
        let m = ModelManager(environment: ["OPENAI_API_KEY": "sk-from-env", "OPENAI_BASE_URL": "http://env:9/v1/"])
        try m.loadModelConfigs(json: """
            [{"config_name": "a", "model_type": "openai_chat", "api_key": "", "client_args": {"base_url": ""}},
             {"config_name": "v", "model_type": "vllm_chat"}]
            """)
        let a = try m.getModel(configName: "a") as! OpenAIChatAdapter
        #expect(a.endpoint.baseURL == "http://env:9/v1")
        #expect(a.endpoint.headers.first(name: "authorization") == "Bearer sk-from-env")
        let v = try m.getModel(configName: "v") as! OpenAIChatAdapter
        #expect(v.endpoint.baseURL == "http://localhost:8000/v1")
        #expect(v.endpoint.headers.first(name: "authorization") == "Bearer EMPTY")
        let none = ModelManager(environment: [:])
        try none.loadModelConfigs(json: #"{"config_name": "n", "model_type": "openai_chat"}"#)
        let n = try none.getModel(configName: "n") as! OpenAIChatAdapter
        #expect(n.endpoint.baseURL == "https://api.openai.com/v1")
        #expect(n.endpoint.headers.first(name: "authorization") == nil)
    }

    @Test func customModelTypesCanBeRegistered() throws {
        struct Fixed: ModelAdapter {
            let configName: String
            func acall(_ prompt: Prompt, options: CallOptions) async throws -> ModelResponse {
                ModelResponse(text: "fixed")
            }
        }
        let m = ModelManager(environment: [:])
        m.registry.register(
            ModelTypeDescriptor(modelType: "fixed_chat", kind: .chat, provider: "fixed", extraKeys: ["answer"]) { config, _ in
                Fixed(configName: config.configName)
            })
        try m.loadModelConfigs(json: #"{"config_name": "f", "model_type": "fixed_chat", "answer": 42}"#)
        #expect(try m.getModel(configName: "f").configName == "f")
        #expect(m.getConfig("f")?.options["answer"] == 42)
    }
}
