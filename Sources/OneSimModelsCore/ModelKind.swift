/// Whether a model answers conversations or embeds texts.
public enum ModelKind: String, Sendable, Hashable, Codable, CaseIterable {
    /// A chat / completion model.
    case chat
    /// An embedding model.
    case embedding
}
