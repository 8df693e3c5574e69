import Foundation
import OneSimModelsCore

/// Reads a JSON value from a reply, normally from a markdown block fenced with three backticks
/// and `json`.
///
/// By default it is lenient, because real model output is messy: it also accepts the tag in
/// any case, a bare fence of three backticks, JSON written straight into the prose, and JSON with
/// comments, trailing commas, single or smart quotes, Python `True`/`False`/`None`, raw
/// newlines in strings, or a reply cut off before its closing braces. `strict: true` reads
/// only what sits between the exact tags, as strict JSON. Either way a fence of three backticks inside a
/// JSON string does not end the block, and `\r\n` line ends work. Any JSON type is accepted.
/// Reasoning blocks (`<think>…</think>`, see `reasoningTags`) are skipped first, in either
/// mode, so a draft is never read as the answer. Among several blocks, the first that is valid
/// JSON as it is wins; a block that needs repair wins only when none is.
///
/// ```swift
/// let parser = JSONBlockParser()
/// let value = try parser.parse("Sure!\n```json\n{\"mood\": \"happy\"}\n```")
/// // value == ["mood": "happy"]
/// ```
public struct JSONBlockParser: ResponseParser {
    /// The text that opens the block (default: three backticks followed by `json`).
    public var tagStart: String
    /// The text that closes the block (default: three backticks).
    public var tagEnd: String
    /// What the format instruction shows between the tags (default `{your_json_object}`).
    public var contentHint: String
    /// Whether to read only the exact tags, as strict JSON, with no fallbacks or repairs.
    public var strict: Bool
    /// Names of the reasoning tags whose blocks are skipped before anything is read, so a
    /// draft inside `<think>…</think>` is never taken for the answer (default `think`,
    /// `thinking`, `reasoning`; `[]` turns skipping off). A block opens at the start of a line;
    /// an unclosed one runs to the end, and a reply that is only reasoning is an error. A tag
    /// that is also this parser's own tag is not skipped.
    public var reasoningTags: [String]

    /// The hint shown when none is given.
    public static let defaultContentHint = "{your_json_object}"

    /// A parser for JSON between `tagStart` and `tagEnd`, with a text hint for the instruction.
    public init(
        tagStart: String = "```json", tagEnd: String = "```", contentHint: String? = nil, strict: Bool = false,
        reasoningTags: [String] = ["think", "thinking", "reasoning"]
    ) {
        self.tagStart = tagStart
        self.tagEnd = tagEnd
        self.contentHint = contentHint ?? Self.defaultContentHint
        self.strict = strict
        self.reasoningTags = reasoningTags
    }

    /// A parser whose instruction shows `contentHint` as indented JSON (an example object or a schema).
    /// (Disfavoured so that a string literal or `nil` picks the text hint.)
    @_disfavoredOverload
    public init(
        tagStart: String = "```json", tagEnd: String = "```", contentHint: JSONValue, strict: Bool = false,
        reasoningTags: [String] = ["think", "thinking", "reasoning"]
    ) {
        self.init(
            tagStart: tagStart, tagEnd: tagEnd, contentHint: JSONPretty.format(contentHint), strict: strict,
            reasoningTags: reasoningTags)
    }

    /// The original's instruction, with the hint between the tags (never doubled fences):
    ///
    ///     Respond with a JSON object in a markdown code block as follows:
    ///     ```json
    ///     {your_json_object}
    ///     ```
    public var formatInstruction: String {
        "Respond with a JSON object in a markdown code block as follows:\n\(tagStart)\n\(hintBody)\n\(tagEnd)"
    }

    /// The hint without tags of its own: a hint written as a whole fenced block (as the
    /// original's default was) is unwrapped, so the instruction never shows doubled fences.
    var hintBody: String {
        let trimmed = contentHint.trimmingCharacters(in: .whitespacesAndNewlines)
        guard trimmed.lowercased().hasPrefix(tagStart.lowercased()), trimmed.hasSuffix(tagEnd),
            trimmed.count >= tagStart.count + tagEnd.count
        else { return contentHint }
        let inner = trimmed.dropFirst(tagStart.count).dropLast(tagEnd.count)
        return inner.trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// The JSON value in `text`.
    public func parse(_ text: String) throws(ParseError) -> JSONValue {
        var extractor = JSONExtractor(tagStart: tagStart, tagEnd: tagEnd, strict: strict)
        extractor.reasoningTags = reasoningTags
        return try extractor.extract(text)
    }
}
