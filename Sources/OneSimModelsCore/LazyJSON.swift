import NIOCore
import Synchronization

/// A response body kept as received and parsed into a `JSONValue` the first time someone
/// asks: most callers never read `ModelResponse.raw`, so the hot path builds no tree for it.
package final class LazyJSON: Sendable {
    /// The body bytes: a copy, since the received buffer may be a slice of a much larger
    /// network read buffer that a stored response would otherwise keep alive.
    package let bytes: [UInt8]
    private let parsed = Mutex<JSONValue?>(nil)

    /// Copies the readable bytes of `body` for parsing on demand.
    package init(copying body: ByteBuffer) {
        bytes = Array(body.readableBytesView)
    }

    /// The parsed body (`.null` if it is not valid JSON), parsed once.
    package var value: JSONValue {
        parsed.withLock { cached in
            if let cached { return cached }
            let value = (try? JSONCodec.parse(bytes)) ?? .null
            cached = value
            return value
        }
    }
}
