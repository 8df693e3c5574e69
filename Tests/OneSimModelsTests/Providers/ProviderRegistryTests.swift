import Foundation
import OneSimModelsSimulator
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("Provider model types")
struct ProviderRegistryTests {
    @Test func everyProviderIsABuiltInType() {
        let types = Set(ModelTypeRegistry().modelTypes)
        let expected: Set<String> = [
            "openai_chat", "openai_embedding", "vllm_chat", "vllm_embedding", "ollama_chat", "ollama_embedding",
            "anthropic_chat", "gemini_chat", "gemini_embedding", "azure_openai_chat", "azure_openai_embedding",
        ]
        #expect(expected.isSubset(of: types))
        let registry = ModelTypeRegistry()
        #expect(registry.descriptor(for: "anthropic_chat")?.extraKeys == ["anthropic_version", "drop_sampling_params"])
        #expect(registry.descriptor(for: "gemini_embedding")?.kind == .embedding)
        #expect(registry.descriptor(for: "azure_openai_chat")?.extraKeys == ["api_version", "max_tokens_field"])
        #expect(registry.descriptor(for: "openai_chat")?.extraKeys == ["max_tokens_field"])
        #expect(registry.descriptor(for: "vllm_chat")?.extraKeys == ["max_tokens_field"])
        #expect(registry.descriptor(for: "ollama_chat")?.provider == "ollama")
    }

    @Test func extraKeysAreValidatedPerType() {
        let m = ModelManager(environment: [:])
        #expect(throws: Never.self) {
            try m.loadModelConfigs(json: """
                [{"config_name": "a", "model_type": "anthropic_chat", "model_name": "claude-haiku-4-5", "anthropic_version": "2023-06-01"},
                 {"config_name": "g", "model_type": "gemini_chat", "model_name": "gemini-2.5-flash", "api_version": "v1beta"}]
                """)
        }
        let typo = #expect(throws: ModelError.self) {
            try m.loadModelConfigs(json: #"{"config_name": "z", "model_type": "azure_openai_chat", "model_name": "d", "api_versoin": "2024-10-21"}"#)
        }
        #expect(typo?.message.contains("unknown key 'api_versoin'") == true)
        #expect(typo?.message.contains("api_version") == true)
        let foreign = #expect(throws: ModelError.self) {
            try m.loadModelConfigs(json: #"{"config_name": "o", "model_type": "openai_chat", "model_name": "gpt-4o", "anthropic_version": "2023-06-01"}"#)
        }
        #expect(foreign?.message.contains("unknown key 'anthropic_version'") == true)
        let badVersion = ModelManager(environment: [:])
        try? badVersion.loadModelConfigs(json: #"{"config_name": "a", "model_type": "anthropic_chat", "model_name": "c", "anthropic_version": 5}"#)
        let error = #expect(throws: ModelError.self) { _ = try badVersion.getModel(configName: "a") }
        #expect(error?.kind == .configuration)
    }

    @Test func defaultBaseURLsAndKeyHeaders() throws {
        let m = ModelManager(environment: ["ANTHROPIC_API_KEY": "sk-ant-env", "GEMINI_API_KEY": "gem-env"])
        try m.loadModelConfigs(json: """
            [{"config_name": "a", "model_type": "anthropic_chat", "model_name": "claude-haiku-4-5"},
             {"config_name": "g", "model_type": "gemini_chat", "model_name": "gemini-2.5-flash"},
             {"config_name": "o", "model_type": "ollama_chat", "model_name": "llama3.2"}]
            """)
        let anthropic = try #require(try m.getModel(configName: "a") as? AnthropicChatAdapter)
        #expect(anthropic.endpoint.baseURL == "https://api.anthropic.com")
        #expect(anthropic.endpoint.headers.first(name: "x-api-key") == "sk-ant-env")
        #expect(anthropic.endpoint.headers.first(name: "anthropic-version") == "2023-06-01")
        let gemini = try #require(try m.getModel(configName: "g") as? GeminiChatAdapter)
        #expect(gemini.endpoint.baseURL == "https://generativelanguage.googleapis.com")
        #expect(gemini.endpoint.headers.first(name: "x-goog-api-key") == "gem-env")
        let ollama = try #require(try m.getModel(configName: "o") as? OllamaChatAdapter)
        #expect(ollama.endpoint.baseURL == "http://localhost:11434")
        #expect(ollama.endpoint.headers.first(name: "authorization") == nil)
    }
}

