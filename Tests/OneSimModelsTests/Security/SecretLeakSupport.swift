import OneSimModels
import Testing

/// Every way a value is shown by default: `String(describing:)`, `String(reflecting:)`, `dump`,
/// and the descriptions of every child of its mirror, recursively (to `depth` levels).
func renderings(of value: Any, depth: Int = 6) -> [String] {
    var dumped = ""
    dump(value, to: &dumped, maxDepth: 12)
    var out = [String(describing: value), String(reflecting: value), dumped]
    func walk(_ value: Any, _ level: Int) {
        guard level < depth else { return }
        for child in Mirror(reflecting: value).children {
            out.append("\(child.label ?? "_"): \(String(describing: child.value)) \(String(reflecting: child.value))")
            walk(child.value, level + 1)
        }
    }
    walk(value, 0)
    return out
}

/// Records an issue for every rendering of `value` that shows one of `secrets`.
func expectNoSecret(
    _ value: Any, _ secrets: [String], _ what: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    for text in renderings(of: value) {
        for secret in secrets where text.contains(secret) {
            Issue.record("\(what) shows '\(secret)': \(text.prefix(400))", sourceLocation: sourceLocation)
            return
        }
    }
}

/// Records an issue when any string field of `error` (or its attempts) shows one of `secrets`.
func expectScrubbed(_ error: ModelError?, _ secrets: [String], sourceLocation: SourceLocation = #_sourceLocation) {
    guard let error else {
        Issue.record("expected an error", sourceLocation: sourceLocation)
        return
    }
    let fields: [String?] =
        [error.message, error.providerType, error.providerCode, error.param, error.requestID, error.configName]
        + error.attempts.flatMap { [$0.member, $0.message] }
    for field in fields.compactMap({ $0 }) {
        for secret in secrets where field.contains(secret) {
            Issue.record("error field shows '\(secret)': \(field)", sourceLocation: sourceLocation)
        }
    }
    expectNoSecret(error, secrets, "the error", sourceLocation: sourceLocation)
}

/// An OpenAI-style error body that echoes `secret` in every field.
func echoingErrorBody(_ secret: String) -> String {
    #"{"error": {"message": "Incorrect API key provided: "# + secret + #"", "type": "invalid_"# + secret
        + #"", "param": "key "# + secret + #"", "code": ""# + secret + #""}}"#
}
