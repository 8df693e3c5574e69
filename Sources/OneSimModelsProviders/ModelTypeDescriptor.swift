import OneSimModelsCore

/// How to build adapters of one `model_type`.
public struct ModelTypeDescriptor: Sendable {
    /// The `model_type` value (`openai_chat`, ...).
    public var modelType: String
    /// Chat or embedding.
    public var kind: ModelKind
    /// The provider name reported in model info and usage (`openai`, `vllm`, ...).
    public var provider: String
    /// Top-level config keys this type accepts beyond the common ones.
    public var extraKeys: Set<String>
    /// Builds an adapter from a validated config.
    public var make: @Sendable (ModelConfig, ProviderContext) throws -> any ModelAdapter

    /// A descriptor.
    public init(
        modelType: String, kind: ModelKind, provider: String, extraKeys: Set<String> = [],
        make: @escaping @Sendable (ModelConfig, ProviderContext) throws -> any ModelAdapter
    ) {
        self.modelType = modelType
        self.kind = kind
        self.provider = provider
        self.extraKeys = extraKeys
        self.make = make
    }
}
