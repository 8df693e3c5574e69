import OneSimModelsCore

/// The `ollama_chat` and `ollama_embedding` model types.
package enum OllamaModelTypes {
    /// Both types.
    package static let descriptors: [ModelTypeDescriptor] = [
        ModelTypeDescriptor(modelType: "ollama_chat", kind: .chat, provider: "ollama") { config, context in
            OllamaChatAdapter(config: config, context: context)
        },
        ModelTypeDescriptor(modelType: "ollama_embedding", kind: .embedding, provider: "ollama") { config, context in
            OllamaEmbeddingAdapter(config: config, context: context)
        },
    ]

    static func endpoint(_ config: ModelConfig, kind: ModelKind, context: ProviderContext) -> ProviderEndpoint {
        ProviderEndpoint(
            config: config, kind: kind, provider: "ollama", context: context, keyEnv: ["OLLAMA_API_KEY"], baseURLEnv: [],
            defaultBaseURL: OllamaChatAdapter.defaultBaseURL, keyHeader: .bearer)
    }
}
