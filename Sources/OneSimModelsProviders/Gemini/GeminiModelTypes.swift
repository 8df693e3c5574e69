import OneSimModelsCore

/// The `gemini_chat` and `gemini_embedding` model types.
package enum GeminiModelTypes {
    /// Both types, with the extra config key `api_version` (default `v1beta`).
    package static let descriptors: [ModelTypeDescriptor] = [
        ModelTypeDescriptor(modelType: "gemini_chat", kind: .chat, provider: "gemini", extraKeys: ["api_version"]) {
            config, context in
            try GeminiChatAdapter(config: config, context: context)
        },
        ModelTypeDescriptor(modelType: "gemini_embedding", kind: .embedding, provider: "gemini", extraKeys: ["api_version"]) {
            config, context in
            try GeminiEmbeddingAdapter(config: config, context: context)
        },
    ]

    static func endpoint(_ config: ModelConfig, kind: ModelKind, context: ProviderContext) -> ProviderEndpoint {
        ProviderEndpoint(
            config: config, kind: kind, provider: "gemini", context: context, keyEnv: ["GEMINI_API_KEY", "GOOGLE_API_KEY"],
            baseURLEnv: ["GEMINI_BASE_URL"], defaultBaseURL: GeminiChatAdapter.defaultBaseURL,
            keyHeader: .named("x-goog-api-key"))
    }

    static func apiVersion(_ config: ModelConfig) throws(ModelError) -> String {
        guard let v = config.options["api_version"] else { return GeminiChatAdapter.defaultAPIVersion }
        guard let s = v.stringValue, !s.isEmpty, !s.contains("/") else {
            throw ModelError(
                .configuration, "config '\(config.configName)': key 'api_version' must be a version like 'v1beta', got \(v)")
        }
        return s
    }
}
