import OneSimModelsCore

/// Indented JSON text for format instructions, as Python's `json.dumps(value, indent=2,
/// ensure_ascii=False)` but with object keys sorted (a `JSONValue` object has no order).
enum JSONPretty {
    /// `value` as indented JSON text.
    static func format(_ value: JSONValue, indent: Int = 2) -> String {
        var out: [UInt8] = []
        write(value, level: 0, indent: indent, into: &out)
        return String(decoding: out, as: UTF8.self)
    }

    private static func newline(_ level: Int, _ indent: Int, _ out: inout [UInt8]) {
        out.append(0x0A)
        out.append(contentsOf: repeatElement(UInt8(ascii: " "), count: level * indent))
    }

    private static func write(_ value: JSONValue, level: Int, indent: Int, into out: inout [UInt8]) {
        switch value {
        case .array(let a) where !a.isEmpty:
            out.append(UInt8(ascii: "["))
            for (i, element) in a.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(level + 1, indent, &out)
                write(element, level: level + 1, indent: indent, into: &out)
            }
            newline(level, indent, &out)
            out.append(UInt8(ascii: "]"))
        case .object(let o) where !o.isEmpty:
            out.append(UInt8(ascii: "{"))
            for (i, (key, value)) in o.sorted(by: { $0.key < $1.key }).enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                newline(level + 1, indent, &out)
                JSONCodec.writeString(key, into: &out)
                out.append(contentsOf: Array(": ".utf8))
                write(value, level: level + 1, indent: indent, into: &out)
            }
            newline(level, indent, &out)
            out.append(UInt8(ascii: "}"))
        default:
            JSONCodec.write(value, into: &out)
        }
    }
}
