import OneSimModelsCore

/// Rewrites almost-JSON into JSON, in one pass: the repairs behind the lenient JSON parsers.
///
/// It reads the text as a stream of JSON-like tokens and writes strict JSON:
/// - `//` line comments and `/* */` block comments are dropped;
/// - trailing commas (`[1, 2,]`, `{"a": 1,}`) and repeated commas are dropped;
/// - a missing comma between two array elements or object members is added;
/// - single-quoted (`'...'`) and smart-quoted (`“...”`, `‘...’`) strings become double-quoted;
/// - Python `True`/`False`/`None` (and `undefined`) become `true`/`false`/`null`;
/// - bare keys followed by a colon (`{name: "x"}`) are quoted;
/// - raw newlines, tabs and other control characters inside strings are escaped, and an invalid
///   escape such as `\d` or a Windows path's `\U` keeps its backslash as text;
/// - a truncated text is closed: an open string value (inside an object or array), a complete
///   key without a value (`null` is supplied), and every open bracket and brace, innermost
///   first; a key cut off mid-word (`{"a": 1, "bo`) is a fragment and is dropped, never
///   completed into a member;
/// - anything after the first complete object or array is ignored (after a lone scalar it is
///   an error).
///
/// Valid JSON comes out with exactly the same value (strings keep their bytes and escapes,
/// numbers their digits), so repairing can never change a value that was already right; the
/// parsers still try a strict parse first. Text that is not JSON-like (prose, unquoted values,
/// `NaN`) is not guessed at: `repair` returns `nil`.
enum JSONRepair {
    /// The repaired JSON text, or `nil` when the input cannot be repaired.
    static func repair(_ input: some Collection<UInt8>) -> [UInt8]? {
        if let result = input.withContiguousStorageIfAvailable({ buf in
            var r = Repairer(input: UnsafeRawBufferPointer(buf))
            return r.run()
        }) {
            return result
        }
        return Array(input).withUnsafeBytes { raw in
            var r = Repairer(input: raw)
            return r.run()
        }
    }
}

private struct Repairer {
    enum Frame {
        case object(ObjectState)
        case array(ArrayState)
    }

    enum ObjectState {
        /// Just after `{`: a key or `}`.
        case keyOrEnd
        /// After a comma: a key (or `}` for a trailing comma).
        case key
        /// After a key: `:`.
        case colon
        /// After `:`: a value.
        case value
        /// After a member: `,` or `}`.
        case commaOrEnd
    }

    enum ArrayState {
        /// Just after `[` or a comma: a value or `]`.
        case value
        /// After an element: `,` or `]`.
        case commaOrEnd
    }

    let input: UnsafeRawBufferPointer
    var i = 0
    var out: [UInt8] = []
    var stack: [Frame] = []
    var pendingComma = false
    var done = false

    init(input: UnsafeRawBufferPointer) {
        self.input = input
        out.reserveCapacity(input.count + 16)
    }

    mutating func run() -> [UInt8]? {
        let n = input.count
        var topLevelScalar = false
        while !done {
            skipTrivia()
            guard i < n else { break }
            topLevelScalar = stack.isEmpty
            let c = input[i]
            switch c {
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                guard stack.count < JSONCodec.maximumDepth, beginValue() else { return nil }
                out.append(c)
                stack.append(c == UInt8(ascii: "{") ? .object(.keyOrEnd) : .array(.value))
                i += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                guard close(c) else { return nil }
                i += 1
            case UInt8(ascii: ","):
                guard comma() else { return nil }
                i += 1
            case UInt8(ascii: ":"):
                guard case .object(.colon) = stack.last else { return nil }
                out.append(c)
                stack[stack.count - 1] = .object(.value)
                i += 1
            case UInt8(ascii: "\""), UInt8(ascii: "'"):
                guard string(open: 1, closers: [[c]]) else { return nil }
            default:
                if let isDouble = smartQuoteIsDouble(at: i) {
                    let closers: [[UInt8]] = isDouble ? [Self.ldquo, Self.rdquo] : [Self.lsquo, Self.rsquo]
                    guard string(open: 3, closers: closers) else { return nil }
                } else if Self.isWordByte(c) {
                    guard word() else { return nil }
                } else {
                    return nil
                }
            }
        }
        if !done {
            guard !stack.isEmpty else { return nil }  // nothing JSON-like at all
            closeAll()
        } else if topLevelScalar {
            // Text may follow an object or array (a note after the JSON), but a lone scalar
            // followed by more text is a misreading, not a reply.
            skipTrivia()
            if i < n { return nil }
        }
        return out
    }

    // MARK: Structure

    /// Prepares for a value (not a key): adds a missing `,` in an array, emits a pending comma.
    /// Returns `false` where no value can go.
    mutating func beginValue() -> Bool {
        guard let top = stack.last else { return !done }
        switch top {
        case .object(.value): break
        case .object: return false  // a value where a key or a colon belongs
        case .array(.value):
            if pendingComma { out.append(UInt8(ascii: ",")) }
        case .array(.commaOrEnd): out.append(UInt8(ascii: ","))  // [1 2]
        }
        pendingComma = false
        return true
    }

