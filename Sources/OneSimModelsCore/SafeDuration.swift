import Foundation
import NIOCore

/// Conversions between outside numbers (config values, headers, CLI flags) and `Duration`
/// that never trap.
///
/// Every duration that comes from outside goes through ``Duration/clamped(seconds:)``: a
/// negative or NaN value is refused (`nil`), and anything at or beyond
/// ``Duration/practicallyForever`` (about 100 years; `"timeout": 1e10` is how a user writes
/// "never") becomes exactly that. A clamped duration converts to NIO's `TimeAmount`, and adds to
/// any clock reading, without overflow.
extension Duration {
    /// The longest duration the library works with: 100 years of 365 days. Longer values from
    /// configs and headers are clamped to it.
    package static let practicallyForever: Duration = .seconds(practicallyForeverSeconds)

    /// ``practicallyForever`` in whole seconds.
    static let practicallyForeverSeconds: Int64 = 100 * 365 * 86_400

    /// `seconds` as a duration, rounded up to the nanosecond and clamped to
    /// `0...practicallyForever` (`+infinity` is forever); `nil` for a negative number or NaN.
    package static func clamped(seconds: Double) -> Duration? {
        guard !seconds.isNaN, seconds >= 0 else { return nil }
        guard seconds < Double(practicallyForeverSeconds) else { return practicallyForever }
        // Below 3.2e9 s, so the nanosecond count stays below 3.2e18 < Int64.max.
        return .nanoseconds(Int64((seconds * 1e9).rounded(.up)))
    }

    /// `milliseconds` as a duration, with the rules of ``clamped(seconds:)``.
    package static func clamped(milliseconds: Double) -> Duration? {
        guard !milliseconds.isNaN, milliseconds >= 0 else { return nil }
        return clamped(seconds: milliseconds / 1000)
    }

    /// This duration clamped to `0...practicallyForever`.
    var clampedToForever: Duration { min(max(self, .zero), .practicallyForever) }

    /// This duration as NIO's `TimeAmount` (nanoseconds), saturating: negative durations are
    /// zero and anything longer than ``practicallyForever`` is that long.
    package var timeAmount: TimeAmount {
        let (seconds, attoseconds) = clampedToForever.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }

    /// This duration in seconds as a `Double`.
    package var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}

/// Strict parsing of the plain decimal numbers that headers carry.
package enum DecimalText {
    /// The value of `text` when it is a plain non-negative decimal number (`12`, `1.5`,
    /// surrounding spaces allowed) of at most 40 characters; `nil` for anything else: signs,
    /// exponents, hex (`0x10`), `inf`, `nan`, empty or huge strings.
    package static func nonNegative<S: StringProtocol>(_ text: S) -> Double? {
        guard text.utf8.count <= 64 else { return nil }
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        guard !trimmed.isEmpty, trimmed.utf8.count <= 40 else { return nil }
        var sawDigit = false
        var sawPoint = false
        for byte in trimmed.utf8 {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): sawDigit = true
            case UInt8(ascii: "."): if sawPoint { return nil } else { sawPoint = true }
            default: return nil
            }
        }
        guard sawDigit else { return nil }
        return Double(trimmed)
    }
}
