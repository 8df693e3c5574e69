import OneSimModelsCore

/// Reads the code of a markdown fenced code block: three backticks and a language, the code,
/// three backticks.
///
/// The result is always a string: the code of the *first* matching block, trimmed of
/// surrounding whitespace, whatever the constructor (the original returned a list without a
/// language and a string with one; its callers use a string). `codeBlocks(in:)` returns
/// every matching block.
///
/// With a `language`, a block matches when the first word of its info string is that
/// language in any case (`Python` matches `python`, `python3` does not); when no block
/// matches, a lenient parser takes the first block with no language. Without a language,
/// every block matches. Fences are found line by line, so `\r\n` works and languages such as
/// `c++` need no escaping. Reasoning blocks (`<think>…</think>`, see `reasoningTags`) are
/// skipped first, so a draft's code block is never the answer.
///
/// ```swift
/// let code = try CodeBlockParser(language: "python").parse("```python\nprint(1)\n```")
/// // code == "print(1)"
/// ```
public struct CodeBlockParser: ResponseParser {
    /// The language to read (`"python"`), or `nil` for any block.
    public var language: String?
    /// What the format instruction shows inside the block (default `{your_code_here}`).
    public var contentHint: String
    /// Whether only blocks labelled with `language` count (no fallback to unlabelled blocks).
    public var strict: Bool
    /// Names of the reasoning tags whose blocks are skipped before anything is read, so a
    /// draft inside `<think>…</think>` is never taken for the answer (default `think`,
    /// `thinking`, `reasoning`; `[]` turns skipping off). A block opens at the start of a line;
    /// an unclosed one runs to the end, and a reply that is only reasoning is an error. A tag
    /// that is also this parser's own tag is not skipped.
    public var reasoningTags: [String]

    /// A parser for blocks of `language` (any block when `nil`).
    public init(
        language: String? = nil, contentHint: String = "{your_code_here}", strict: Bool = false,
        reasoningTags: [String] = ["think", "thinking", "reasoning"]
    ) {
        self.language = language
        self.contentHint = contentHint
        self.strict = strict
        self.reasoningTags = reasoningTags
    }

    /// The original's instruction:
    ///
    ///     Respond with code in a markdown code block as follows:
    ///     ```python
    ///     {your_code_here}
    ///     ```
    public var formatInstruction: String {
        "Respond with code in a markdown code block as follows:\n```\(language ?? "language")\n\(contentHint)\n```"
    }

    private var startTag: String { "```" + (language ?? "") }

    /// The code of the first matching block, as a JSON string.
    public func parse(_ text: String) throws(ParseError) -> JSONValue {
        .string(try codeBlocks(in: text, firstOnly: true)[0])
    }

    /// The code of every matching block, in order (the original's `parse_multiple`).
    /// Throws when there is none.
    public func codeBlocks(in text: String) throws(ParseError) -> [String] {
        try codeBlocks(in: text, firstOnly: false)
    }

    private func codeBlocks(in text: String, firstOnly: Bool) throws(ParseError) -> [String] {
        if ByteText.isBlank(text) { throw ParseError.empty }
        let bytes = try ReasoningBlocks.answer(text, tags: reasoningTags, parserTags: [], expected: startTag)
        let all = FenceScanner.blocks(in: bytes)
        let wanted = language?.lowercased()
        if let found = try contents(of: all.filter { wanted == nil || $0.language == wanted }, bytes, firstOnly) {
            return found
        }
        if let language, let inline = CodeBlocks.inlineBlock(language: language, in: bytes) {
            guard let range = inline else { throw endTagNotFound }
            return [ByteText.stripped(bytes, range)]
        }
        if !strict, wanted != nil, let found = try contents(of: all.filter { $0.language.isEmpty }, bytes, firstOnly) {
            return found
        }
        throw ParseError(
            .startTagNotFound(tag: startTag), snippet: ByteText.preview(text),
            advice: "Put the code in a markdown code block that starts with '\(startTag)' and ends with '```'.")
    }

    /// The code of `blocks` (only the first with `firstOnly`); `nil` when there are none.
    private func contents(
        of blocks: [FencedBlock], _ bytes: [UInt8], _ firstOnly: Bool
    ) throws(ParseError) -> [String]? {
        var result: [String] = []
        for block in blocks {
            // Only the last block can be unclosed.
            guard let range = CodeBlocks.contentRange(of: block, in: bytes) else {
                if result.isEmpty { throw endTagNotFound }
                break
            }
            result.append(ByteText.stripped(bytes, range))
            if firstOnly { break }
        }
        return result.isEmpty ? nil : result
    }

    private var endTagNotFound: ParseError {
        ParseError(
            .endTagNotFound(tag: "```"),
            advice: "The code block that starts with '\(startTag)' is not closed: the reply may have been cut off "
                + "(raise maxTokens), or it must end with '```'.")
    }
}
