import OneSimModelsCore
import OneSimModelsProviders
import OneSimModelsRouting
import OneSimModelsUsage

import Synchronization

/// The registry of model types: `model_type` → how to build it. Register your own adapters
/// here (like AgentScope's `register_model_wrapper_class`).
public final class ModelTypeRegistry: Sendable {
    private let descriptors: Mutex<[String: ModelTypeDescriptor]>

    /// A registry holding the built-in types.
    public init() {
        var d: [String: ModelTypeDescriptor] = [:]
        for descriptor in Self.builtIns { d[descriptor.modelType] = descriptor }
        descriptors = Mutex(d)
    }

    /// Adds or replaces a model type.
    public func register(_ descriptor: ModelTypeDescriptor) {
        descriptors.withLock { $0[descriptor.modelType] = descriptor }
    }

    /// The descriptor for `modelType`, if registered.
    public func descriptor(for modelType: String) -> ModelTypeDescriptor? {
        descriptors.withLock { $0[modelType] }
    }

    /// Every registered `model_type`, sorted.
    public var modelTypes: [String] {
        descriptors.withLock { Array($0.keys) }.sorted()
    }

    /// The built-in types: OpenAI, then each provider's own (`Providers/<Provider>/`).
    static let builtIns: [ModelTypeDescriptor] = [
        ModelTypeDescriptor(
            modelType: "openai_chat", kind: .chat, provider: "openai", extraKeys: [OpenAITokenLimitField.configKey]
        ) { config, context in
            try OpenAIChatAdapter(
                config: config, endpoint: OpenAIEndpoint(config: config, kind: .chat, provider: "openai", context: context))
        },
        ModelTypeDescriptor(modelType: "openai_embedding", kind: .embedding, provider: "openai") { config, context in
            OpenAIEmbeddingAdapter(
                config: config,
                endpoint: OpenAIEndpoint(config: config, kind: .embedding, provider: "openai", context: context))
        },
    ]
        + VLLMModelTypes.descriptors + OllamaModelTypes.descriptors + AnthropicModelTypes.descriptors
        + GeminiModelTypes.descriptors + AzureOpenAIModelTypes.descriptors
}
