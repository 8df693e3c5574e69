import OneSimModelsCore

/// The `vllm_chat` and `vllm_embedding` model types: vLLM's OpenAI-compatible server (default
/// `http://localhost:8000/v1`, key `EMPTY`). vLLM's extra sampling fields (`top_k`,
/// `repetition_penalty`, `min_p`, `guided_json`, ...) pass through `generate_args` or
/// `CallOptions.extraBody` as they are.
package enum VLLMModelTypes {
    /// Both types.
    package static let descriptors: [ModelTypeDescriptor] = [
        ModelTypeDescriptor(
            modelType: "vllm_chat", kind: .chat, provider: "vllm", extraKeys: [OpenAITokenLimitField.configKey]
        ) { config, context in
            try OpenAIChatAdapter(
                config: config,
                endpoint: OpenAIEndpoint(
                    config: config, kind: .chat, provider: "vllm", context: context, keyEnv: [], baseURLEnv: [],
                    defaultBaseURL: "http://localhost:8000/v1", defaultKey: "EMPTY"))
        },
        ModelTypeDescriptor(modelType: "vllm_embedding", kind: .embedding, provider: "vllm") { config, context in
            OpenAIEmbeddingAdapter(
                config: config,
                endpoint: OpenAIEndpoint(
                    config: config, kind: .embedding, provider: "vllm", context: context, keyEnv: [], baseURLEnv: [],
                    defaultBaseURL: "http://localhost:8000/v1", defaultKey: "EMPTY"))
        },
    ]
}
