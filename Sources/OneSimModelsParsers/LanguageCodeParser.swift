import OneSimModelsCore

/// Reads the code blocks of several languages at once: `{"python": [...], "sql": [...]}`.
///
/// The result is a JSON object from each language (spelled as given) to the list of its
/// blocks' code, in order, for the languages present only. A block's language is the first
/// word of its info string, compared in any case. No block of any of the languages is an
/// error. Reasoning blocks (`<think>…</think>`, see `reasoningTags`) are skipped first.
///
/// ```swift
/// let parser = LanguageCodeParser(languages: ["python", "sql"])
/// let blocks = try parser.parse("```sql\nSELECT 1\n```")
/// // blocks == ["sql": ["SELECT 1"]]
/// ```
public struct LanguageCodeParser: ResponseParser {
    /// The languages to read, spelled as the result's keys; matched against each block's
    /// info string in any case.
    public var languages: [String]
    /// What the format instruction shows inside each block (default `{your_code_here}`).
    public var contentHint: String
    /// Names of the reasoning tags whose blocks are skipped before anything is read, so a
    /// draft inside `<think>…</think>` is never taken for the answer (default `think`,
    /// `thinking`, `reasoning`; `[]` turns skipping off). A block opens at the start of a line;
    /// an unclosed one runs to the end, and a reply that is only reasoning is an error. A tag
    /// that is also this parser's own tag is not skipped.
    public var reasoningTags: [String]

    /// A parser for blocks of `languages`.
    public init(
        languages: [String], contentHint: String = "{your_code_here}",
        reasoningTags: [String] = ["think", "thinking", "reasoning"]
    ) {
        self.languages = languages
        self.contentHint = contentHint
        self.reasoningTags = reasoningTags
    }

    /// The original's instruction: a lead-in line, then one block per language.
    public var formatInstruction: String {
        (["Respond with code in markdown code blocks for the following languages:"]
            + languages.map { "```\($0)\n\(contentHint)\n```" }).joined(separator: "\n")
    }

    /// The blocks of each language found, as a JSON object of string arrays.
    public func parse(_ text: String) throws(ParseError) -> JSONValue {
        if ByteText.isBlank(text) { throw ParseError.empty }
        let expected = languages.map { "```" + $0 }.joined(separator: "' or '")
        let bytes = try ReasoningBlocks.answer(text, tags: reasoningTags, parserTags: [], expected: expected)
        var byLanguage: [String: String] = [:]
        for language in languages where byLanguage[language.lowercased()] == nil {
            byLanguage[language.lowercased()] = language
        }
        var result: [String: [JSONValue]] = [:]
        for block in FenceScanner.blocks(in: bytes) {
            guard let name = byLanguage[block.language], let range = CodeBlocks.contentRange(of: block, in: bytes)
            else { continue }
            result[name, default: []].append(.string(ByteText.stripped(bytes, range)))
        }
        guard !result.isEmpty else {
            let tags = languages.map { "```" + $0 }.joined(separator: "' or '")
            throw ParseError(
                .startTagNotFound(tag: tags), snippet: ByteText.preview(text),
                advice:
                    "Put the code in markdown code blocks labelled with one of: \(languages.joined(separator: ", ")).")
        }
        return .object(result.mapValues { .array($0) })
    }
}
