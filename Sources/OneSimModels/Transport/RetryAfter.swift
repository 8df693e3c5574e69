import Foundation
import NIOHTTP1

/// Reads how long a server asks the client to wait: `retry-after-ms` (milliseconds) first,
/// then `Retry-After` as seconds (fractions allowed) or as an HTTP date.
public enum RetryAfter {
    /// The wait the headers ask for, or `nil` when they ask for none (or it is not positive).
    public static func parse(_ headers: HTTPHeaders, now: Date = Date()) -> Duration? {
        if let ms = headers.first(name: "retry-after-ms"), let value = Double(ms.trimmingCharacters(in: .whitespaces)), value > 0 {
            return .milliseconds(Int64(value.rounded(.up)))
        }
        guard let raw = headers.first(name: "retry-after")?.trimmingCharacters(in: .whitespaces), !raw.isEmpty else {
            return nil
        }
        if let seconds = Double(raw) {
            return seconds > 0 ? .milliseconds(Int64((seconds * 1000).rounded(.up))) : nil
        }
        if let date = httpDate(raw) {
            let seconds = date.timeIntervalSince(now)
            return seconds > 0 ? .milliseconds(Int64((seconds * 1000).rounded(.up))) : nil
        }
        return nil
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
