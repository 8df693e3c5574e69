import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import Synchronization

/// A request ready to send.
public struct HTTPRequestSpec: Sendable {
    /// Absolute URL.
    public var url: String
    /// Method (default POST).
    public var method: HTTPMethod
    /// Headers, including authentication.
    public var headers: HTTPHeaders
    /// Body bytes.
    public var body: [UInt8]
    /// Timeouts for this request.
    public var timeouts: TimeoutSettings

    /// A request.
    public init(url: String, method: HTTPMethod = .POST, headers: HTTPHeaders, body: [UInt8], timeouts: TimeoutSettings) {
        self.url = url
        self.method = method
        self.headers = headers
        self.body = body
        self.timeouts = timeouts
    }
}

/// A complete response.
public struct HTTPResult: Sendable {
    /// Status code.
    public var status: Int
    /// Response headers.
    public var headers: HTTPHeaders
    /// Body bytes.
    public var body: ByteBuffer

    /// A response.
    public init(status: Int, headers: HTTPHeaders = [:], body: ByteBuffer) {
        self.status = status
        self.headers = headers
        self.body = body
    }
}

/// The outcome of opening a streaming request.
public enum StreamingResult: Sendable {
    /// A 2xx head; the body arrives chunk by chunk.
    case streaming(status: Int, headers: HTTPHeaders, body: HTTPClientResponse.Body)
    /// A non-2xx response, collected whole.
    case failed(HTTPResult)
}

/// The one HTTP layer: a pooled AsyncHTTPClient shared by every adapter of a manager.
///
/// It never retries (the balancer or the adapter's retry loop owns retries) and turns every
/// transport failure into a `ModelError` (`.connectionFailed`, `.timeout`, `.cancelled`).
/// Configs with different connect/read timeouts need differently configured clients;
/// there is one client per distinct pair, normally exactly one.
public final class HTTPTransport: Sendable {
    private struct ClientKey: Hashable {
        var connect: Duration
        var read: Duration?
    }

    private enum State {
        case running([ClientKey: HTTPClient])
        case shutDown
    }

    /// The settings every client is built with.
    public let settings: HTTPSettings
    /// When set, answers every request in process instead of the network.
    public let responder: (any LocalResponder)?
    private let state: Mutex<State>
    /// The client for configs without their own timeouts (made up front; no connection is
    /// opened until a request needs one), and whether `shutdown()` was called.
    private let defaultClient: HTTPClient?
    private let isShutDown = Atomic<Bool>(false)

    /// A transport. The client for configs without their own timeouts is made here (it opens no
    /// connection until a request needs one); clients for other timeouts on first use. With a
    /// `responder`, no client is ever made and every request is answered by it (offline tests,
    /// benchmarks of the library alone).
    public init(settings: HTTPSettings = HTTPSettings(), responder: (any LocalResponder)? = nil) {
        self.settings = settings
        self.responder = responder
        if responder == nil {
            let key = ClientKey(connect: settings.connectTimeout, read: nil)
            let client = Self.makeClient(key: key, settings: settings)
            defaultClient = client
            state = Mutex(.running([key: client]))
        } else {
            defaultClient = nil
            state = Mutex(.running([:]))
        }
    }

    deinit {
        // A transport dropped without `shutdown()` still releases its clients.
        if case .running(let clients) = state.withLock({ $0 }) {
            for client in clients.values { client.shutdown { _ in } }
        }
    }

    private func client(for timeouts: TimeoutSettings) throws(ModelError) -> HTTPClient {
        // The common case, a config without its own connect/read timeouts, skips the lock.
        if timeouts.connect == nil && timeouts.read == nil, let defaultClient {
            guard !isShutDown.load(ordering: .relaxed) else { throw Self.shutDownError }
            return defaultClient
        }
        let key = ClientKey(connect: timeouts.connect ?? settings.connectTimeout, read: timeouts.read)
        let result: HTTPClient? = state.withLock { state in
            guard case .running(var clients) = state else { return nil }
            if let existing = clients[key] { return existing }
            let client = Self.makeClient(key: key, settings: settings)
            clients[key] = client
            state = .running(clients)
            return client
        }
        guard let result else { throw Self.shutDownError }
        return result
    }

    private static let shutDownError = ModelError(.configuration, "the model manager has been shut down")

