import NIOCore
import NIOHTTP1
import OneSimModelsCore

/// Answers HTTP requests inside the process instead of over the network.
///
/// Give one to `ModelManager(responder:)` to run every adapter and balancer of that manager
/// offline: for tests of an agent simulation without a model server, or to measure the
/// library's own work per call (`onesim-models bench --in-memory`). Requests still go through
/// formatting, encoding, routing, decoding and usage accounting; only the socket is skipped.
/// A streamed request gets the whole body as one chunk.
public protocol LocalResponder: Sendable {
    /// The response to `request`. Throw a `ModelError` to simulate a transport failure.
    func respond(to request: HTTPRequestSpec) async throws(ModelError) -> HTTPResult
}

extension HTTPResult {
    /// A response with the given status, headers and body bytes.
    public init(status: Int, headers: HTTPHeaders = [:], body: some Sequence<UInt8>) {
        self.init(status: status, headers: headers, body: ByteBuffer(bytes: body))
    }
}

/// A responder that answers every request with the same bytes, optionally after a delay.
public struct FixedResponder: LocalResponder {
    /// The response every request gets.
    public let response: HTTPResult
    /// How long each answer takes (like a model server's latency); zero answers at once.
    public let latency: Duration

    /// Answers every request with `body` (JSON by default) and `status`, after `latency`.
    public init(status: Int = 200, contentType: String = "application/json", body: String, latency: Duration = .zero) {
        response = HTTPResult(status: status, headers: ["content-type": contentType], body: Array(body.utf8))
        self.latency = latency
    }

    /// The fixed response; a cancelled wait is a `.cancelled` error.
    public func respond(to request: HTTPRequestSpec) async throws(ModelError) -> HTTPResult {
        if latency > .zero {
            do { try await Task.sleep(for: latency) } catch { throw ModelError(.cancelled, "cancelled while waiting for the local responder") }
        }
        return response
    }
}
