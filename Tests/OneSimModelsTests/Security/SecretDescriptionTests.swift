import Foundation
import OneSimModelsSimulator
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

/// Every provider model type with a distinctive key of its own.
private let keyedTypes: [(type: String, key: String)] = [
    ("openai_chat", "sk-live-SECRET-oc-1"), ("openai_embedding", "sk-live-SECRET-oe-2"),
    ("vllm_chat", "sk-live-SECRET-vc-3"), ("vllm_embedding", "sk-live-SECRET-ve-4"),
    ("azure_openai_chat", "sk-live-SECRET-ac-5"), ("azure_openai_embedding", "sk-live-SECRET-ae-6"),
    ("anthropic_chat", "sk-live-SECRET-an-7"), ("gemini_chat", "sk-live-SECRET-gc-8"),
    ("gemini_embedding", "sk-live-SECRET-ge-9"), ("ollama_chat", "sk-live-SECRET-lc-10"),
    ("ollama_embedding", "sk-live-SECRET-le-11"),
]

/// Keys only in the environment, for configs without `api_key`.
private let environment = [
    "OPENAI_API_KEY": "sk-env-SECRET-openai", "ANTHROPIC_API_KEY": "sk-env-SECRET-anthropic",
    "GEMINI_API_KEY": "sk-env-SECRET-gemini", "AZURE_OPENAI_API_KEY": "sk-env-SECRET-azure",
    "OLLAMA_API_KEY": "sk-env-SECRET-ollama",
]

private let headerSecret = "tok-SECRET-header-42"
private let urlPassword = "pw-SECRET-url-43"

private let allSecrets = keyedTypes.map(\.key) + Array(environment.values) + [headerSecret, urlPassword]

/// Configs of every type twice: with a key (and a secret header and URL credentials) and
/// without one (the key then comes from the environment).
private func configs(_ sim: Simulator) -> String {
    let root = sim.rootURL.replacingOccurrences(of: "http://", with: "http://user:\(urlPassword)@")
    var entries: [String] = []
    for (type, key) in keyedTypes {
        let model = type.hasSuffix("embedding") ? "embed-model" : "chat-model"
        entries.append(
            """
            {"config_name": "\(type)-keyed", "model_type": "\(type)", "model_name": "\(model)", "api_key": "\(key)",
             "client_args": {"base_url": "\(root)", "default_headers": {"x-auth-token": "\(headerSecret)"}}}
            """)
        entries.append(
            """
            {"config_name": "\(type)-env", "model_type": "\(type)", "model_name": "\(model)",
             "client_args": {"base_url": "\(sim.rootURL)"}}
            """)
    }
    return "[" + entries.joined(separator: ",\n") + "]"
}

@Suite("Secrets never reach descriptions", .timeLimit(.minutes(3)))
struct SecretDescriptionTests {
    @Test func noAdapterShowsAKeyInItsDescriptionDebugDescriptionDumpOrMirror() async throws {
        try await withSimulator(environment: environment) { sim, m in
            try m.loadModelConfigs(json: configs(sim))
            for (type, _) in keyedTypes {
                for name in ["\(type)-keyed", "\(type)-env"] {
                    let model = try m.getModel(configName: name)
                    #expect(String(describing: model).contains(name))
                    expectNoSecret(model, allSecrets, "adapter \(name)")
                    expectNoSecret([model], allSecrets, "an array holding adapter \(name)")
                    expectNoSecret(m.getConfig(name) as Any, allSecrets, "config \(name)")
                }
            }
        }
    }

    @Test func theEndpointsExecutorsAndRequestsOfEveryAdapterShowNoKey() async throws {
        try await withSimulator(environment: environment) { sim, m in
            try m.loadModelConfigs(json: configs(sim))
            var checked = 0
            for (type, _) in keyedTypes {
                let model = try m.getModel(configName: "\(type)-keyed")
                let endpoint: Any?
                switch model {
                case let adapter as OpenAIChatAdapter: endpoint = adapter.endpoint
                case let adapter as OpenAIEmbeddingAdapter: endpoint = adapter.endpoint
                case let adapter as AnthropicChatAdapter: endpoint = adapter.endpoint
                case let adapter as GeminiChatAdapter: endpoint = adapter.endpoint
                case let adapter as GeminiEmbeddingAdapter: endpoint = adapter.endpoint
                case let adapter as OllamaChatAdapter: endpoint = adapter.endpoint
                case let adapter as OllamaEmbeddingAdapter: endpoint = adapter.endpoint
                default: endpoint = nil
                }
                let found = try #require(endpoint, "no endpoint for \(type)")
                expectNoSecret(found, allSecrets, "endpoint of \(type)")
                if let openAI = found as? OpenAIEndpoint {
                    expectNoSecret(openAI.executor, allSecrets, "executor of \(type)")
                    expectNoSecret(openAI.request(path: "x", body: []), allSecrets, "request of \(type)")
                    #expect(openAI.headers.contains { $0.value.contains("SECRET") }, "the headers still carry the key")
                } else if let provider = found as? ProviderEndpoint {
                    expectNoSecret(provider.executor, allSecrets, "executor of \(type)")
                    expectNoSecret(provider.request(path: "x", body: []), allSecrets, "request of \(type)")
                }
                checked += 1
            }
            #expect(checked == keyedTypes.count)
        }
    }

    @Test func theManagerAndItsBalancersShowNoKey() async throws {
        try await withSimulator(environment: environment) { sim, m in
            try m.loadModelConfigs(json: configs(sim))
            let balancer = try m.getModel(modelName: "chat-model")
            let lb = try #require(balancer as? LoadBalancer)
            #expect(lb.members.count == 12)
            expectNoSecret(lb, allSecrets, "the balancer")
            expectNoSecret(lb.members, allSecrets, "the balancer's members")
            expectNoSecret(m, allSecrets, "the manager")
            expectNoSecret(m.modelConfigs, allSecrets, "the manager's configs")
        }
    }

    @Test func aProviderContextShowsVariableNamesOnly() async throws {
        let transport = HTTPTransport()
        let context = ProviderContext(transport: transport, environment: environment)
        expectNoSecret(context, allSecrets, "the provider context")
        #expect(String(reflecting: context).contains("5 variables"))
        await transport.shutdown()
    }
}
