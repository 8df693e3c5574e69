import Foundation
import NIOHTTP1

/// Reads how long a server asks the client to wait: `retry-after-ms` (milliseconds) first,
/// then `Retry-After` as seconds (fractions allowed) or as an HTTP date.
///
/// The headers are untrusted: only plain decimal numbers are read (no sign, exponent, hex,
/// `inf` or `nan`; at most 40 characters), and any wait is clamped to
/// `Duration.practicallyForever` (the retry policy then caps what it honours). Anything else
/// counts as no wait.
public enum RetryAfter {
    /// The wait the headers ask for, or `nil` when they ask for none (or it is not positive,
    /// or not a number this reads).
    public static func parse(_ headers: HTTPHeaders, now: Date = Date()) -> Duration? {
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
    public static func parseProtobufDuration(_ text: String) -> Duration? {
        guard text.hasSuffix("s"), let seconds = DecimalText.nonNegative(text.dropLast()), seconds > 0 else {
            return nil
        }
        return Duration.clamped(seconds: seconds)
    }

    /// Parses an IMF-fixdate (`Wed, 21 Oct 2015 07:28:00 GMT`).
    static func httpDate(_ text: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter.date(from: text)
    }
}
