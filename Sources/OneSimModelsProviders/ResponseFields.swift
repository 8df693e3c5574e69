import OneSimModelsCore

/// Strict readers for the fields of provider responses and stream events.
///
/// The contract every decoder follows: a field that is missing or `null` is absent; a field
/// that is present with the wrong JSON type is a `.decoding` error that names the field by its
/// path in the response (`choices[0].message.content`, `usage.prompt_tokens`); never a value
/// silently dropped or read as zero. Numbers are range-checked before they become `Int`s.
enum ResponseFields {
    /// The largest token count a response may report (2^40, about 1.1e12). Anything above is
    /// not a real count, and sums of counts over millions of calls stay far from `Int.max`.
    static let maximumTokenCount = 1 << 40

    /// The `.decoding` error for `field` holding `value` where `expected` was needed.
    static func mismatch(_ field: String, expected: String, got value: JSONValue) -> ModelError {
        let shown = value.description
        let snippet = shown.count > 80 ? String(shown.prefix(80)) + "…" : shown
        return ModelError(.decoding, "\(field) must be \(expected), got \(value.typeName) \(snippet)")
    }

    /// A string field; `nil` when missing or `null`.
    static func string(_ value: JSONValue?, _ field: @autoclosure () -> String) throws(ModelError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let s)?: return s
        case let other?: throw mismatch(field(), expected: "a string", got: other)
        }
    }

    /// A boolean field; `nil` when missing or `null`.
    static func bool(_ value: JSONValue?, _ field: @autoclosure () -> String) throws(ModelError) -> Bool? {
        switch value {
        case nil, .null?: return nil
        case .bool(let b)?: return b
        case let other?: throw mismatch(field(), expected: "a boolean", got: other)
        }
    }

    /// An array field; `nil` when missing or `null`.
    static func array(_ value: JSONValue?, _ field: @autoclosure () -> String) throws(ModelError) -> [JSONValue]? {
        switch value {
        case nil, .null?: return nil
        case .array(let a)?: return a
        case let other?: throw mismatch(field(), expected: "an array", got: other)
        }
    }

    /// An object field; `nil` when missing or `null`.
    static func object(_ value: JSONValue?, _ field: @autoclosure () -> String) throws(ModelError) -> [String: JSONValue]? {
        switch value {
        case nil, .null?: return nil
        case .object(let o)?: return o
        case let other?: throw mismatch(field(), expected: "an object", got: other)
        }
    }

    /// A token count: a whole number from 0 to `maximumTokenCount` (`5.0` counts as 5); `nil`
    /// when missing or `null`. Negative, fractional, huge (`1e300`) or non-numeric values are errors.
    static func count(_ value: JSONValue?, _ field: @autoclosure () -> String) throws(ModelError) -> Int? {
        switch value {
        case nil, .null?: return nil
        case .int(let i)? where i >= 0 && i <= maximumTokenCount: return i
        case .double(let d)? where d >= 0 && d <= Double(maximumTokenCount) && d.rounded() == d: return Int(d)
        case let other?: throw mismatch(field(), expected: "a whole number from 0 to 2^40", got: other)
        }
    }

    /// An index into a list the response builds (a tool call's `index`): a whole number from 0
    /// to `limit`; `nil` when missing or `null`.
    static func index(_ value: JSONValue?, limit: Int = 1 << 16, _ field: @autoclosure () -> String) throws(ModelError)
        -> Int?
    {
        switch value {
        case nil, .null?: return nil
        case .int(let i)? where i >= 0 && i <= limit: return i
        case .double(let d)? where d >= 0 && d <= Double(limit) && d.rounded() == d: return Int(d)
        case let other?: throw mismatch(field(), expected: "a whole number from 0 to \(limit)", got: other)
        }
    }

    /// An embedding component: a finite number that fits a `Float`.
    static func component(_ value: JSONValue, _ field: @autoclosure () -> String) throws(ModelError) -> Float {
        if let d = value.doubleValue {
            let f = Float(d)
            if f.isFinite { return f }
        }
        throw mismatch(field(), expected: "a finite number", got: value)
    }

    /// A vector of embedding components.
    static func vector(_ values: [JSONValue], _ field: String) throws(ModelError) -> [Float] {
        var vector: [Float] = []
        vector.reserveCapacity(values.count)
        for (i, value) in values.enumerated() {
            vector.append(try component(value, "\(field)[\(i)]"))
        }
        return vector
    }

    /// A message's `content` as OpenAI-compatible servers send it: a string, `null`, or an
    /// array of content parts. Parts of type `text` are joined into the text and parts of type
    /// `refusal` into the refusal; parts of other types (images, audio, reasoning) stay only in
    /// `raw`. An array with none of the two is an error (a reply would otherwise look empty), as
    /// is a part that is not an object, a `text` part whose `text` is not a string, or a
    /// content of any other type.
    static func content(_ value: JSONValue?, _ field: @autoclosure () -> String) throws(ModelError) -> (
        text: String?, refusal: String?
    ) {
        switch value {
        case nil, .null?: return (nil, nil)
        case .string(let s)?: return (s, nil)
        case .array(let parts)?:
            let field = field()
            var text: String?
            var refusal: String?
            var others: [String] = []
            for (i, part) in parts.enumerated() {
                guard case .object = part else {
                    throw mismatch("\(field)[\(i)]", expected: "a content part object", got: part)
                }
                switch try string(part["type"], "\(field)[\(i)].type") {
                case "text"?, "output_text"?:
                    guard let piece = try string(part["text"], "\(field)[\(i)].text") else {
                        throw ModelError(.decoding, "\(field)[\(i)] is a text part without text")
                    }
                    text = (text ?? "") + piece
                case "refusal"?:
                    guard let piece = try string(part["refusal"], "\(field)[\(i)].refusal") else {
                        throw ModelError(.decoding, "\(field)[\(i)] is a refusal part without refusal")
                    }
                    refusal = (refusal ?? "") + piece
                case let other:
                    others.append(other ?? "untyped")
                }
            }
            if text == nil && refusal == nil && !others.isEmpty {
                throw ModelError(
                    .decoding, "\(field) holds only parts that are not text (\(others.joined(separator: ", ")))")
            }
            return (text, refusal)
        case let other?:
            throw mismatch(field(), expected: "a string, null or an array of content parts", got: other)
        }
    }
}
