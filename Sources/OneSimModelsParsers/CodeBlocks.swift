import OneSimModelsCore

/// Locates the code of fenced blocks, shared by `CodeBlockParser` and `LanguageCodeParser`.
enum CodeBlocks {
    static let fence: [UInt8] = Array("```".utf8)

    /// The content range of `block`: up to its closing fence line, or, for a block whose closing
    /// fence is not on a line of its own (`print(1)```), up to the next ```` ``` ````. `nil` when
    /// the block is never closed.
    static func contentRange(of block: FencedBlock, in bytes: [UInt8]) -> Range<Int>? {
        if block.isClosed { return block.content }
        guard let end = ByteText.find(fence, in: bytes, from: block.content.lowerBound) else { return nil }
        return block.content.lowerBound..<end
    }

    /// For replies without fence lines (`Here: ```python print(1)``` `): the first ```` ```<language> ````
    /// not followed by more of a word, up to the next ```` ``` ````. Returns `nil` when the tag is
    /// absent, and an empty range at the end of the text when the tag has no end.
    static func inlineBlock(language: String, in bytes: [UInt8]) -> Range<Int>?? {
        let tag = Array(("```" + language).utf8)
        var from = 0
        while let s = ByteText.find(tag, in: bytes, from: from, caseInsensitive: true) {
            let cs = s + tag.count
            if cs < bytes.count, ByteText.isAlphanumeric(bytes[cs]) || bytes[cs] == UInt8(ascii: "_") {
                from = s + 1
                continue
            }
            guard let e = ByteText.find(fence, in: bytes, from: cs) else { return .some(nil) }
            return .some(cs..<e)
        }
        return nil
    }
}
