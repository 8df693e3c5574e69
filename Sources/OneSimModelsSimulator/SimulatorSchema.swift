import Foundation

/// Makes a JSON value that fits a (simple) JSON Schema, for `response_format: json_schema`
/// and for arguments of tool calls the request forces.
enum SimulatorSchema {
    static func instance(of schema: [String: Any], text: String) -> Any {
        if let values = schema["enum"] as? [Any], let first = values.first { return first }
        if let options = (schema["anyOf"] ?? schema["oneOf"]) as? [[String: Any]], let first = options.first {
            return instance(of: first, text: text)
        }
        let type = (schema["type"] as? String) ?? (schema["type"] as? [String])?.first ?? "object"
        switch type {
        case "object":
            var object: [String: Any] = [:]
            for (key, sub) in (schema["properties"] as? [String: [String: Any]]) ?? [:] {
                object[key] = instance(of: sub, text: text)
            }
            return object
        case "array":
            return [instance(of: schema["items"] as? [String: Any] ?? ["type": "string"], text: text)]
        case "integer": return 1
        case "number": return 1.5
        case "boolean": return true
        case "null": return NSNull()
        default: return text
        }
    }

    /// Compact JSON text for a Foundation JSON value.
    static func json(_ value: Any) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed]) else {
            return "null"
        }
        return String(decoding: data, as: UTF8.self)
    }
}
