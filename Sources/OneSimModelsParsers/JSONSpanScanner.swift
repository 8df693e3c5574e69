import OneSimModelsCore

/// Finds JSON objects and arrays written straight into prose (no fence), in one pass.
///
/// The scan pairs `{`/`[` with their closers, skipping brackets inside double-quoted strings
/// (with `\` escapes) and inside `//` and `/* */` comments (inside a bracket only: prose may
/// hold `http://`), and reports the *maximal* balanced spans: those not nested in another
/// balanced span. When an opening bracket is never closed (a stray `{` in prose, or a reply
/// cut off mid-JSON), the balanced spans inside it are still reported, and so is the open
/// tail from the outermost unclosed bracket to the end, for the truncation repair. Each byte
/// is looked at once, so the scan is linear even for `{{{{...`.
enum JSONSpanScanner {
    /// A candidate JSON text.
    struct Span: Hashable, Sendable {
        /// The bytes of the candidate.
        var range: Range<Int>
        /// Whether the brackets balance (`false` for the open tail of a truncated reply).
        var isClosed: Bool
        /// Whether this balanced span lies inside the open tail (it may be a part of the
        /// truncated JSON rather than a value of its own).
        var inOpenTail: Bool = false
    }

    /// The candidates, in the order they start.
    static func candidates(in bytes: [UInt8]) -> [Span] {
        // Frames of open brackets; each remembers its id so closed spans can name their parent.
        var stack: [(open: Int, closer: UInt8, id: Int)] = []
        var closed: [(range: Range<Int>, parent: Int)] = []  // parent -1: top level
        var nextID = 0
        var inString = false
        var escaped = false
        var lineComment = false
        var blockComment = false
        var blockCommentBody = 0  // where the open comment's text starts, after `/*`
        for i in 0..<bytes.count {
            let b = bytes[i]
            if lineComment {
                if b == 0x0A { lineComment = false }
                continue
            }
            if blockComment {
                if b == UInt8(ascii: "/") && i > blockCommentBody && bytes[i - 1] == UInt8(ascii: "*") {
                    blockComment = false
                }
                continue
            }
            if stack.isEmpty {
                if b == UInt8(ascii: "{") || b == UInt8(ascii: "[") {
                    stack.append((i, b == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]"), nextID))
                    nextID += 1
                }
                continue
            }
            if inString {
                if escaped {
                    escaped = false
                } else if b == UInt8(ascii: "\\") {
                    escaped = true
                } else if b == UInt8(ascii: "\"") {
                    inString = false
                }
                continue
            }
            switch b {
            case UInt8(ascii: "\""):
                inString = true
            case UInt8(ascii: "/") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "/"):
                lineComment = true
            case UInt8(ascii: "/") where i + 1 < bytes.count && bytes[i + 1] == UInt8(ascii: "*"):
                blockComment = true
                blockCommentBody = i + 2  // so that `/*/` does not close itself
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                stack.append((i, b == UInt8(ascii: "{") ? UInt8(ascii: "}") : UInt8(ascii: "]"), nextID))
                nextID += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                if let top = stack.last, top.closer == b {
                    stack.removeLast()
                    closed.append((top.open..<(i + 1), stack.last?.id ?? -1))
                    if stack.isEmpty { inString = false }
                }
            // A closer that does not match is left to the JSON parser and the repairs.
            default:
                break
            }
        }
        var openIDs = Set(stack.map(\.id))
        openIDs.insert(-1)
        var spans = closed.filter { openIDs.contains($0.parent) }.map {
            Span(range: $0.range, isClosed: true, inOpenTail: $0.parent != -1)
        }
        if let outer = stack.first {
            spans.append(Span(range: outer.open..<bytes.count, isClosed: false))
        }
        spans.sort { a, b in
            a.range.lowerBound != b.range.lowerBound
                ? a.range.lowerBound < b.range.lowerBound : a.isClosed && !b.isClosed
        }
        return spans
    }

    /// The first line at or after `from` whose text, without surrounding whitespace, is exactly
    /// `needle` and that does not begin inside a double-quoted string or a `/* */` comment of the
    /// JSON-like text that starts at `from` (a string with raw newlines may hold such a line);
    /// returns the offset of `needle` in it. Linear.
    static func lineOutsideStrings(equalTo needle: [UInt8], in bytes: [UInt8], from: Int) -> Int? {
        let n = bytes.count
        var i = min(max(0, from), n)
        var atLineStart = i == 0 || (i <= n && bytes[i - 1] == 0x0A)
        var inString = false
        var lineComment = false
        var blockComment = false
        while i < n {
            if atLineStart && !inString && !blockComment {
                let end = ByteText.lineEnd(bytes, from: i)
                var a = i
                while a < end, bytes[a] == 0x20 || bytes[a] == 0x09 { a += 1 }
                var z = end
                while z > a, ByteText.isSpace(bytes[z - 1]) { z -= 1 }
                if z - a == needle.count && ByteText.hasPrefix(needle, in: bytes, at: a) { return a }
            }
            let b = bytes[i]
            atLineStart = b == 0x0A
            if inString {
                if b == UInt8(ascii: "\\") {
                    i += 2
                    continue
                }
                if b == UInt8(ascii: "\"") { inString = false }
            } else if lineComment {
                if b == 0x0A { lineComment = false }
            } else if blockComment {
                if b == UInt8(ascii: "*") && i + 1 < n && bytes[i + 1] == UInt8(ascii: "/") {
                    blockComment = false
                    i += 2
                    continue
                }
            } else if b == UInt8(ascii: "\"") {
                inString = true
            } else if b == UInt8(ascii: "/") && i + 1 < n && bytes[i + 1] == UInt8(ascii: "/") {
                lineComment = true
            } else if b == UInt8(ascii: "/") && i + 1 < n && bytes[i + 1] == UInt8(ascii: "*") {
                blockComment = true
                i += 2
                continue
            }
            i += 1
        }
        return nil
    }
}
