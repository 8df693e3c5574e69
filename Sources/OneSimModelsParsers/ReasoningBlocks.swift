import OneSimModelsCore

/// Finds the reasoning that reasoning models (Qwen3, DeepSeek-R1, Ollama thinking models...)
/// write before their answer, so that no parser ever reads a draft as the answer. Shared by
/// every parser.
///
/// The rules, for each tag name `n` of the parser's `reasoningTags` (ASCII letters in any case):
/// - a block opens with `<n>` at the start of a line (only spaces or tabs before it on its line)
///   and ends after the first `</n>` that follows; a block that is never closed (a reply cut off
///   while reasoning) runs to the end of the text;
/// - a `</n>` met before any opening tag, standing at the start or at the end of its line, ends
///   a block that began at the start of the reply (chat templates that write `<think>` into
///   the prompt, as DeepSeek-R1's does, so the reply starts inside the reasoning);
/// - a name whose `<n>` or `</n>` is one of the parser's own tags is not skipped
///   (`TagParser(tagStart: "<think>", ...)` reads the reasoning on purpose).
///
/// A block is blanked, not cut out: each of its bytes becomes a space except line feeds, so
/// offsets, lines and columns in errors still point into the reply. The work is linear in the
/// reply's size times the number of names.
enum ReasoningBlocks {
    /// The tag names skipped by default: `<think>`, `<thinking>` and `<reasoning>`.
    static let defaultTags = ["think", "thinking", "reasoning"]

    /// `bytes` with the reasoning blocks blanked, and whether there were any.
    static func blanked(_ bytes: [UInt8], tags: [String], parserTags: [String]) -> (bytes: [UInt8], found: Bool) {
        let own = Set(parserTags.map { $0.lowercased() })
        let names: [[UInt8]] = tags.compactMap { name in
            let lower = name.lowercased()
            guard !lower.isEmpty, !own.contains("<\(lower)>"), !own.contains("</\(lower)>") else { return nil }
            return Array(lower.utf8)
        }
        guard !names.isEmpty else { return (bytes, false) }
        var out = bytes
        var found = false
        var i = 0
        var sawTag = false
        let n = bytes.count
        while i < n {
            guard bytes[i] == UInt8(ascii: "<"), let (name, closing, end) = tag(at: i, in: bytes, names: names) else {
                i += 1
                continue
            }
            if closing {
                // Only a leading stray closing tag means anything: the reply began inside reasoning.
                if !sawTag && (atLineStart(bytes, i) || atLineEnd(bytes, end)) {
                    blank(&out, 0..<end)
                    found = true
                }
                sawTag = true
                i = end
                continue
            }
            sawTag = true
            guard atLineStart(bytes, i) else {
                i = end
                continue
            }
            let closer = [UInt8(ascii: "<"), UInt8(ascii: "/")] + name + [UInt8(ascii: ">")]
            let stop = ByteText.find(closer, in: bytes, from: end, caseInsensitive: true).map { $0 + closer.count } ?? n
            blank(&out, i..<stop)
            found = true
            i = stop
        }
        return (out, found)
    }

    /// The reply with its reasoning blanked; throws when nothing but reasoning is left (a reply
    /// cut off while reasoning has no answer, and the draft is not one).
    static func answer(
        _ text: String, tags: [String], parserTags: [String], expected tag: String
    ) throws(ParseError) -> [UInt8] {
        let (bytes, found) = blanked(Array(text.utf8), tags: tags, parserTags: parserTags)
        if found && bytes.allSatisfy(ByteText.isSpace) {
            throw ParseError(
                .startTagNotFound(tag: tag), snippet: ByteText.preview(text),
                advice: "The reply holds only reasoning and no answer after it: it may have been cut off while "
                    + "reasoning (raise maxTokens).")
        }
        return bytes
    }

    /// The reasoning tag at `i` (`<name>` or `</name>`, any case): its name, whether it closes,
    /// and the offset after it.
    private static func tag(at i: Int, in bytes: [UInt8], names: [[UInt8]]) -> ([UInt8], Bool, Int)? {
        var p = i + 1
        let closing = p < bytes.count && bytes[p] == UInt8(ascii: "/")
        if closing { p += 1 }
        for name in names where p + name.count < bytes.count && bytes[p + name.count] == UInt8(ascii: ">") {
            var j = 0
            while j < name.count, ByteText.lower(bytes[p + j]) == name[j] { j += 1 }
            if j == name.count { return (name, closing, p + name.count + 1) }
        }
        return nil
    }

    private static func atLineStart(_ bytes: [UInt8], _ i: Int) -> Bool {
        var k = i
        while k > 0, bytes[k - 1] == 0x20 || bytes[k - 1] == 0x09 { k -= 1 }
        return k == 0 || bytes[k - 1] == 0x0A
    }

    private static func atLineEnd(_ bytes: [UInt8], _ i: Int) -> Bool {
        var k = i
        while k < bytes.count, bytes[k] == 0x20 || bytes[k] == 0x09 || bytes[k] == 0x0D { k += 1 }
        return k == bytes.count || bytes[k] == 0x0A
    }

    private static func blank(_ out: inout [UInt8], _ range: Range<Int>) {
        for k in range where out[k] != 0x0A { out[k] = 0x20 }
    }
}