    private static func makeClient(key: ClientKey, settings: HTTPSettings) -> HTTPClient {
        var configuration = HTTPClient.Configuration()
        configuration.timeout = .init(connect: key.connect.timeAmount, read: key.read?.timeAmount)
        configuration.connectionPool = .init(
            idleTimeout: settings.idleTimeout.timeAmount,
            concurrentHTTP1ConnectionsPerHostSoftLimit: settings.maxConnectionsPerHost)
        // Connection failures must reach the balancer at once, not be retried here.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        configuration.decompression = settings.decompression ? .enabled(limit: .ratio(50)) : .disabled
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// Sends `spec` and collects the whole body. Task cancellation cancels the request.
    public func send(_ spec: HTTPRequestSpec) async throws(ModelError) -> HTTPResult {
        if let responder { return try await respondLocally(responder, to: spec) }
        try Self.checkURL(spec.url)
        let client = try client(for: spec.timeouts)
        do {
            let response = try await client.execute(Self.request(spec), deadline: NIODeadline.now() + spec.timeouts.total.timeAmount)
            let body = try await response.body.collect(upTo: settings.maxResponseBytes)
            return HTTPResult(status: Int(response.status.code), headers: response.headers, body: body)
        } catch {
            throw Self.map(error, url: spec.url)
        }
    }

    /// The responder's answer; like the network path, it refuses after `shutdown()`.
    private func respondLocally(_ responder: any LocalResponder, to spec: HTTPRequestSpec) async throws(ModelError) -> HTTPResult {
        guard !isShutDown.load(ordering: .relaxed) else { throw Self.shutDownError }
        return try await responder.respond(to: spec)
    }

    /// Refuses a URL the HTTP stack would trap on (a port outside 1...65535, from a config or
    /// an environment variable) with a configuration error that does not repeat the URL.
    @inline(__always)
    static func checkURL(_ url: String) throws(ModelError) {
        if let problem = URLCheck.problem(in: url) {
            throw ModelError(.configuration, "the request URL \(problem)")
        }
    }

    /// The AsyncHTTPClient request for `spec` (built out of line, off the waiting frame).
    @inline(never)
    static func request(_ spec: HTTPRequestSpec) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: spec.url)
        request.method = spec.method
        request.headers = spec.headers
        if !spec.body.isEmpty { request.body = .bytes(spec.body) }
        return request
    }

    /// The default idle timeout of a stream (time between chunks) when a config sets no `read` timeout.
    public static let defaultStreamIdleTimeout: Duration = .seconds(60)

    /// Opens a streaming request: returns as soon as the response head arrives. A non-2xx
    /// response is collected whole (for its error body). The body of a 2xx response is bounded
    /// by the idle (`read`) timeout between chunks, not by the total deadline.
    public func open(_ spec: HTTPRequestSpec) async throws(ModelError) -> StreamingResult {
        if let responder {
            let result = try await respondLocally(responder, to: spec)
            guard (200..<300).contains(result.status) else { return .failed(result) }
            return .streaming(status: result.status, headers: result.headers, body: .bytes(result.body))
        }
        try Self.checkURL(spec.url)
        var timeouts = spec.timeouts
        timeouts.read = timeouts.read ?? Self.defaultStreamIdleTimeout
        let client = try client(for: timeouts)
        do {
            let response = try await client.execute(Self.request(spec), deadline: .distantFuture)
            let status = Int(response.status.code)
            guard (200..<300).contains(status) else {
                let body = try await response.body.collect(upTo: settings.maxResponseBytes)
                return .failed(HTTPResult(status: status, headers: response.headers, body: body))
            }
            return .streaming(status: status, headers: response.headers, body: response.body)
        } catch {
            throw Self.map(error, url: spec.url)
        }
    }

    /// Shuts every client down; later sends fail with a configuration error.
    public func shutdown() async {
        isShutDown.store(true, ordering: .relaxed)
        let clients: [HTTPClient] = state.withLock { state in
            defer { state = .shutDown }
            if case .running(let clients) = state { return Array(clients.values) }
            return []
        }
        for client in clients { try? await client.shutdown() }
    }

    /// Turns a transport-level error into a `ModelError`.
    @inline(never)
    static func map(_ error: any Error, url: String) -> ModelError {
        if let error = error as? ModelError { return error }
        if error is CancellationError { return ModelError(.cancelled, "the request to \(url) was cancelled") }
        if let error = error as? HTTPClientError {
            switch error {
            case .deadlineExceeded: return ModelError(.timeout, "no complete response from \(url) before the deadline")
            case .readTimeout: return ModelError(.timeout, "read timeout waiting for \(url)")
            case .connectTimeout: return ModelError(.timeout, "connect timeout to \(url)")
            case .cancelled, .requestStreamCancelled: return ModelError(.cancelled, "the request to \(url) was cancelled")
            case .invalidURL, .emptyHost, .emptyScheme:
                return ModelError(.configuration, "invalid URL '\(url)'")
            default: return ModelError(.connectionFailed, "connection to \(url) failed: \(error)")
            }
        }
        if error is NIOTooManyBytesError {
            return ModelError(.decoding, "the response from \(url) is larger than the limit")
        }
        return ModelError(.connectionFailed, "connection to \(url) failed: \(error)")
    }
}
