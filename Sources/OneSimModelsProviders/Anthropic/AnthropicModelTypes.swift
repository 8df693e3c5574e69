import OneSimModelsCore

/// The `anthropic_chat` model type.
package enum AnthropicModelTypes {
    /// `anthropic_chat`, with the extra config keys `anthropic_version` and `drop_sampling_params`.
    package static let descriptors: [ModelTypeDescriptor] = [
        ModelTypeDescriptor(modelType: "anthropic_chat", kind: .chat, provider: "anthropic", extraKeys: ["anthropic_version", AnthropicSamplingRule.dropConfigKey]) {
            config, context in
            try AnthropicChatAdapter(config: config, context: context)
        }
    ]
}
