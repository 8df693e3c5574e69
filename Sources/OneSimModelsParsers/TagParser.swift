import OneSimModelsCore

/// Reads the text between two tags: `<answer>...</answer>`.
///
/// The result is a JSON string: the first block, trimmed of surrounding whitespace. Tags
/// match exactly (case-sensitive), as in the original. Reasoning blocks (`<think>…</think>`,
/// see `reasoningTags`) are skipped first, so a tag inside the draft is never the answer.
///
/// ```swift
/// let parser = TagParser(tagStart: "<answer>", tagEnd: "</answer>")
/// let answer = try parser.parse("I think <answer> 42 </answer>.")
/// // answer == "42"
/// ```
public struct TagParser: ResponseParser {
    /// The text that opens the block, matched exactly (case-sensitive); the first one counts.
    public var tagStart: String
    /// The text that closes the block: the first one after `tagStart`. Without it, parsing
    /// throws `.endTagNotFound`.
    public var tagEnd: String
    /// What the format instruction shows between the tags (default `{your_content}`).
    public var contentHint: String
    /// Names of the reasoning tags whose blocks are skipped before anything is read, so a
    /// draft inside `<think>…</think>` is never taken for the answer (default `think`,
    /// `thinking`, `reasoning`; `[]` turns skipping off). A block opens at the start of a line;
    /// an unclosed one runs to the end, and a reply that is only reasoning is an error. A tag
    /// that is also this parser's own tag is not skipped.
    public var reasoningTags: [String]

    /// A parser for the text between `tagStart` and `tagEnd`.
    public init(
        tagStart: String, tagEnd: String, contentHint: String = "{your_content}",
        reasoningTags: [String] = ["think", "thinking", "reasoning"]
    ) {
        self.tagStart = tagStart
        self.tagEnd = tagEnd
        self.contentHint = contentHint
        self.reasoningTags = reasoningTags
    }

    /// The original's instruction:
    ///
    ///     Respond with your content between the following tags:
    ///     <answer>
    ///     {your_content}
    ///     </answer>
    public var formatInstruction: String {
        "Respond with your content between the following tags:\n\(tagStart)\n\(contentHint)\n\(tagEnd)"
    }

    /// The first block's text, as a JSON string.
    public func parse(_ text: String) throws(ParseError) -> JSONValue {
        if ByteText.isBlank(text) { throw ParseError.empty }
        let bytes = try ReasoningBlocks.answer(
            text, tags: reasoningTags, parserTags: [tagStart, tagEnd], expected: tagStart)
        guard let s = ByteText.find(Array(tagStart.utf8), in: bytes, from: 0) else {
            throw ParseError(
                .startTagNotFound(tag: tagStart), snippet: ByteText.preview(text),
                advice: "Put the answer between '\(tagStart)' and '\(tagEnd)'.")
        }
        let cs = s + tagStart.utf8.count
        guard let e = ByteText.find(Array(tagEnd.utf8), in: bytes, from: cs) else {
            throw ParseError(
                .endTagNotFound(tag: tagEnd),
                advice: "Close the answer with '\(tagEnd)'; the reply may have been cut off (raise maxTokens).")
        }
        return .string(ByteText.stripped(bytes, cs..<e))
    }
}
