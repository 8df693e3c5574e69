import Hummingbird

/// How one provider shapes errors and checks credentials.
protocol SimulatorDialect: Sendable {
    /// An error response in the provider's shape. `type` is the scripted error type (`nil` or
    /// OpenAI's default `server_error`: derive one from the status).
    func errorResponse(_ status: Int, message: String, type: String?, code: String?, param: String?, headers: [String: String])
        -> Response
    /// A rejection when the request's credentials (or required headers) are wrong, else `nil`.
    func authenticate(_ request: ProtocolRequest, requiredKey: String?) -> Response?
    /// The stream event (or line) that reports an error in the middle of a stream.
    func streamErrorEvent(message: String, code: String?) -> String
}
