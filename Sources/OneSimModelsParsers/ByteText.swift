import Foundation
import OneSimModelsCore

/// Byte-level text helpers shared by the parsers. Positions are UTF-8 offsets into the reply.
///
/// Every helper is linear in the bytes it looks at; searching UTF-8 bytes for a UTF-8 needle
/// can only match at scalar boundaries, so slicing at the results is always safe.
enum ByteText {
    /// ASCII whitespace: space, tab, line feed, carriage return, form feed, vertical tab.
    @inline(__always)
    static func isSpace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 || b == 0x0C || b == 0x0B
    }

    /// ASCII letters and digits.
    @inline(__always)
    static func isAlphanumeric(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A)
    }

    @inline(__always)
    static func lower(_ b: UInt8) -> UInt8 { (b >= 0x41 && b <= 0x5A) ? b + 0x20 : b }

    /// The first offset `>= from` where `needle` occurs, or `nil`. With `caseInsensitive`,
    /// ASCII letters match either case.
    static func find(_ needle: [UInt8], in hay: [UInt8], from: Int, caseInsensitive: Bool = false) -> Int? {
        let m = needle.count
        let n = hay.count
        guard m > 0, from >= 0, from + m <= n else { return m == 0 && from <= n ? from : nil }
        let first = caseInsensitive ? lower(needle[0]) : needle[0]
        var i = from
        let last = n - m
        while i <= last {
            let b = caseInsensitive ? lower(hay[i]) : hay[i]
            if b == first {
                var j = 1
                while j < m {
                    let x = hay[i + j]
                    let y = needle[j]
                    if caseInsensitive ? lower(x) != lower(y) : x != y { break }
                    j += 1
                }
                if j == m { return i }
            }
            i += 1
        }
        return nil
    }

    /// Whether `hay` has `needle` at offset `at`.
    static func hasPrefix(_ needle: [UInt8], in hay: [UInt8], at: Int) -> Bool {
        guard at >= 0, at + needle.count <= hay.count else { return false }
        for j in 0..<needle.count where hay[at + j] != needle[j] { return false }
        return true
    }

    /// The first offset `>= from` that is not ASCII whitespace.
    static func skipSpace(_ bytes: [UInt8], from: Int) -> Int {
        var i = from
        while i < bytes.count, isSpace(bytes[i]) { i += 1 }
        return i
    }

    /// The offset of the next line feed at or after `from`, or `bytes.count`.
    static func lineEnd(_ bytes: [UInt8], from: Int) -> Int {
        var i = from
        while i < bytes.count, bytes[i] != 0x0A { i += 1 }
        return i
    }

    /// The first line at or after `from` whose text, without surrounding whitespace, is exactly
    /// `needle`; returns the offset of `needle` in it. Lines are split on `\n` (so `\r\n` works).
    static func findLine(equalTo needle: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
        var lineStart = from
        // Start at the next line boundary unless `from` is itself at a line start.
        if from > 0 && from <= bytes.count && bytes[from - 1] != 0x0A {
            lineStart = lineEnd(bytes, from: from) + 1
        }
        while lineStart < bytes.count {
            let end = lineEnd(bytes, from: lineStart)
            var a = lineStart
            while a < end, bytes[a] == 0x20 || bytes[a] == 0x09 { a += 1 }
            var z = end
            while z > a, isSpace(bytes[z - 1]) { z -= 1 }
            if z - a == needle.count && hasPrefix(needle, in: bytes, at: a) { return a }
            lineStart = end + 1
        }
        return nil
    }

    /// The text of `range`, decoded as UTF-8 (invalid bytes become U+FFFD).
    static func string(_ bytes: [UInt8], _ range: Range<Int>) -> String {
        String(decoding: bytes[range], as: UTF8.self)
    }

    /// The text of `range` without leading and trailing whitespace and newlines, as Python's `strip()`.
    static func stripped(_ bytes: [UInt8], _ range: Range<Int>) -> String {
        string(bytes, range).trimmingCharacters(in: .whitespacesAndNewlines)
    }

    /// Whether the bytes hold nothing but whitespace (including Unicode spaces).
    static func isBlank(_ text: String) -> Bool {
        text.unicodeScalars.allSatisfy { $0.properties.isWhitespace }
    }

    /// One-based line and one-based byte column of `offset`.
    static func lineAndColumn(_ bytes: [UInt8], offset: Int) -> (line: Int, column: Int) {
        let offset = min(max(offset, 0), bytes.count)
        var line = 1
        var lineStart = 0
        for i in 0..<offset where bytes[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        return (line, offset - lineStart + 1)
    }

    /// The line around `offset` (at most `radius` bytes each side, cut at character boundaries
    /// and marked with `…`), tabs and control characters shown as spaces, and a second line
    /// with a `^` under the character at `offset`.
    static func caretSnippet(_ bytes: [UInt8], offset: Int, radius: Int = 40) -> String {
        let offset = min(max(offset, 0), bytes.count)
        var start = offset
        while start > 0, bytes[start - 1] != 0x0A, offset - start < radius { start -= 1 }
        while start < offset, isContinuation(bytes[start]) { start += 1 }
        var end = offset
        while end < bytes.count, bytes[end] != 0x0A, bytes[end] != 0x0D, end - offset < radius { end += 1 }
        while end < bytes.count, end > offset, isContinuation(bytes[end]) { end -= 1 }
        let cutLeft = start > 0 && bytes[start - 1] != 0x0A
        let cutRight = end < bytes.count && bytes[end] != 0x0A && bytes[end] != 0x0D
        let before = printable(string(bytes, start..<offset))
        let after = printable(string(bytes, offset..<end))
        let prefix = cutLeft ? "…" : ""
        let line = "    " + prefix + before + after + (cutRight ? "…" : "")
        let caret = "    " + String(repeating: " ", count: prefix.count + before.count) + "^"
        return line + "\n" + caret
    }

    /// The first `limit` characters of `text` on one line, for "the response begins: ..." context.
    static func preview(_ text: String, limit: Int = 60) -> String {
        let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
        let head = String(trimmed.prefix(limit))
        return printable(head) + (trimmed.count > limit ? "…" : "")
    }

    private static func isContinuation(_ b: UInt8) -> Bool { b & 0xC0 == 0x80 }

    private static func printable(_ s: String) -> String {
        String(String.UnicodeScalarView(s.unicodeScalars.map { $0.value < 0x20 || $0.value == 0x7F ? " " : $0 }))
    }
}
