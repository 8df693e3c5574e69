import Foundation
import OneSimModelsCore

/// The JSON Schema subset checker behind `ResponseSchema.validate`.
enum SchemaValidator {
    static func validate(_ value: JSONValue, against schema: JSONValue, path: [String]) throws(ParseError) {
        guard case .object(let s) = schema else { return }  // `true`, `{}` or unknown: anything goes
        let here = pathString(path)
        if let type = s["type"] {
            let names = type.arrayValue?.compactMap(\.stringValue) ?? type.stringValue.map { [$0] } ?? []
            if !names.isEmpty && !names.contains(where: { matches(value, typeName: $0) }) {
                throw ParseError(
                    .typeMismatch(path: here, expected: names.joined(separator: " or "), found: value.shortDescription),
                    advice: "Follow the JSON Schema in the instructions.")
            }
        }
        if let options = s["enum"]?.arrayValue, !options.contains(value) {
            throw ParseError(
                .typeMismatch(
                    path: here, expected: "one of " + options.map(\.description).joined(separator: ", "),
                    found: value.shortDescription),
                advice: "Use one of the allowed values.")
        }
        if let constant = s["const"], constant != value {
            throw ParseError(
                .typeMismatch(path: here, expected: constant.description, found: value.shortDescription),
                advice: "Use the required value.")
        }
        if case .object(let members) = value {
            if let required = s["required"]?.arrayValue?.compactMap(\.stringValue) {
                let missing = required.filter { members[$0] == nil }
                if !missing.isEmpty {
                    throw ParseError(
                        .missingKeys(missing.map { pathString(path + [$0]) }),
                        advice: "Add them to the JSON object.")
                }
            }
            let properties = s["properties"]?.objectValue ?? [:]
            for key in members.keys.sorted() {
                if let sub = properties[key] {
                    try validate(members[key]!, against: sub, path: path + [key])
                } else if s["additionalProperties"] == .bool(false) {
                    throw ParseError(
                        .typeMismatch(
                            path: pathString(path + [key]),
                            expected: "no such key (allowed: "
                                + properties.keys.sorted().joined(separator: ", ") + ")",
                            found: members[key]!.shortDescription),
                        advice: "Remove keys the schema does not list.")
                } else if let sub = s["additionalProperties"], case .object = sub {
                    try validate(members[key]!, against: sub, path: path + [key])
                }
            }
        }
        if case .array(let elements) = value, let items = s["items"] {
            for (i, element) in elements.enumerated() {
                try validate(element, against: items, path: path + ["[\(i)]"])
            }
        }
    }

    static func matches(_ value: JSONValue, typeName: String) -> Bool {
        switch (typeName, value) {
        case ("object", .object), ("array", .array), ("string", .string), ("boolean", .bool), ("null", .null),
            ("number", .int), ("number", .double), ("integer", .int):
            return true
        case ("integer", .double(let d)):
            return d.rounded() == d && d.isFinite
        default:
            return false
        }
    }

    static func pathString(_ path: [String]) -> String {
        var s = ""
        for part in path {
            if part.hasPrefix("[") {
                s += part
            } else {
                s += s.isEmpty ? part : "." + part
            }
        }
        return s.isEmpty ? "(root)" : s
    }
}
