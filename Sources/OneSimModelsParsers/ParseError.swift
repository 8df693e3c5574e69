import OneSimModelsCore

/// Why a parser could not turn a model's reply into data.
///
/// `kind` says what went wrong and carries the details (the tag that is missing, the JSON
/// position, the missing keys...); `message` says it in words a person (or the model, when
/// the error is fed back by the parse-and-retry call) can act on.
public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The categories of parse failure; each case carries what the message needs.
    public enum Kind: Sendable, Hashable {
        /// The reply has no text (`nil`, empty or only whitespace).
        case emptyResponse
        /// The start tag (or, for the lenient JSON parsers, any JSON at all) was not found.
        case startTagNotFound(tag: String)
        /// The start tag was found but no end tag after it.
        case endTagNotFound(tag: String)
        /// The extracted text is not valid JSON, even after the lenient repairs.
        ///
        /// `line` (one-based), `column` (one-based, in UTF-8 bytes) and `offset` (zero-based
        /// UTF-8 offset) point into the whole reply text, not into the extracted block.
        case invalidJSON(reason: String, line: Int, column: Int, offset: Int)
        /// A JSON object was required but the reply holds another JSON type (`found` is its type name).
        case notADictionary(found: String)
        /// Required keys (or required tags) are absent, listed in the order they were required.
        case missingKeys([String])
        /// A value has the wrong type for the schema or the `Decodable` type it was checked against.
        ///
        /// `path` locates the value (`items[2].age`, or `(root)`), `found` describes what is there.
        case typeMismatch(path: String, expected: String, found: String)
    }

    /// What went wrong, with its details.
    public var kind: Kind
    /// Context from the reply: for invalid JSON the offending line with a `^` under the error;
    /// for a missing tag the start of the reply. `nil` when there is nothing useful to show.
    public var snippet: String?
    /// What to do about it, in one sentence; part of `message`.
    public var advice: String?

    /// An error of `kind`, with optional reply context and advice.
    public init(_ kind: Kind, snippet: String? = nil, advice: String? = nil) {
        self.kind = kind
        self.snippet = snippet
        self.advice = advice
    }

    /// A message a person can act on: what went wrong, what to do, and the reply context.
    public var message: String {
        var s = headline
        if let advice, !advice.isEmpty { s += " " + advice }
        if let snippet, !snippet.isEmpty {
            switch kind {
            case .invalidJSON: s += "\n" + snippet
            default: s += " (the response begins: \"\(snippet)\")"
            }
        }
        return s
    }

    /// `message`: headline, advice and reply context.
    public var description: String { message }

    private var headline: String {
        switch kind {
        case .emptyResponse:
            return "Response text is empty."
        case .startTagNotFound(let tag):
            return "Start tag '\(tag)' not found in response."
        case .endTagNotFound(let tag):
            return "End tag '\(tag)' not found in response."
        case .invalidJSON(let reason, let line, let column, let offset):
            return "Failed to parse JSON at line \(line), column \(column) (offset \(offset)): \(reason)."
        case .notADictionary(let found):
            return "Expected a JSON dictionary (an object in {...}), got \(Self.article(found)) \(found)."
        case .missingKeys(let keys):
            return "Missing required keys in response: \(keys.joined(separator: ", "))."
        case .typeMismatch(let path, let expected, let found):
            return "Wrong type at \(path): expected \(expected), found \(found)."
        }
    }

    private static func article(_ word: String) -> String {
        guard let first = word.lowercased().first else { return "a" }
        return "aeiou".contains(first) ? "an" : "a"
    }
}

extension ParseError {
    static let emptyResponseAdvice =
        "The model sent no text: check the response's finishReason ('length' means it was cut off, "
        + "'content_filter' that it was refused) and ask again."

    /// `.emptyResponse` with the standard advice.
    static var empty: ParseError { ParseError(.emptyResponse, advice: emptyResponseAdvice) }
}
