import Foundation
import NIOHTTP1
import OneSimModelsCore

/// Reads how long a server asks the client to wait: `retry-after-ms` (milliseconds) first,
/// then `Retry-After` as seconds (fractions allowed) or as an HTTP date.
///
/// The headers are untrusted: only plain decimal numbers are read (no sign, exponent, hex,
/// `inf` or `nan`; at most 40 characters), and any wait is clamped to
/// `Duration.practicallyForever` (the retry policy then caps what it honours). Anything else
/// counts as no wait.
package enum RetryAfter {
    /// The wait the headers ask for, or `nil` when they ask for none (or it is not positive,
    /// or not a number this reads).
    package static func parse(_ headers: HTTPHeaders, now: Date = Date()) -> Duration? {
        if let ms = headers.first(name: "retry-after-ms"), let value = DecimalText.nonNegative(ms), value > 0 {
            return Duration.clamped(milliseconds: value)
        }
        guard let raw = headers.first(name: "retry-after")?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else {
            return nil
        }
        if let seconds = DecimalText.nonNegative(raw) {
            return seconds > 0 ? Duration.clamped(seconds: seconds) : nil
        }
        if raw.utf8.count <= 64, let date = httpDate(raw) {
            let seconds = date.timeIntervalSince(now)
            return seconds > 0 ? Duration.clamped(seconds: seconds) : nil
        }
        return nil
    }

    /// Reads a Google `Duration` JSON string such as `"30s"` or `"1.5s"` (Gemini's
    /// `RetryInfo.retryDelay`), clamped like the headers; `nil` for anything else.
    package static func parseProtobufDuration(_ text: String) -> Duration? {
        guard text.hasSuffix("s"), let seconds = DecimalText.nonNegative(text.dropLast()), seconds > 0 else {
            return nil
        }
        return Duration.clamped(seconds: seconds)
    }

    /// Parses an IMF-fixdate (`Wed, 21 Oct 2015 07:28:00 GMT`, RFC 9110 §5.6.7) by hand: the
    /// header is untrusted, and Foundation's `DateFormatter` traps on some non-ASCII input.
    /// Anything that is not exactly that shape (29 ASCII characters) is `nil`.
    static func httpDate(_ text: String) -> Date? {
        let b = Array(text.utf8)
        guard b.count == 29, b[3] == UInt8(ascii: ","), b[4] == 0x20, b[7] == 0x20, b[11] == 0x20, b[16] == 0x20,
            b[19] == UInt8(ascii: ":"), b[22] == UInt8(ascii: ":"), b[25] == 0x20,
            String(decoding: b[26..<29], as: UTF8.self) == "GMT",
            days.contains(String(decoding: b[0..<3], as: UTF8.self)),
            let monthIndex = months.firstIndex(of: String(decoding: b[8..<11], as: UTF8.self)),
            let day = number(b[5..<7]), let year = number(b[12..<16]), let hour = number(b[17..<19]),
            let minute = number(b[20..<22]), let second = number(b[23..<25]),
            (1...31).contains(day), hour < 24, minute < 60, second < 61
        else { return nil }
        let month = monthIndex + 1
        // Days from 1970-01-01 to the civil date (Howard Hinnant's algorithm).
        let y = month <= 2 ? year - 1 : year
        let era = y / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let daysSinceEpoch = era * 146_097 + dayOfEra - 719_468
        let seconds = daysSinceEpoch * 86_400 + hour * 3_600 + minute * 60 + second
        return Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    private static let days = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    private static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]

    /// The value of 1 to 4 ASCII digits.
    private static func number(_ digits: ArraySlice<UInt8>) -> Int? {
        var value = 0
        for digit in digits {
            guard digit >= 0x30, digit <= 0x39 else { return nil }
            value = value * 10 + Int(digit - 0x30)
        }
        return value
    }
}
