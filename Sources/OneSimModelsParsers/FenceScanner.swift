import OneSimModelsCore

/// One markdown fenced code block found in a reply.
struct FencedBlock: Sendable, Hashable {
    /// Offset of the opening fence's first backtick or tilde.
    var fenceStart: Int
    /// The info string after the opening fence, trimmed (`"python title=x"`).
    var info: String
    /// The first word of the info string, lowercased (`"python"`); empty for a bare fence.
    var language: String
    /// The bytes between the opening line and the closing fence line (or the end of the text).
    var content: Range<Int>
    /// Whether a closing fence line was found.
    var isClosed: Bool
}

/// Finds markdown fenced code blocks line by line, in one pass (CommonMark rules, leniently).
///
/// An opening fence is a line made of optional indentation, at least three backticks (or
/// tildes) and an info string; the block ends at the first later line made only of at least
/// as many of the same character. A fence that is not alone on its line (```` ```inline``` ````),
/// or a backtick fence whose info string holds a backtick, is not a fence. Because a closing
/// fence must be a whole line, a fence inside a JSON string value (which cannot span lines)
/// never ends a block. `\r\n` line ends work.
enum FenceScanner {
    /// Every fenced block, in order. An unclosed block runs to the end of the text.
    static func blocks(in bytes: [UInt8]) -> [FencedBlock] {
        var result: [FencedBlock] = []
        let n = bytes.count
        var lineStart = 0
        var current: (start: Int, char: UInt8, count: Int, info: String, language: String, contentStart: Int)?
        while lineStart < n {
            let lineEnd = ByteText.lineEnd(bytes, from: lineStart)
            let next = min(lineEnd + 1, n)
            var i = lineStart
            while i < lineEnd, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 }
            let fenceStart = i
            let c: UInt8 = i < lineEnd ? bytes[i] : 0
            var count = 0
            if c == UInt8(ascii: "`") || c == UInt8(ascii: "~") {
                while i < lineEnd, bytes[i] == c {
                    i += 1
                    count += 1
                }
            }
            if let o = current {
                if c == o.char && count >= o.count && onlySpace(bytes, i, lineEnd) {
                    result.append(
                        FencedBlock(
                            fenceStart: o.start, info: o.info, language: o.language,
                            content: o.contentStart..<lineStart, isClosed: true))
                    current = nil
                }
            } else if count >= 3 {
                var z = lineEnd
                while z > i, ByteText.isSpace(bytes[z - 1]) { z -= 1 }
                var a = i
                while a < z, ByteText.isSpace(bytes[a]) { a += 1 }
                let infoBytes = bytes[a..<z]
                if !(c == UInt8(ascii: "`") && infoBytes.contains(UInt8(ascii: "`"))) {
                    let info = String(decoding: infoBytes, as: UTF8.self)
                    var w = a
                    while w < z, !ByteText.isSpace(bytes[w]) { w += 1 }
                    let language = String(decoding: bytes[a..<w], as: UTF8.self).lowercased()
                    current = (fenceStart, c, count, info, language, next)
                }
            }
            lineStart = lineEnd + 1
        }
        if let o = current {
            result.append(
                FencedBlock(
                    fenceStart: o.start, info: o.info, language: o.language,
                    content: min(o.contentStart, n)..<n, isClosed: false))
        }
        return result
    }

    private static func onlySpace(_ bytes: [UInt8], _ from: Int, _ to: Int) -> Bool {
        var i = from
        while i < to {
            if !ByteText.isSpace(bytes[i]) { return false }
            i += 1
        }
        return true
    }
}
