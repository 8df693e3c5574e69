import Foundation

/// A request the simulator received.
public struct RecordedRequest: Sendable {
    /// The path (`/v1/chat/completions`).
    public var path: String
    /// The HTTP method as sent (`POST`, `GET`).
    public var method: String
    /// Headers with lower-cased names.
    public var headers: [String: String]
    /// The raw body.
    public var body: [UInt8]
    /// The query parameters (`api-version`, `alt`, ...).
    public var query: [String: String] = [:]

    /// The body parsed as a JSON object (Foundation types), or `nil` when it is not one.
    public var json: [String: Any]? {
        try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
    }
}
