import OneSimModelsCore

/// How to build adapters of one `model_type`.
public struct ModelTypeDescriptor: Sendable {
    /// The `model_type` value (`openai_chat`, ...).
    public var modelType: String
    /// Whether the adapters `make` builds answer chats or embed texts (which default balancer
    /// and which `getModel` lookups they take part in).
    public var kind: ModelKind
    /// The provider name reported in model info and usage (`openai`, `vllm`, ...).
    public var provider: String
    /// Top-level config keys this type accepts beyond the common ones.
    public var extraKeys: Set<String>
    /// Builds an adapter from a validated config.
    public var make: @Sendable (ModelConfig, ProviderContext) throws -> any ModelAdapter

    /// A descriptor for `modelType`. Registering it replaces any descriptor of the same
    /// `modelType`. `make` runs the first time a config's model is looked up (outside the
    /// manager's lock) and its adapter is cached; an error it throws fails that lookup.
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
