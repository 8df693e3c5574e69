/// The one JSON reader and writer for `JSONValue`.
///
/// `JSONDecoder` handles typed `Decodable` values; this codec handles the untyped tree that
/// every provider response, config file and parsed model reply goes through. It reads
/// UTF-8 bytes in one pass, reports errors with line and column, and writes compact JSON
/// without an intermediate `Encoder` tree.
package enum JSONCodec {
    /// The most arrays and objects open at once (exactly: 512 deep parses, 513 is an error), so
    /// outside input cannot exhaust the stack.
    package static let maximumDepth = 512

    /// Parses one JSON value from UTF-8 bytes; surrounding whitespace is allowed, anything else is an error.
    ///
    /// With `exactNumbers`, a number a `Double` cannot hold (`1e400`, which would read as
    /// infinity, or a non-zero `1e-400`, which would read as 0) is an error; without it such a
    /// number reads as that `Double` (config files rely on `1e309` reading as infinity, which
    /// their range checks then name).
    package static func parse<Bytes: Collection<UInt8>>(
        _ bytes: Bytes, exactNumbers: Bool = false
    ) throws(JSONSyntaxError) -> JSONValue {
        let result: Result<JSONValue, JSONSyntaxError>? = bytes.withContiguousStorageIfAvailable { buf in
            parseResult(UnsafeRawBufferPointer(buf), exactNumbers: exactNumbers)
        }
        if let result { return try result.get() }
        return try Array(bytes).withUnsafeBytes { parseResult($0, exactNumbers: exactNumbers) }.get()
    }

    /// Parses one JSON value from a string.
    package static func parse(_ text: String) throws(JSONSyntaxError) -> JSONValue {
        var text = text
        return try text.withUTF8 { parseResult(UnsafeRawBufferPointer($0)) }.get()
    }

    package static func parseResult(
        _ buffer: UnsafeRawBufferPointer, exactNumbers: Bool = false
    ) -> Result<JSONValue, JSONSyntaxError> {
        Result { () throws(JSONSyntaxError) -> JSONValue in try parse(buffer: buffer, exactNumbers: exactNumbers) }
    }

    /// Parses the longest JSON value that starts at `start` (after optional whitespace) and
    /// returns it with the offset just past it. Used by scanners that find JSON inside prose.
    package static func parsePrefix(
        _ buffer: UnsafeRawBufferPointer, from start: Int, exactNumbers: Bool = false
    ) throws(JSONSyntaxError) -> (JSONValue, end: Int) {
        var reader = JSONReader(buffer: buffer, position: start)
        reader.exactNumbers = exactNumbers
        reader.skipWhitespace()
        let value = try reader.readValue(depth: 0)
        return (value, reader.position)
    }

    package static func parse(buffer: UnsafeRawBufferPointer, exactNumbers: Bool = false) throws(JSONSyntaxError) -> JSONValue {
        var reader = JSONReader(buffer: buffer, position: 0)
        reader.exactNumbers = exactNumbers
        reader.skipWhitespace()
        let value = try reader.readValue(depth: 0)
        reader.skipWhitespace()
        if reader.position < buffer.count {
            throw reader.error("unexpected text after the JSON value")
        }
        return value
    }

    /// Compact JSON bytes for `value`. `sortedKeys` gives a stable output for display and tests.
    package static func encode(_ value: JSONValue, sortedKeys: Bool = false) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, into: &out, sortedKeys: sortedKeys)
        return out
    }

    /// Appends the compact JSON form of `value` to `out`.
    package static func write(_ value: JSONValue, into out: inout [UInt8], sortedKeys: Bool = false) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .int(let i): out.append(contentsOf: String(i).utf8)
        case .double(let d):
            if d.isFinite {
                if d.rounded() == d && abs(d) < 1e15 {
                    out.append(contentsOf: String(Int(d)).utf8)
                    out.append(contentsOf: ".0".utf8)
                } else {
                    out.append(contentsOf: "\(d)".utf8)
                }
            } else {
                out.append(contentsOf: "null".utf8)  // JSON has no NaN or infinity
            }
        case .string(let s): writeString(s, into: &out)
        case .array(let a):
            out.append(UInt8(ascii: "["))
            for (i, element) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(element, into: &out, sortedKeys: sortedKeys)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let o):
            out.append(UInt8(ascii: "{"))
            var first = true
            if sortedKeys {
                for (key, value) in o.sorted(by: { $0.key < $1.key }) {
                    if !first { out.append(UInt8(ascii: ",")) }
                    first = false
                    writeString(key, into: &out)
                    out.append(UInt8(ascii: ":"))
                    write(value, into: &out, sortedKeys: true)
                }
            } else {
                for (key, member) in o {
                    if !first { out.append(UInt8(ascii: ",")) }
                    first = false
                    writeString(key, into: &out)
                    out.append(UInt8(ascii: ":"))
                    write(member, into: &out, sortedKeys: false)
                }
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    /// Appends `s` as a quoted, escaped JSON string. Runs that need no escaping are copied in
    /// one go.
    package static func writeString(_ s: String, into out: inout [UInt8]) {
        var s = s
        s.withUTF8 { bytes in writeString(bytes, into: &out) }
    }

    /// Appends the UTF-8 `bytes` as a quoted, escaped JSON string.
    package static func writeString(_ bytes: UnsafeBufferPointer<UInt8>, into out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        var runStart = 0
        var i = 0
        while i < bytes.count {
            let byte = bytes[i]
            if byte >= 0x20 && byte != UInt8(ascii: "\"") && byte != UInt8(ascii: "\\") {
                i += 1
                continue
            }
            if runStart < i { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<i])) }
            out.append(UInt8(ascii: "\\"))
            switch byte {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\""))
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\"))
            case 0x0A: out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "t"))
            default:
                out.append(contentsOf: "u00".utf8)
                out.append(hexDigit(byte >> 4))
                out.append(hexDigit(byte & 0xF))
            }
            i += 1
            runStart = i
        }
        if runStart < bytes.count { out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...])) }
        out.append(UInt8(ascii: "\""))
    }

    private static func hexDigit(_ nibble: UInt8) -> UInt8 {
        nibble < 10 ? 0x30 + nibble : 0x57 + nibble
    }
}
