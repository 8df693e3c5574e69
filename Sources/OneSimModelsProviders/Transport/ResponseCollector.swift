import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import OneSimModelsCore

/// Collects one whole response on the request's event loop: the head, then the body up to a
/// limit, under a `BodyWatchdog` armed when the head arrives (the read timeout between chunks,
/// the call's total deadline).
///
/// What `HTTPTransport.send` runs instead of AsyncHTTPClient's async API: that API starts an
/// unstructured task per request (to register the request with its cancel handler), and reading
/// its body under a watchdog took a second one, so each call woke two threads of the
/// concurrency pool. Here every callback runs on the event loop that owns the request, and the
/// caller awaits one future.
///
/// Event-loop confined: AsyncHTTPClient calls a delegate on the task's event loop only, one
/// callback at a time.
final class ResponseCollector: HTTPClientResponseDelegate, @unchecked Sendable {
    typealias Response = HTTPResult

    /// The body grew past the limit.
    struct TooLarge: Error {}

    private let limit: Int
    let watchdog: BodyWatchdog
    private var status = 0
    private var headers = HTTPHeaders()
    private var body = ByteBuffer()

    init(limit: Int, watchdog: BodyWatchdog) {
        self.limit = limit
        self.watchdog = watchdog
    }

    func didReceiveHead(task: HTTPClient.Task<HTTPResult>, _ head: HTTPResponseHead) -> EventLoopFuture<Void> {
        status = Int(head.status.code)
        headers = head.headers
        watchdog.arm { task.cancel() }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveBodyPart(task: HTTPClient.Task<HTTPResult>, _ buffer: ByteBuffer) -> EventLoopFuture<Void> {
        watchdog.touch()
        guard buffer.readableBytes <= limit - body.readableBytes else {
            return task.eventLoop.makeFailedFuture(TooLarge())
        }
        if body.readableBytes == 0 {
            body = buffer
        } else {
            var buffer = buffer
            body.writeBuffer(&buffer)
        }
        return task.eventLoop.makeSucceededVoidFuture()
    }

    func didReceiveError(task: HTTPClient.Task<HTTPResult>, _ error: any Error) {
        watchdog.stop()
    }

    func didFinishRequest(task: HTTPClient.Task<HTTPResult>) throws -> HTTPResult {
        watchdog.stop()
        return HTTPResult(status: status, headers: headers, body: body)
    }
}
