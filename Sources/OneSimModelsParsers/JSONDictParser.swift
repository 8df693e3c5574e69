import OneSimModelsCore

/// Reads a JSON object from a reply and checks it: required keys, and optionally a schema.
///
/// It finds the JSON as `JSONBlockParser` does (lenient unless `strict`, reasoning blocks
/// skipped), requires an object, checks that every key of `requiredKeys` is present (all
/// missing keys are reported, in order), then checks `schema`. `toContent(_:)` and `toMetadata(_:)` pick the parts of the
/// result that the original's `keys_to_content` / `keys_to_metadata` selected.
///
/// ```swift
/// let parser = JSONDictParser(requiredKeys: ["name", "description"])
/// let instruction = parser.formatInstruction   // names the required keys
/// let parsed = try parser.parse(response).parsed
/// ```
public struct JSONDictParser: ResponseParser {
    /// The text that opens the block (default: three backticks followed by `json`).
    public var tagStart: String
    /// The text that closes the block (default: three backticks).
    public var tagEnd: String
    /// What the instruction shows between the tags; `nil` shows `{your_json_object}`.
    public var contentHint: String?
    /// Keys the object must have, in the order they are reported when missing.
    public var requiredKeys: [String]
    /// What `toContent(_:)` returns (default: the whole object).
    public var keysToContent: KeySelection
    /// What `toMetadata(_:)` returns (default: nothing).
    public var keysToMetadata: KeySelection
    /// A schema the object must match; shown in the instruction.
    public var schema: ResponseSchema?
    /// Whether to read only the exact tags, as strict JSON, with no fallbacks or repairs.
    public var strict: Bool
    /// Names of the reasoning tags whose blocks are skipped before anything is read, so a
    /// draft inside `<think>…</think>` is never taken for the answer (default `think`,
    /// `thinking`, `reasoning`; `[]` turns skipping off). A block opens at the start of a line;
    /// an unclosed one runs to the end, and a reply that is only reasoning is an error. A tag
    /// that is also this parser's own tag is not skipped.
    public var reasoningTags: [String]

    /// A parser for a JSON object, with a text hint for the instruction.
    public init(
        tagStart: String = "```json", tagEnd: String = "```", contentHint: String? = nil, requiredKeys: [String] = [],
        keysToContent: KeySelection = .all, keysToMetadata: KeySelection = .nothing, schema: ResponseSchema? = nil,
        strict: Bool = false, reasoningTags: [String] = ["think", "thinking", "reasoning"]
    ) {
        self.tagStart = tagStart
        self.tagEnd = tagEnd
        self.contentHint = contentHint
        self.requiredKeys = requiredKeys
        self.keysToContent = keysToContent
        self.keysToMetadata = keysToMetadata
        self.schema = schema
        self.strict = strict
        self.reasoningTags = reasoningTags
    }

    /// A parser whose instruction shows `contentHint` (an example object) as indented JSON.
    /// (Disfavoured so that a string literal or `nil` picks the text hint.)
    @_disfavoredOverload
    public init(
        tagStart: String = "```json", tagEnd: String = "```", contentHint: JSONValue, requiredKeys: [String] = [],
        keysToContent: KeySelection = .all, keysToMetadata: KeySelection = .nothing, schema: ResponseSchema? = nil,
        strict: Bool = false, reasoningTags: [String] = ["think", "thinking", "reasoning"]
    ) {
        self.init(
            tagStart: tagStart, tagEnd: tagEnd, contentHint: JSONPretty.format(contentHint), requiredKeys: requiredKeys,
            keysToContent: keysToContent, keysToMetadata: keysToMetadata, schema: schema, strict: strict,
            reasoningTags: reasoningTags)
    }

    /// A `JSONBlockParser` with the same tags, hint, strictness and reasoning tags (it accepts any JSON type).
    public var blockParser: JSONBlockParser {
        JSONBlockParser(
            tagStart: tagStart, tagEnd: tagEnd, contentHint: effectiveHint, strict: strict, reasoningTags: reasoningTags)
    }

    private var effectiveHint: String { contentHint ?? JSONBlockParser.defaultContentHint }

    /// The JSON block instruction, then the required keys and the schema:
    ///
    ///     Respond with a JSON object in a markdown code block as follows:
    ///     ```json
    ///     {your_json_object}
    ///     ```
    ///     The JSON object must contain the keys: "name", "description".
    public var formatInstruction: String {
        var s = blockParser.formatInstruction
        if !requiredKeys.isEmpty {
            s += "\nThe JSON object must contain the keys: "
            let quoted = requiredKeys.map { key -> String in
                var out: [UInt8] = []
                JSONCodec.writeString(key, into: &out)
                return String(decoding: out, as: UTF8.self)
            }
            s += quoted.joined(separator: ", ") + "."
        }
        if let schema {
            s += "\nThe JSON object must follow this JSON Schema:\n" + JSONPretty.format(schema.jsonSchema)
        }
        return s
    }

    /// The checked JSON object in `text`.
    public func parse(_ text: String) throws(ParseError) -> JSONValue {
        var extractor = JSONExtractor(tagStart: tagStart, tagEnd: tagEnd, strict: strict)
        extractor.requireObject = true
        extractor.reasoningTags = reasoningTags
        let value = try extractor.extract(text)
        guard case .object(let members) = value else {
            throw ParseError(.notADictionary(found: value.typeName), advice: "Reply with a single JSON object.")
        }
        let missing = requiredKeys.filter { members[$0] == nil }
        if !missing.isEmpty {
            throw ParseError(
                .missingKeys(missing),
                advice: "The JSON object must contain every one of: \(requiredKeys.joined(separator: ", ")).")
        }
        try schema?.validate(value)
        return value
    }

    /// The part of a parsed object selected by `keysToContent`.
    public func toContent(_ parsed: JSONValue) -> JSONValue? { keysToContent.select(from: parsed) }

    /// The part of a parsed object selected by `keysToMetadata`.
    public func toMetadata(_ parsed: JSONValue) -> JSONValue? { keysToMetadata.select(from: parsed) }
}