    /// Prepares for an object key; returns `false` when the current place takes no key.
    mutating func beginKey() -> Bool {
        guard case .object(let state) = stack.last else { return false }
        switch state {
        case .keyOrEnd: break
        case .key: if pendingComma { out.append(UInt8(ascii: ",")) }
        case .commaOrEnd: out.append(UInt8(ascii: ","))  // {"a": 1 "b": 2}
        case .colon, .value: return false
        }
        pendingComma = false
        stack[stack.count - 1] = .object(.colon)
        return true
    }

    /// Whether the next string or word is an object key.
    var expectsKey: Bool {
        if case .object(let state) = stack.last {
            return state == .keyOrEnd || state == .key || state == .commaOrEnd
        }
        return false
    }

    /// Marks the current value as finished.
    mutating func endValue() {
        guard let top = stack.last else {
            done = true
            return
        }
        switch top {
        case .object: stack[stack.count - 1] = .object(.commaOrEnd)
        case .array: stack[stack.count - 1] = .array(.commaOrEnd)
        }
    }

    /// Handles a comma; returns `false` for a comma where a member's value is missing (`{"a": ,`).
    mutating func comma() -> Bool {
        guard let top = stack.last else { return false }
        switch top {
        case .object(.commaOrEnd):
            stack[stack.count - 1] = .object(.key)
            pendingComma = true
        case .array(.commaOrEnd):
            stack[stack.count - 1] = .array(.value)
            pendingComma = true
        case .object(.colon), .object(.value):
            return false
        default:
            break  // a repeated or leading comma: dropped
        }
        return true
    }

    /// Closes the innermost container; a closer that does not match closes the inner containers
    /// up to the one it matches (`[{"a": 1]`). A member without a value (`{"a": }`) is an error:
    /// only a truncated text gets `null` supplied.
    mutating func close(_ closer: UInt8) -> Bool {
        let wantsObject = closer == UInt8(ascii: "}")
        guard stack.contains(where: { if case .object = $0 { return wantsObject } else { return !wantsObject } })
        else { return false }
        if case .object(let state) = stack.last, state == .colon || state == .value { return false }
        while let top = stack.last {
            let isObject: Bool
            if case .object = top { isObject = true } else { isObject = false }
            closeTop()
            if isObject == wantsObject { break }
        }
        return true
    }

    /// Closes the innermost container (dropping a pending trailing comma, and supplying `null`
    /// for a key left without a value by a truncation).
    mutating func closeTop() {
        guard let top = stack.popLast() else { return }
        pendingComma = false
        switch top {
        case .object(let state):
            if state == .colon { out.append(contentsOf: Array(":null".utf8)) }
            if state == .value { out.append(contentsOf: Array("null".utf8)) }
            out.append(UInt8(ascii: "}"))
        case .array:
            out.append(UInt8(ascii: "]"))
        }
        endValue()
    }

    mutating func closeAll() {
        while !stack.isEmpty { closeTop() }
    }

    // MARK: Tokens

    /// Skips whitespace, a byte-order mark, `//` and `/* */` comments.
    mutating func skipTrivia() {
        let n = input.count
        while i < n {
            let c = input[i]
            if ByteText.isSpace(c) {
                i += 1
            } else if c == 0xEF, i + 2 < n, input[i + 1] == 0xBB, input[i + 2] == 0xBF {
                i += 3
            } else if c == 0xC2, i + 1 < n, input[i + 1] == 0xA0 {
                i += 2  // no-break space
            } else if c == UInt8(ascii: "/"), i + 1 < n, input[i + 1] == UInt8(ascii: "/") {
                while i < n, input[i] != 0x0A { i += 1 }
            } else if c == UInt8(ascii: "/"), i + 1 < n, input[i + 1] == UInt8(ascii: "*") {
                i += 2
                while i < n, !(input[i] == UInt8(ascii: "*") && i + 1 < n && input[i + 1] == UInt8(ascii: "/")) {
                    i += 1
                }
                i = min(i + 2, n)
            } else {
                return
            }
        }
    }

    static let ldquo: [UInt8] = [0xE2, 0x80, 0x9C]
    static let rdquo: [UInt8] = [0xE2, 0x80, 0x9D]
    static let lsquo: [UInt8] = [0xE2, 0x80, 0x98]
    static let rsquo: [UInt8] = [0xE2, 0x80, 0x99]

    /// For a smart quote (U+2018, U+2019, U+201C, U+201D) at `at`: whether it is a double one.
    func smartQuoteIsDouble(at: Int) -> Bool? {
        guard at + 2 < input.count, input[at] == 0xE2, input[at + 1] == 0x80 else { return nil }
        switch input[at + 2] {
        case 0x9C, 0x9D: return true
        case 0x98, 0x99: return false
        default: return nil
        }
    }

    func matches(_ seq: [UInt8], at: Int) -> Bool {
        guard at + seq.count <= input.count else { return false }
        for k in 0..<seq.count where input[at + k] != seq[k] { return false }
        return true
    }

