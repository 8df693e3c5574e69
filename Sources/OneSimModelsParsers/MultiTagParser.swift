import OneSimModelsCore

/// Reads every tagged block of a reply: a list, or a dictionary of named tags.
///
/// Unnamed (`namedTags: false`): every block between `tagStart` and `tagEnd`, in order, as a
/// JSON array of strings. Named (`namedTags: true`): `tagStart` is a prefix such as `<tag:`,
/// the name runs to the next `>`, the content to `tagEnd` (`<tag:plan> ... </tag>`); the result
/// is a JSON object from name to content, where a repeated name keeps its last block, and
/// every name of `requiredTags` must be present. Contents are trimmed. A reply with no tags
/// gives an empty array or object, as in the original; a start tag without an end is skipped.
/// Reasoning blocks (`<think>…</think>`, see `reasoningTags`) are skipped first; a reply that is
/// only reasoning is an error, not an empty result.
///
/// ```swift
/// let parser = MultiTagParser(tagStart: "<tag:", tagEnd: "</tag>", namedTags: true, requiredTags: ["plan"])
/// let tags = try parser.parse("<tag:plan> walk </tag><tag:mood>calm</tag>")
/// // tags == ["plan": "walk", "mood": "calm"]
/// ```
public struct MultiTagParser: ResponseParser {
    /// One named tag's hint for the format instruction.
    public struct Hint: Sendable, Hashable {
        /// The tag's name, as it appears after `tagStart` (`plan` in `<tag:plan>`).
        public var name: String
        /// What the instruction shows as its content.
        public var hint: String

        /// A hint for tag `name`.
        public init(name: String, hint: String) {
            self.name = name
            self.hint = hint
        }
    }

    /// The opening tag, or (named) its prefix up to the name.
    public var tagStart: String
    /// The text that closes every block (named or not), matched exactly.
    public var tagEnd: String
    /// Whether tags carry names (`<tag:name>`) and the result is a dictionary.
    public var namedTags: Bool
    /// Names that must be present (named mode only), in the order they are reported when missing.
    public var requiredTags: [String]
    /// Named mode: one example per tag in the format instruction, in this order.
    public var contentHint: [Hint]
    /// Names of the reasoning tags whose blocks are skipped before anything is read, so a
    /// draft inside `<think>…</think>` is never taken for the answer (default `think`,
    /// `thinking`, `reasoning`; `[]` turns skipping off). A block opens at the start of a line;
    /// an unclosed one runs to the end, and a reply that is only reasoning is an error. A tag
    /// that is also this parser's own tag is not skipped.
    public var reasoningTags: [String]

    /// A parser for repeated tags. `contentHint` keeps its literal order:
    /// `contentHint: ["plan": "your plan", "mood": "one word"]`.
    public init(
        tagStart: String, tagEnd: String, namedTags: Bool = false, requiredTags: [String] = [],
        contentHint: KeyValuePairs<String, String> = [:], reasoningTags: [String] = ["think", "thinking", "reasoning"]
    ) {
        self.tagStart = tagStart
        self.tagEnd = tagEnd
        self.namedTags = namedTags
        self.requiredTags = requiredTags
        self.contentHint = contentHint.map { Hint(name: $0.key, hint: $0.value) }
        self.reasoningTags = reasoningTags
    }

    /// The original's instruction. Named:
    ///
    ///     Respond with your content in multiple named tags as follows: Required tags: plan.
    ///     <tag:plan>your plan
    ///     </tag>
    ///
    /// Unnamed: a lead-in line and the same example twice.
    public var formatInstruction: String {
        if namedTags {
            var examples = contentHint.map { "\(tagStart)\($0.name)>\($0.hint)\n\(tagEnd)" }.joined(separator: "\n")
            if examples.isEmpty { examples = "\(tagStart)tag_name>your_content\n\(tagEnd)" }
            let required = requiredTags.isEmpty ? "" : " Required tags: \(requiredTags.joined(separator: ", "))."
            return "Respond with your content in multiple named tags as follows:\(required)\n\(examples)"
        }
        let example = "\(tagStart)your_content\n\(tagEnd)"
        return "Respond with your content in multiple tags as follows:\n\(example)\n\(example)"
    }

    /// The blocks: a JSON array of strings (unnamed) or an object of strings (named).
    public func parse(_ text: String) throws(ParseError) -> JSONValue {
        if ByteText.isBlank(text) { throw ParseError.empty }
        let bytes = try ReasoningBlocks.answer(
            text, tags: reasoningTags, parserTags: [tagStart, tagEnd], expected: tagStart)
        let start = Array(tagStart.utf8)
        let end = Array(tagEnd.utf8)
        let gt = Array(">".utf8)
        var list: [JSONValue] = []
        var named: [String: JSONValue] = [:]
        var pos = 0
        // One left-to-right pass: once an end (or a `>`) is missing after some point, it is
        // missing after every later start tag too, so the scan stops there.
        while let s = ByteText.find(start, in: bytes, from: pos) {
            var cs = s + start.count
            var name = ""
            if namedTags {
                guard let g = ByteText.find(gt, in: bytes, from: cs) else { break }
                name = ByteText.stripped(bytes, cs..<g)
                cs = g + 1
            }
            guard let e = ByteText.find(end, in: bytes, from: cs) else { break }
            let content = JSONValue.string(ByteText.stripped(bytes, cs..<e))
            if namedTags { named[name] = content } else { list.append(content) }
            pos = max(e + end.count, s + 1)  // always moves on, even with empty tags
        }
        guard namedTags else { return .array(list) }
        let missing = requiredTags.filter { named[$0] == nil }
        if !missing.isEmpty {
            throw ParseError(
                .missingKeys(missing),
                advice: "Missing required tags: add a '\(tagStart)NAME>...\(tagEnd)' block for each of "
                    + "\(missing.joined(separator: ", ")).")
        }
        return .object(named)
    }
}
