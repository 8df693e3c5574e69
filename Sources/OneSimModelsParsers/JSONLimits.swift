import OneSimModelsCore

/// The limits every JSON value the parsers return is checked against, so that no value comes
/// back silently different from what the reply wrote:
/// - nesting: at most `JSONCodec.maximumDepth` (512) levels of arrays and objects, exactly
///   (`[[...]]` 512 deep passes, 513 deep is an error);
/// - numbers: a number whose magnitude is too large for a `Double` (`1e400`, which would
///   become infinity) or that is not zero but too small for one (`1e-400`, which would become
///   `0`) is an error. Other numbers are read as `JSONValue` always reads them (integers that
///   fit in `Int` exactly, the rest as the nearest `Double`).
enum JSONLimits {
    /// The first limit that valid JSON `text` breaks: its offset in `text` and the reason;
    /// `nil` when it keeps them all. One linear pass.
    static func problem(in text: ArraySlice<UInt8>) -> (offset: Int, reason: String)? {
        var depth = 0
        var i = text.startIndex
        let end = text.endIndex
        while i < end {
            let b = text[i]
            switch b {
            case UInt8(ascii: "\""):
                i += 1
                while i < end, text[i] != UInt8(ascii: "\"") { i += text[i] == UInt8(ascii: "\\") ? 2 : 1 }
                i += 1
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                if depth > JSONCodec.maximumDepth {
                    return (i - text.startIndex, "nesting deeper than \(JSONCodec.maximumDepth) levels")
                }
                i += 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
                i += 1
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                let start = i
                var nonZeroDigit = false
                var inExponent = false
                while i < end, isNumberByte(text[i]) {
                    let c = text[i]
                    if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") { inExponent = true }
                    if !inExponent && c >= UInt8(ascii: "1") && c <= UInt8(ascii: "9") { nonZeroDigit = true }
                    i += 1
                }
                let token = String(decoding: text[start..<i], as: UTF8.self)
                if Int(token) == nil, let d = Double(token) {
                    if !d.isFinite {
                        return (start - text.startIndex, "number \(token) is too large for a Double")
                    }
                    if d == 0 && nonZeroDigit {
                        return (start - text.startIndex, "number \(token) is too small for a Double (it would read as 0)")
                    }
                }
            default:
                i += 1
            }
        }
        return nil
    }

    private static func isNumberByte(_ b: UInt8) -> Bool {
        (b >= UInt8(ascii: "0") && b <= UInt8(ascii: "9")) || b == UInt8(ascii: "-") || b == UInt8(ascii: "+")
            || b == UInt8(ascii: ".") || b == UInt8(ascii: "e") || b == UInt8(ascii: "E")
    }
}
