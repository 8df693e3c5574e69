/// The `anthropic_chat` model type.
public enum AnthropicModelTypes {
    /// `anthropic_chat`, with the extra config key `anthropic_version`.
    public static let descriptors: [ModelTypeDescriptor] = [
        ModelTypeDescriptor(modelType: "anthropic_chat", kind: .chat, provider: "anthropic", extraKeys: ["anthropic_version"]) {
            config, context in
            try AnthropicChatAdapter(config: config, context: context)
        }
    ]
}
