import Foundation
import OneSimModelsCore

/// Turns a model's reply text into data, and tells the model how to write its reply.
///
/// A conforming type writes `formatInstruction` and `parse(_:)` for text; parsing a whole
/// `ModelResponse` and decoding into a `Decodable` type come from the extension. Parsers are
/// values: parsing never changes the parser or the response you pass in.
///
/// ```swift
/// let parser = JSONDictParser(requiredKeys: ["name", "description"])
/// let reply = try await model.acall(model.format(UserMessage("Describe a cat. \(parser.formatInstruction)")))
/// let parsed = try parser.parse(reply).parsed   // JSONValue
/// ```
public protocol ResponseParser: Sendable {
    /// Text to append to a prompt so that the model answers in the form this parser reads.
    var formatInstruction: String { get }

    /// Extracts the data from a reply's text. Throws a `ParseError` saying what is wrong.
    func parse(_ text: String) throws(ParseError) -> JSONValue
}

extension ResponseParser {
    /// A copy of `response` with `parsed` set from its text; `response` itself is unchanged.
    ///
    /// Throws `ParseError` with kind `.emptyResponse` when the response has no text.
    public func parse(_ response: ModelResponse) throws(ParseError) -> ModelResponse {
        guard let text = response.text else { throw ParseError.empty }
        var copy = response
        copy.parsed = try parse(text)
        return copy
    }

    /// Parses `text` and decodes the result as `T` with `decoder`.
    ///
    /// A value that does not fit `T` throws `.typeMismatch` (with the path of the value) or
    /// `.missingKeys`.
    public func parse<T: Decodable>(
        _ text: String, as type: T.Type, decoder: JSONDecoder = JSONDecoder()
    ) throws(ParseError) -> T {
        try parse(text).decoded(as: type, decoder: decoder)
    }

    /// Parses the response's text and decodes the result as `T` with `decoder`.
    public func parse<T: Decodable>(
        _ response: ModelResponse, as type: T.Type, decoder: JSONDecoder = JSONDecoder()
    ) throws(ParseError) -> T {
        guard let text = response.text else { throw ParseError.empty }
        return try parse(text, as: type, decoder: decoder)
    }
}
