import OneSimModelsCore

/// Finds JSON objects and arrays written straight into prose (no fence), in one pass.
///
/// The scan pairs `{`/`[` with their closers, skipping brackets inside double-quoted strings
/// (with `\` escapes), and reports the *maximal* balanced spans: those not nested in another
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
    }

    /// The candidates, longest first (ties: earliest first).
    static func candidates(in bytes: [UInt8]) -> [Span] {
        // Frames of open brackets; each remembers its id so closed spans can name their parent.
        var stack: [(open: Int, closer: UInt8, id: Int)] = []
        var closed: [(range: Range<Int>, parent: Int)] = []  // parent -1: top level
        var nextID = 0
        var inString = false
        var escaped = false
        for i in 0..<bytes.count {
            let b = bytes[i]
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
        var spans = closed.filter { openIDs.contains($0.parent) }.map { Span(range: $0.range, isClosed: true) }
        if let outer = stack.first {
            spans.append(Span(range: outer.open..<bytes.count, isClosed: false))
        }
        spans.sort { a, b in
            a.range.count != b.range.count ? a.range.count > b.range.count : a.range.lowerBound < b.range.lowerBound
        }
        return spans
    }
}
