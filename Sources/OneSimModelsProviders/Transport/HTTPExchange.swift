import NIOCore
import NIOHTTP1
import OneSimModelsCore

/// One HTTP request as an adapter built it, ready to send: what a `LocalResponder` receives.
public struct HTTPRequestSpec: Sendable {
    /// The absolute URL, query included.
    public var url: String
    /// Method (default POST).
    public var method: HTTPMethod
    /// The headers, authentication included (never log them).
    public var headers: HTTPHeaders
    /// Body bytes.
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
    /// Status code.
    public var status: Int
    /// Response headers.
    public var headers: HTTPHeaders
    /// Body bytes.
    public var body: ByteBuffer

    /// A response with the given status, headers and body.
    public init(status: Int, headers: HTTPHeaders = [:], body: ByteBuffer) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}
