/// What a protocol handler sees of a request.
struct ProtocolRequest: Sendable {
    /// Lower-cased header names.
    var headers: [String: String]
    /// Query parameters.
    var query: [String: String]
    /// Route parameters (`deployment`, `action`).
    var parameters: [String: String]
}
