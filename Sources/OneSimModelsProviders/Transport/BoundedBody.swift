import AsyncHTTPClient
import NIOCore
import OneSimModelsCore

/// Reads a whole response body under a `BodyWatchdog`.
enum BoundedBody {
    /// The body of a response, at most `limit` bytes, read in a child task that the watchdog
    /// cancels when the body stalls past the read timeout or the total deadline.
    ///
    /// AsyncHTTPClient's own deadline ends when the response head arrives, so without this a
    /// server that sends its head and then stalls would hang the call. Cancelling the calling
    /// task cancels the read. Throws `.timeout` (which timeout, in the message) or `.decoding`
    /// for a body over the limit; other errors are AsyncHTTPClient's.
    ///
    /// Cost per call: one unstructured task, an insert into and a removal from the shared
    /// `TimeoutWheel` (no timer per call), and a clock read per chunk.
    static func collect(
        _ body: HTTPClientResponse.Body, upTo limit: Int, watchdog: BodyWatchdog, url: String
    ) async throws -> ByteBuffer {
        let reader = Task { try await read(body, upTo: limit, watchdog: watchdog, url: url) }
        watchdog.arm { reader.cancel() }
        defer { watchdog.stop() }
        do {
            return try await withTaskCancellationHandler {
                try await reader.value
            } onCancel: {
                reader.cancel()
            }
        } catch {
            if let timeout = watchdog.fired { throw timeout.error(url: url) }
            throw error
        }
    }

    private static func read(
        _ body: HTTPClientResponse.Body, upTo limit: Int, watchdog: BodyWatchdog, url: String
    ) async throws -> ByteBuffer {
        var collected = ByteBuffer()
        for try await var chunk in body {
            watchdog.touch()
            guard chunk.readableBytes <= limit - collected.readableBytes else {
                throw ModelError(.decoding, "the response from \(redactedURL(url)) is larger than the limit")
            }
            if collected.readableBytes == 0 {
                collected = chunk
            } else {
                collected.writeBuffer(&chunk)
            }
        }
        // A cancelled read can end like a complete one: never return a cut body as whole.
        try Task.checkCancellation()
        return collected
    }
}
