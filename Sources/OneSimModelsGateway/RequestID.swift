import Synchronization

/// Request ids for requests that bring none: UUID-shaped (`8-4-4-4-12` lowercase hex), unique
/// within a process (a counter) and across processes (a random 64-bit prefix drawn once).
///
/// Not `UUID()`: on Linux that opens, reads and closes `/dev/urandom` per id, three system
/// calls per request on the gateway's hot path. An id is a label, not a secret, so it needs
/// uniqueness, not unpredictability.
enum RequestID {
    private static let prefix = UInt64.random(in: .min ... .max)
    private static let counter = Atomic<UInt64>(0)

    /// The next id.
    static func next() -> String {
        let count = counter.wrappingAdd(1, ordering: .relaxed).newValue
        return format(high: prefix, low: count)
    }

    /// `high` and `low` as `xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx`.
    static func format(high: UInt64, low: UInt64) -> String {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        return String(unsafeUninitializedCapacity: 36) { buffer in
            var i = 0
            func put(_ value: UInt64, nibbles: Int) {
                var n = nibbles
                while n > 0 {
                    n -= 1
                    buffer[i] = digits[Int((value >> UInt64(n * 4)) & 0xF)]
                    i += 1
                }
            }
            func dash() {
                buffer[i] = UInt8(ascii: "-")
                i += 1
            }
            put(high >> 32, nibbles: 8)
            dash()
            put(high >> 16, nibbles: 4)
            dash()
            put(high, nibbles: 4)
            dash()
            put(low >> 48, nibbles: 4)
            dash()
            put(low, nibbles: 12)
            return i
        }
    }
}
