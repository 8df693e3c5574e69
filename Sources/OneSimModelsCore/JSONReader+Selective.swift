/// Reading only the parts of a document that are needed: members and elements are visited in
/// order, and whatever the visitor does not read is skipped without building values.
extension JSONReader {
    /// The next non-whitespace byte, if any.
    @inline(__always)
    package mutating func peek() -> UInt8? {
        skipWhitespace()
        return position < buffer.count ? buffer[position] : nil
    }

    /// Visits each member of the object at the current position, with its name as the bytes in
    /// the document (no `String` is made). `visit` either reads the member's value and returns
    /// true, or returns false and the value is skipped.
    package mutating func readMembers(
        depth: Int, _ visit: (inout JSONReader, JSONKey) throws(JSONSyntaxError) -> Bool
    ) throws(JSONSyntaxError) {
        guard peek() == UInt8(ascii: "{") else { throw error("expected an object") }
        if depth > JSONCodec.maximumDepth { throw error("nesting deeper than \(JSONCodec.maximumDepth) levels") }
        position += 1
        if peek() == UInt8(ascii: "}") {
            position += 1
            return
        }
        while true {
            guard let quote = peek() else { throw error("unexpected end of input in object") }
            guard quote == UInt8(ascii: "\"") else {
                throw error("unexpected \(describe(quote)), expected a quoted member name")
            }
            let key = try readKey()
            guard let colon = peek() else { throw error("unexpected end of input, expected ':'") }
            guard colon == UInt8(ascii: ":") else { throw error("unexpected \(describe(colon)), expected ':' after member name") }
            position += 1
            skipWhitespace()
            if try !visit(&self, key) { try skipValue(depth: depth + 1) }
            guard let next = peek() else { throw error("unexpected end of input, expected ',' or '}'") }
            position += 1
            if next == UInt8(ascii: ",") { continue }
            if next == UInt8(ascii: "}") { return }
            throw error("unexpected \(describe(next)), expected ',' or '}' after object member", at: position - 1)
        }
    }

    /// Visits each element of the array at the current position, with its index; elements the
    /// visitor does not read (returns false) are skipped.
    package mutating func readElements(
        depth: Int, _ visit: (inout JSONReader, Int) throws(JSONSyntaxError) -> Bool
    ) throws(JSONSyntaxError) {
        guard peek() == UInt8(ascii: "[") else { throw error("expected an array") }
        if depth > JSONCodec.maximumDepth { throw error("nesting deeper than \(JSONCodec.maximumDepth) levels") }
        position += 1
        if peek() == UInt8(ascii: "]") {
            position += 1
            return
        }
        var index = 0
        while true {
            skipWhitespace()
            if try !visit(&self, index) { try skipValue(depth: depth + 1) }
            index += 1
            guard let next = peek() else { throw error("unexpected end of input, expected ',' or ']'") }
            position += 1
            if next == UInt8(ascii: ",") { continue }
            if next == UInt8(ascii: "]") { return }
            throw error("unexpected \(describe(next)), expected ',' or ']' after array element", at: position - 1)
        }
    }

    /// Skips one value, checking its syntax as `readValue` would, without building it.
    package mutating func skipValue(depth: Int) throws(JSONSyntaxError) {
        guard let byte = peek() else { throw error("unexpected end of input, expected a value") }
        switch byte {
        case UInt8(ascii: "{"): try readMembers(depth: depth) { (_, _: JSONKey) in false }
        case UInt8(ascii: "["): try readElements(depth: depth) { _, _ in false }
        case UInt8(ascii: "\""): try skipString()
        default: _ = try readValue(depth: depth)  // numbers and literals allocate nothing
        }
    }

    /// A member name: its raw bytes when it has no escapes, else the decoded string.
    private mutating func readKey() throws(JSONSyntaxError) -> JSONKey {
        let start = position
        var i = position + 1
        while i < buffer.count {
            let b = buffer[i]
            if b == UInt8(ascii: "\"") {
                position = i + 1
                return JSONKey(bytes: UnsafeRawBufferPointer(rebasing: buffer[(start + 1)..<i]), decoded: nil)
            }
            if b == UInt8(ascii: "\\") || b < 0x20 { break }
            i += 1
        }
        let decoded = try readString()  // escapes, control characters or no end: the full reader decides
        return JSONKey(bytes: UnsafeRawBufferPointer(start: nil, count: 0), decoded: decoded)
    }

    /// Skips a string, checking that it is terminated, has no raw control characters and only
    /// valid escapes.
    private mutating func skipString() throws(JSONSyntaxError) {
        let start = position
        position += 1
        while position < buffer.count {
            let b = buffer[position]
            if b == UInt8(ascii: "\"") {
                position += 1
                return
            }
            if b < 0x20 { throw error("unescaped control character in string") }
            if b == UInt8(ascii: "\\") {
                // An escape: let the full reader check it, from the start of the string.
                position = start
                _ = try readString()
                return
            }
            position += 1
        }
        throw error("unterminated string", at: start)
    }
}

/// A member name as read by `JSONReader.readMembers`: compared against literals without
/// making a `String`.
package struct JSONKey {
    /// The name's bytes in the document (when it has no escapes).
    package let bytes: UnsafeRawBufferPointer
    /// The decoded name, when it had escapes.
    package let decoded: String?

    /// Whether the name is `literal`.
    package static func == (key: JSONKey, literal: StaticString) -> Bool {
        if let decoded = key.decoded { return decoded == literal.description }
        guard key.bytes.count == literal.utf8CodeUnitCount else { return false }
        return key.bytes.elementsEqual(UnsafeRawBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount))
    }
}
