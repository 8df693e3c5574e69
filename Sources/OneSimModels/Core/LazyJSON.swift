import NIOCore
import Synchronization

/// A response body kept as received and parsed into a `JSONValue` the first time someone
/// asks: most callers never read `ModelResponse.raw`, so the hot path builds no tree for it.
final class LazyJSON: Sendable {
    /// The body bytes.
    let bytes: ByteBuffer
    private let parsed = Mutex<JSONValue?>(nil)

    /// Holds `bytes` for parsing on demand.
    init(_ bytes: ByteBuffer) {
        self.bytes = bytes
    }

    /// The parsed body (`.null` if it is not valid JSON), parsed once.
    var value: JSONValue {
        parsed.withLock { cached in
            if let cached { return cached }
            let value = (try? JSONCodec.parse(bytes.readableBytesView)) ?? .null
            cached = value
            return value
        }
    }
}
