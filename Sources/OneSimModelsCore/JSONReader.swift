/// A single-pass reader over UTF-8 bytes.
package struct JSONReader {
    package let buffer: UnsafeRawBufferPointer
    package var position: Int
    /// Whether a number a `Double` cannot hold is an error (see `JSONCodec.parse(_:exactNumbers:)`).
    package var exactNumbers = false

    /// A reader of `buffer` starting at byte `position`.
    package init(buffer: UnsafeRawBufferPointer, position: Int) {
        self.buffer = buffer
        self.position = position
    }

    package func error(_ message: String, at offset: Int? = nil) -> JSONSyntaxError {
        let offset = min(offset ?? position, buffer.count)
        var line = 1
        var lineStart = 0
        var i = 0
        while i < offset {
            if buffer[i] == 0x0A { line += 1; lineStart = i + 1 }
            i += 1
        }
        return JSONSyntaxError(message: message, offset: offset, line: line, column: offset - lineStart + 1)
    }

    @inline(__always)
    package mutating func skipWhitespace() {
        while position < buffer.count {
            switch buffer[position] {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    package func describe(_ byte: UInt8) -> String {
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16))"
    }

    package mutating func readValue(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        guard position < buffer.count else { throw error("unexpected end of input, expected a value") }
        let byte = buffer[position]
        switch byte {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            // `depth` containers are open around this one: at most `maximumDepth` in all, exactly.
            guard depth < JSONCodec.maximumDepth else { throw error("nesting deeper than \(JSONCodec.maximumDepth) levels") }
            return byte == UInt8(ascii: "{") ? try readObject(depth: depth + 1) : try readArray(depth: depth + 1)
        case UInt8(ascii: "\""): return .string(try readString())
        case UInt8(ascii: "t"): try expectLiteral("true"); return .bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return .bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try readNumber()
        default: throw error("unexpected \(describe(byte)), expected a value")
        }
    }

    private mutating func expectLiteral(_ literal: StaticString) throws(JSONSyntaxError) {
        let count = literal.utf8CodeUnitCount
        let start = position
        guard start + count <= buffer.count else { throw error("unexpected end of input in literal") }
        let p = literal.utf8Start
        for i in 0..<count where buffer[start + i] != p[i] {
            throw error("invalid literal, expected '\(literal)'", at: start)
        }
        position += count
    }

    private mutating func readObject(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        position += 1  // {
        var members: [String: JSONValue] = [:]
        skipWhitespace()
        if position < buffer.count && buffer[position] == UInt8(ascii: "}") {
            position += 1
            return .object(members)
        }
        while true {
            skipWhitespace()
            guard position < buffer.count else { throw error("unexpected end of input in object") }
            guard buffer[position] == UInt8(ascii: "\"") else {
                throw error("unexpected \(describe(buffer[position])), expected a quoted member name")
            }
            let key = try readString()
            skipWhitespace()
            guard position < buffer.count else { throw error("unexpected end of input, expected ':'") }
            guard buffer[position] == UInt8(ascii: ":") else {
                throw error("unexpected \(describe(buffer[position])), expected ':' after member name")
            }
            position += 1
            skipWhitespace()
            members[key] = try readValue(depth: depth)
            skipWhitespace()
            guard position < buffer.count else { throw error("unexpected end of input, expected ',' or '}'") }
            let next = buffer[position]
            position += 1
            if next == UInt8(ascii: ",") { continue }
            if next == UInt8(ascii: "}") { return .object(members) }
            throw error("unexpected \(describe(next)), expected ',' or '}' after object member", at: position - 1)
        }
    }

    private mutating func readArray(depth: Int) throws(JSONSyntaxError) -> JSONValue {
        position += 1  // [
        var elements: [JSONValue] = []
        skipWhitespace()
        if position < buffer.count && buffer[position] == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try readValue(depth: depth))
            skipWhitespace()
            guard position < buffer.count else { throw error("unexpected end of input, expected ',' or ']'") }
            let next = buffer[position]
            position += 1
            if next == UInt8(ascii: ",") { continue }
            if next == UInt8(ascii: "]") { return .array(elements) }
            throw error("unexpected \(describe(next)), expected ',' or ']' after array element", at: position - 1)
        }
    }

    private mutating func readNumber() throws(JSONSyntaxError) -> JSONValue {
        let start = position
        var isInteger = true
        if buffer[position] == UInt8(ascii: "-") { position += 1 }
        let digitsStart = position
        while position < buffer.count, buffer[position] >= 0x30, buffer[position] <= 0x39 { position += 1 }
        if position == digitsStart { throw error("invalid number", at: start) }
        if buffer[digitsStart] == 0x30 && position - digitsStart > 1 { throw error("leading zero in number", at: start) }
        if position < buffer.count, buffer[position] == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            let fracStart = position
            while position < buffer.count, buffer[position] >= 0x30, buffer[position] <= 0x39 { position += 1 }
            if position == fracStart { throw error("expected digits after '.'", at: position) }
        }
        if position < buffer.count, buffer[position] == UInt8(ascii: "e") || buffer[position] == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if position < buffer.count, buffer[position] == UInt8(ascii: "+") || buffer[position] == UInt8(ascii: "-") {
                position += 1
            }
            let expStart = position
            while position < buffer.count, buffer[position] >= 0x30, buffer[position] <= 0x39 { position += 1 }
            if position == expStart { throw error("expected digits in exponent", at: position) }
        }
        let slice = UnsafeRawBufferPointer(rebasing: buffer[start..<position])
        if isInteger, position - start <= 18 {
            var value = 0
            var negative = false
            for b in slice {
                if b == UInt8(ascii: "-") { negative = true } else { value = value * 10 + Int(b - 0x30) }
            }
            return .int(negative ? -value : value)
        }
        let text = String(decoding: slice, as: UTF8.self)
        if isInteger, let i = Int(text) { return .int(i) }
        guard let d = Double(text) else { throw error("invalid number", at: start) }
        guard exactNumbers else { return .double(d) }
        // Never a silently different value: no infinity for 1e400, no 0 for 1e-400.
        guard d.isFinite else { throw error("number \(text) is too large for a Double", at: start) }
        if d == 0, slice.prefix(while: { $0 != UInt8(ascii: "e") && $0 != UInt8(ascii: "E") }).contains(where: { $0 > 0x30 && $0 <= 0x39 }) {
            throw error("number \(text) is too small for a Double (it would read as 0)", at: start)
        }
        return .double(d)
    }

    package mutating func readString() throws(JSONSyntaxError) -> String {
        let start = position
        position += 1  // opening quote
        let contentStart = position
        // Fast path: no escapes.
        while position < buffer.count {
            let b = buffer[position]
            if b == UInt8(ascii: "\"") {
                let s = String(decoding: UnsafeRawBufferPointer(rebasing: buffer[contentStart..<position]), as: UTF8.self)
                position += 1
                return s
            }
            if b == UInt8(ascii: "\\") { break }
            if b < 0x20 { throw error("unescaped control character in string") }
            position += 1
        }
        guard position < buffer.count else { throw error("unterminated string", at: start) }
        var bytes = [UInt8](UnsafeRawBufferPointer(rebasing: buffer[contentStart..<position]))
        while position < buffer.count {
            let b = buffer[position]
            if b == UInt8(ascii: "\"") {
                position += 1
                return String(decoding: bytes, as: UTF8.self)
            }
            if b < 0x20 { throw error("unescaped control character in string") }
            if b != UInt8(ascii: "\\") {
                bytes.append(b)
                position += 1
                continue
            }
            position += 1
            guard position < buffer.count else { break }
            let e = buffer[position]
            position += 1
            switch e {
            case UInt8(ascii: "\""): bytes.append(0x22)
            case UInt8(ascii: "\\"): bytes.append(0x5C)
            case UInt8(ascii: "/"): bytes.append(0x2F)
            case UInt8(ascii: "b"): bytes.append(0x08)
            case UInt8(ascii: "f"): bytes.append(0x0C)
            case UInt8(ascii: "n"): bytes.append(0x0A)
            case UInt8(ascii: "r"): bytes.append(0x0D)
            case UInt8(ascii: "t"): bytes.append(0x09)
            case UInt8(ascii: "u"):
                var scalar = try readHex4()
                if (0xD800..<0xDC00).contains(scalar) {
                    // High surrogate: a low surrogate must follow.
                    if position + 1 < buffer.count, buffer[position] == UInt8(ascii: "\\"), buffer[position + 1] == UInt8(ascii: "u") {
                        position += 2
                        let low = try readHex4()
                        if (0xDC00..<0xE000).contains(low) {
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        } else {
                            scalar = 0xFFFD
                        }
                    } else {
                        scalar = 0xFFFD
                    }
                } else if (0xDC00..<0xE000).contains(scalar) {
                    scalar = 0xFFFD
                }
                let us = Unicode.Scalar(scalar) ?? "\u{FFFD}"
                bytes.append(contentsOf: String(Character(us)).utf8)
            default:
                throw error("invalid escape '\\\(Character(Unicode.Scalar(e)))' in string", at: position - 2)
            }
        }
        throw error("unterminated string", at: start)
    }

    private mutating func readHex4() throws(JSONSyntaxError) -> UInt32 {
        guard position + 4 <= buffer.count else { throw error("unexpected end of input in \\u escape") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let b = buffer[position]
            let digit: UInt32
            switch b {
            case 0x30...0x39: digit = UInt32(b - 0x30)
            case 0x41...0x46: digit = UInt32(b - 0x41 + 10)
            case 0x61...0x66: digit = UInt32(b - 0x61 + 10)
            default: throw error("invalid hex digit in \\u escape")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }
}
