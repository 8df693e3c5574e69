import AsyncHTTPClient
import Logging
import NIOCore
import NIOHTTP1
import OneSimModelsCore
import Synchronization

/// The one HTTP layer: a pooled AsyncHTTPClient shared by every adapter of a manager.
///
/// It never retries (the balancer or the adapter's retry loop owns retries) and turns every
/// transport failure into a `ModelError` (`.connectionFailed`, `.timeout`, `.cancelled`).
///
/// Timeouts are per request, not per client: the total deadline (`TimeoutSettings.total`, or a
/// call's `CallOptions.timeout`) bounds the whole request, response body included, and the read
/// (idle) timeout bounds the silence between body chunks once the response head has arrived
/// (a model server may send nothing until it has its answer or its first token, so the wait for
/// the head is bounded by the total deadline only). Only a config's connect timeout needs a
/// differently configured client: there is one client per distinct connect timeout (normally
/// exactly one), at most `maxClients`; further connect timeouts use the default client.
package final class HTTPTransport: Sendable {
    private struct ClientKey: Hashable {
        var connect: Duration
    }

    private enum State {
        case running([ClientKey: HTTPClient])
        case shutDown
    }

    /// The most HTTP clients (distinct connect timeouts) a transport makes.
    static let maxClients = 16

    /// The settings every client is built with.
    package let settings: HTTPSettings
    /// When set, answers every request in process instead of the network.
    package let responder: (any LocalResponder)?
    private let state: Mutex<State>
    /// The client for configs without their own connect timeout (made up front; no connection
    /// is opened until a request needs one), and whether `shutdown()` was called.
    private let defaultClient: HTTPClient?
    private let isShutDown = Atomic<Bool>(false)

    /// A transport. The client for configs without their own connect timeout is made here (it
    /// opens no connection until a request needs one); clients for other connect timeouts on
    /// first use. With a `responder`, no client is ever made and every request is answered by
    /// it (offline tests, benchmarks of the library alone).
    package init(settings: HTTPSettings = HTTPSettings(), responder: (any LocalResponder)? = nil) {
        self.settings = settings
        self.responder = responder
        if responder == nil {
            let key = ClientKey(connect: settings.timeout.connect)
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

    /// How many HTTP clients (connection pools) this transport holds.
    var clientCount: Int {
        state.withLock { state in
            if case .running(let clients) = state { return clients.count }
            return 0
        }
    }

    private func client(for timeouts: TimeoutSettings) throws(ModelError) -> HTTPClient {
        // The common case, a config without its own connect timeout, skips the lock.
        if timeouts.connect == nil || timeouts.connect == settings.timeout.connect, let defaultClient {
            guard !isShutDown.load(ordering: .relaxed) else { throw Self.shutDownError }
            return defaultClient
        }
        let key = ClientKey(connect: timeouts.connect ?? settings.timeout.connect)
        let result: HTTPClient? = state.withLock { state in
            guard case .running(var clients) = state else { return nil }
            if let existing = clients[key] { return existing }
            guard clients.count < Self.maxClients else { return defaultClient }
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
        // No client-wide read timeout: it would also run while a non-streamed call waits for its
        // head. Read timeouts are per request (`BodyWatchdog`).
        configuration.timeout = .init(connect: key.connect.timeAmount, read: nil)
        configuration.connectionPool = .init(
            idleTimeout: settings.connectionPool.idleTimeout.timeAmount,
            concurrentHTTP1ConnectionsPerHostSoftLimit: settings.connectionPool.maxConnectionsPerHost)
        // Connection failures must reach the balancer at once, not be retried here.
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.redirectConfiguration = .disallow
        configuration.decompression = settings.decompression ? .enabled(limit: .ratio(50)) : .disabled
        // Each attempt's span is the GenAI CLIENT span (`CallSpan`), which also writes the trace
        // headers: no second HTTP span, and no second `traceparent`, from the client itself.
        configuration.tracing.tracer = nil
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }

    /// The read (idle) timeout of `timeouts`: the config's, else the manager's default.
    func readTimeout(_ timeouts: TimeoutSettings) -> Duration {
        timeouts.read ?? settings.timeout.read
    }

    /// Sends `spec` and collects the whole body. Task cancellation cancels the request.
    ///
    /// `spec.timeouts.total` bounds the whole request, body included; once the head has arrived,
    /// the read timeout bounds each silence in the body. Either ends the call with `.timeout`.
    package func send(_ spec: HTTPRequestSpec) async throws(ModelError) -> HTTPResult {
        if let responder { return try await respondLocally(responder, to: spec) }
        try Self.checkURL(spec.url)
        let client = try client(for: spec.timeouts)
        let start = NIODeadline.now()
        let watchdog = BodyWatchdog(idle: readTimeout(spec.timeouts), total: spec.timeouts.total, start: start)
        do {
            let request = try Self.delegateAPIRequest(spec)
            let collector = ResponseCollector(limit: settings.maxResponseBytes, watchdog: watchdog)
            let task = client.execute(
                request: request, delegate: collector, eventLoop: .indifferent, deadline: start + spec.timeouts.total.timeAmount)
            return try await withTaskCancellationHandler {
                try await task.futureResult.get()
            } onCancel: {
                task.cancel()
            }
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            throw BodyTimeout.deadline(spec.timeouts.total).error(url: spec.url)
        } catch is ResponseCollector.TooLarge {
            throw ModelError(.decoding, "the response from \(redactedURL(spec.url)) is larger than the limit")
        } catch {
            if let timeout = watchdog.fired { throw timeout.error(url: spec.url) }
            throw Self.map(error, url: spec.url)
        }
    }

    /// The request for `spec` in the form AsyncHTTPClient's delegate API takes.
    @inline(never)
    static func delegateAPIRequest(_ spec: HTTPRequestSpec) throws -> HTTPClient.Request {
        try HTTPClient.Request(
            url: spec.url, method: spec.method, headers: spec.headers, body: spec.body.isEmpty ? nil : .bytes(spec.body))
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

    /// Opens a streaming request: returns as soon as the response head arrives. A non-2xx
    /// response is collected whole (for its error body, bounded like `send`).
    ///
    /// The wait for the head is bounded by the total deadline. The caller reads the body of a
    /// 2xx response and bounds it with a watchdog from
    /// `streamWatchdog(for:start:)`: the read timeout between chunks and the total deadline for
    /// the stream as a whole.
    package func open(_ spec: HTTPRequestSpec) async throws(ModelError) -> StreamingResult {
        if let responder {
            let result = try await respondLocally(responder, to: spec)
            guard (200..<300).contains(result.status) else { return .failed(result) }
            return .streaming(status: result.status, headers: result.headers, body: .bytes(result.body))
        }
        try Self.checkURL(spec.url)
        let client = try client(for: spec.timeouts)
        let start = NIODeadline.now()
        do {
            let response = try await client.execute(Self.request(spec), deadline: start + spec.timeouts.total.timeAmount)
            let status = Int(response.status.code)
            guard (200..<300).contains(status) else {
                let watchdog = BodyWatchdog(idle: readTimeout(spec.timeouts), total: spec.timeouts.total, start: start)
                let body = try await BoundedBody.collect(response.body, upTo: settings.maxResponseBytes, watchdog: watchdog, url: spec.url)
                return .failed(HTTPResult(status: status, headers: response.headers, body: body))
            }
            return .streaming(status: status, headers: response.headers, body: response.body)
        } catch let error as HTTPClientError where error == .deadlineExceeded {
            throw BodyTimeout.deadline(spec.timeouts.total).error(url: spec.url)
        } catch {
            throw Self.map(error, url: spec.url)
        }
    }

    /// The watchdog for the body of a stream opened at `start` with `spec`: the read timeout
    /// between chunks, the total deadline for the whole stream.
    func streamWatchdog(for spec: HTTPRequestSpec, start: NIODeadline) -> BodyWatchdog {
        BodyWatchdog(idle: readTimeout(spec.timeouts), total: spec.timeouts.total, start: start)
    }

    /// Shuts every client down; later sends fail with a configuration error.
    package func shutdown() async {
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
        let url = redactedURL(url)  // a base_url may carry user:password
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