/// One balancer over members that speak different protocols: each request is encoded for the
/// member that serves it, and failures of one protocol move the call to another.
@Suite("Balancer over mixed providers", .timeLimit(.minutes(3)))
struct MixedProviderBalancerTests {
    static func configs(_ sims: [Simulator]) -> String {
        """
        [{"config_name": "openai", "model_type": "openai_chat", "model_name": "sim-chat", "api_key": "k", "client_args": {"base_url": "\(sims[0].baseURL)", "max_retries": 0}},
         {"config_name": "claude", "model_type": "anthropic_chat", "model_name": "claude-haiku-4-5", "api_key": "k", "client_args": {"base_url": "\(sims[1].rootURL)", "max_retries": 0}},
         {"config_name": "gemini", "model_type": "gemini_chat", "model_name": "gemini-2.5-flash", "api_key": "k", "client_args": {"base_url": "\(sims[2].rootURL)", "max_retries": 0}},
         {"config_name": "ollama", "model_type": "ollama_chat", "model_name": "llama3.2", "client_args": {"base_url": "\(sims[3].rootURL)", "max_retries": 0}}]
        """
    }

    @Test func eachMemberGetsTheRequestInItsOwnProtocol() async throws {
        try await withSimulators(4) { sims, m in
            try m.loadModelConfigs(json: Self.configs(sims))
            try m.configureLoadBalancer(modelConfigs: ["openai", "claude", "gemini", "ollama"], strategy: "round_robin", configName: "mixed")
            let lb = try m.getModel(configName: "mixed")
            let prompt = lb.format(SystemMessage("You are terse."), UserMessage("Name a color."))
            var members: [String] = []
            for _ in 0..<8 {
                let response = try await lb.acall(prompt)
                #expect(response.text == "Name a color.")
                #expect(response.usage == Usage(promptTokens: 6, completionTokens: 3))
                members.append(response.modelInfo.member ?? "")
            }
            #expect(members == ["openai", "claude", "gemini", "ollama", "openai", "claude", "gemini", "ollama"])
            #expect(sims.map { $0.requests.map(\.path) } == [
                Array(repeating: "/v1/chat/completions", count: 2), Array(repeating: "/v1/messages", count: 2),
                Array(repeating: "/v1beta/models/gemini-2.5-flash:generateContent", count: 2), Array(repeating: "/api/chat", count: 2),
            ])
            #expect(lastBody(sims[1])?["system"] == "You are terse.")
            #expect(lastBody(sims[2])?["systemInstruction"] == ["parts": [["text": "You are terse."]]])
            #expect(m.tokenTracker.stats().providerUsage.keys.sorted() == ["anthropic", "gemini", "ollama", "openai"])

            let streamed = try await lb.stream(prompt).collect()
            #expect(streamed.text == "Name a color.")
        }
    }

    @Test func anOverloadedClaudeFailsOverToGemini() async throws {
        try await withSimulators(4) { sims, m in
            try m.loadModelConfigs(json: Self.configs(sims))
            try m.configureLoadBalancer(modelConfigs: ["claude", "gemini"], strategy: "round_robin", configName: "mixed")
            let lb = try m.getModel(configName: "mixed") as! LoadBalancer
            sims[1].setFaultRate(.init(rate: 1, fault: .status(529, message: "Overloaded")))
            for _ in 0..<4 {
                let response = try await lb.acall("hello")
                #expect(response.modelInfo.member == "gemini")
                #expect(response.text == "hello")
            }
            #expect(lb.stats()[member: "claude"]?.failuresByKind[.serverError] ?? 0 >= 1)
            #expect(lb.stats()[member: "gemini"]?.successes == 4)
        }
    }
}
