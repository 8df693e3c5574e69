import Foundation
import OneSimModelsCore

extension JSONValue {
    /// This value decoded as `T` with `decoder` (for example a parser's `parsed` result).
    ///
    /// A value that does not fit throws a `ParseError`: `.missingKeys` for an absent key,
    /// `.typeMismatch` with the path (`items[2].age`), the expected type and what was found.
    public func decoded<T: Decodable>(as type: T.Type, decoder: JSONDecoder = JSONDecoder()) throws(ParseError) -> T {
        let data = Data(JSONCodec.encode(self))
        do {
            return try decoder.decode(T.self, from: data)
        } catch let error as DecodingError {
            throw parseError(for: error)
        } catch {
            throw ParseError(.typeMismatch(path: "(root)", expected: "\(T.self)", found: "\(error)"))
        }
    }

    private func parseError(for error: DecodingError) -> ParseError {
        let advice = "Make the JSON match the expected structure."
        switch error {
        case .typeMismatch(let type, let context):
            return ParseError(
                .typeMismatch(
                    path: Self.pathString(context.codingPath), expected: Self.typeName(type),
                    found: describe(at: context.codingPath)),
                advice: advice)
        case .valueNotFound(let type, let context):
            return ParseError(
                .typeMismatch(
                    path: Self.pathString(context.codingPath), expected: Self.typeName(type),
                    found: describe(at: context.codingPath)),
                advice: advice)
        case .keyNotFound(let key, let context):
            let path = Self.pathString(context.codingPath + [key])
            return ParseError(.missingKeys([path]), advice: advice)
        case .dataCorrupted(let context):
            return ParseError(
                .typeMismatch(
                    path: Self.pathString(context.codingPath), expected: context.debugDescription,
                    found: describe(at: context.codingPath)),
                advice: advice)
        @unknown default:
            return ParseError(.typeMismatch(path: "(root)", expected: "a decodable value", found: "\(error)"))
        }
    }

    private static func typeName(_ type: Any.Type) -> String {
        let name = "\(type)"
        return name.hasPrefix("Swift.") ? String(name.dropFirst(6)) : name
    }

    /// `name`, `items[2].age`, or `(root)`.
    static func pathString(_ path: [any CodingKey]) -> String {
        var s = ""
        for key in path {
            if let i = key.intValue {
                s += "[\(i)]"
            } else {
                s += s.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return s.isEmpty ? "(root)" : s
    }

    /// What is found at `path`: `string "twelve"`, `null`, or `nothing`.
    func describe(at path: [any CodingKey]) -> String {
        var current: JSONValue? = self
        for key in path {
            guard let value = current else { break }
            if case .array = value, let i = key.intValue {
                current = value[i]
            } else {
                current = value[key.stringValue]
            }
        }
        guard let current else { return "nothing" }
        return current.shortDescription
    }

    /// The type and (for scalars, shortened) the JSON text: `string "abc"`, `number 12`, `object`.
    var shortDescription: String {
        switch self {
        case .null: return "null"
        case .object: return "an object"
        case .array(let a): return "an array of \(a.count) element\(a.count == 1 ? "" : "s")"
        default:
            let text = description
            let short = text.count > 40 ? String(text.prefix(40)) + "…" : text
            return "\(typeName) \(short)"
        }
    }
}
