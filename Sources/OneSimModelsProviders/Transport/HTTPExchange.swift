import NIOCore
import NIOHTTP1
import OneSimModelsCore

/// One HTTP request as an adapter built it, ready to send: what a `LocalResponder` receives.
public struct HTTPRequestSpec: Sendable {
    /// The absolute URL, query included.
    public var url: String
    /// The HTTP method; POST unless given (the adapters send nothing else).
    public var method: HTTPMethod
    /// The headers, authentication included (never log them).
    public var headers: HTTPHeaders
    /// The request body, usually JSON; sent as is.
    public var body: [UInt8]
    /// The connect, read and total timeouts of this request.
    public var timeouts: TimeoutSettings

    /// A request with the given parts.
    public init(url: String, method: HTTPMethod = .POST, headers: HTTPHeaders, body: [UInt8], timeouts: TimeoutSettings) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.timeouts = timeouts
    }
}

/// A complete HTTP response (head and whole body): what a `LocalResponder` returns.
public struct HTTPResult: Sendable {
    /// The HTTP status. A 2xx result is decoded as the reply; any other status goes to the
    /// provider's error mapper (and may be retried, by its `ModelError.Kind`).
    public var status: Int
    /// The response headers (`retry-after` and `x-should-retry` are read on errors).
    public var headers: HTTPHeaders
    /// The whole response body; from the network it is at most `HTTPSettings.maxResponseBytes`.
    public var body: ByteBuffer

    /// A response with the given status, headers and body.
    public init(status: Int, headers: HTTPHeaders = [:], body: ByteBuffer) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