    /// Copies a string that opens with a delimiter of `open` bytes and ends at any of `closers`
    /// (or at the end of the input), as a double-quoted JSON string.
    mutating func string(open: Int, closers: [[UInt8]]) -> Bool {
        let isKey = expectsKey
        let before = (out: out.count, frame: stack.last)
        if isKey {
            guard beginKey() else { return false }
        } else {
            guard beginValue() else { return false }
        }
        let n = input.count
        let quotedByDouble = closers.count == 1 && closers[0] == [UInt8(ascii: "\"")]
        i += open
        out.append(UInt8(ascii: "\""))
        var closed = false
        scan: while i < n {
            let c = input[i]
            for closer in closers where closer[0] == c && matches(closer, at: i) {
                i += closer.count
                closed = true
                break scan
            }
            if c == UInt8(ascii: "\\") {
                guard i + 1 < n else {
                    i += 1  // a dangling backslash at a truncation
                    break
                }
                let e = input[i + 1]
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                    UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    out.append(c)
                    out.append(e)
                    i += 2
                case UInt8(ascii: "'"):
                    out.append(e)
                    i += 2
                case UInt8(ascii: "u"):
                    var k = i + 2
                    while k < n, k < i + 6, Self.isHex(input[k]) { k += 1 }
                    if k == i + 6 {
                        for j in i..<k { out.append(input[j]) }
                        i = k
                    } else if k == n {
                        i = n  // an escape cut off by truncation
                    } else {
                        out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                        i += 1
                    }
                default:
                    out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])  // literal backslash
                    i += 1
                }
            } else if c == UInt8(ascii: "\"") && !quotedByDouble {
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
                i += 1
            } else if c < 0x20 {
                Self.appendControlEscape(c, to: &out)
                i += 1
            } else {
                out.append(c)
                i += 1
            }
        }
        // A key cut off by the end of the text is a fragment, not a member: it is dropped
        // (with the comma before it) rather than completed.
        if !closed && isKey, let frame = before.frame {
            out.removeSubrange(before.out...)
            stack[stack.count - 1] = frame
            pendingComma = false
            return true
        }
        out.append(UInt8(ascii: "\""))
        // A string cut off by the end of the text is closed only inside an object or array: a
        // lone unterminated string is more likely prose with a stray quote than a truncated reply.
        if !closed && stack.isEmpty { return false }
        if !isKey { endValue() }
        return true
    }

    static func appendControlEscape(_ c: UInt8, to out: inout [UInt8]) {
        switch c {
        case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
        case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
        case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
        default:
            let hex = Array("0123456789abcdef".utf8)
            out.append(contentsOf: Array("\\u00".utf8))
            out.append(hex[Int(c >> 4)])
            out.append(hex[Int(c & 0xF)])
        }
    }

    static func isHex(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x46) || (b >= 0x61 && b <= 0x66)
    }

    static func isWordByte(_ b: UInt8) -> Bool {
        ByteText.isAlphanumeric(b) || b == UInt8(ascii: "_") || b == UInt8(ascii: "$") || b == UInt8(ascii: "-")
            || b == UInt8(ascii: "+") || b == UInt8(ascii: ".")
    }

    /// A bare word: a keyword, a number, or an unquoted key.
    mutating func word() -> Bool {
        let start = i
        while i < input.count, Self.isWordByte(input[i]) { i += 1 }
        let w = Array(input[start..<i])
        if expectsKey {
            // A bare key only when a colon follows: `{name: "x"}`, never prose such as `{ see }`.
            skipTrivia()
            guard i < input.count, input[i] == UInt8(ascii: ":"), beginKey() else { return false }
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: w)
            out.append(UInt8(ascii: "\""))
            return true
        }
        let replacement: [UInt8]
        switch String(decoding: w, as: UTF8.self) {
        case "true", "True", "TRUE": replacement = Array("true".utf8)
        case "false", "False", "FALSE": replacement = Array("false".utf8)
        case "null", "None", "NULL", "undefined": replacement = Array("null".utf8)
        default:
            guard Self.isJSONNumber(w) else { return false }
            replacement = w
        }
        guard beginValue() else { return false }
        out.append(contentsOf: replacement)
        endValue()
        return true
    }

    /// Whether `w` is a number in JSON's grammar.
    static func isJSONNumber(_ w: [UInt8]) -> Bool {
        var k = 0
        let n = w.count
        func digits() -> Int {
            let s = k
            while k < n, w[k] >= 0x30, w[k] <= 0x39 { k += 1 }
            return k - s
        }
        if k < n, w[k] == UInt8(ascii: "-") { k += 1 }
        let intStart = k
        let intDigits = digits()
        guard intDigits > 0 else { return false }
        if intDigits > 1 && w[intStart] == 0x30 { return false }
        if k < n, w[k] == UInt8(ascii: ".") {
            k += 1
            guard digits() > 0 else { return false }
        }
        if k < n, w[k] == UInt8(ascii: "e") || w[k] == UInt8(ascii: "E") {
            k += 1
            if k < n, w[k] == UInt8(ascii: "+") || w[k] == UInt8(ascii: "-") { k += 1 }
            guard digits() > 0 else { return false }
        }
        return k == n
    }
}
