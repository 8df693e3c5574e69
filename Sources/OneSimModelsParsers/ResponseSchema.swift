import Foundation
import OneSimModelsCore

/// A `Decodable` type that can describe itself with a JSON Schema, for `ResponseSchema(T.self)`.
///
/// ```swift
/// struct Person: Codable, Sendable, JSONSchemaDescribing {
///     var name: String
///     var age: Int
///     static let jsonSchema: JSONValue = [
///         "type": "object",
///         "properties": ["name": ["type": "string"], "age": ["type": "integer"]],
///         "required": ["name", "age"],
///     ]
/// }
/// ```
public protocol JSONSchemaDescribing: Decodable, Sendable {
    /// The JSON Schema of this type, shown to the model and checked against its reply.
    static var jsonSchema: JSONValue { get }
}

/// The shape a JSON reply must have: a JSON Schema shown in the format instruction, checked
/// on every parse, and optionally a `Decodable` type the reply must decode into.
///
/// The check understands the common subset of JSON Schema: `type` (a name or a list of
/// names), `enum`, `const`, `properties`, `required`, `additionalProperties: false` and
/// `items`, nested to any depth. Other keywords are shown to the model but not checked.
public struct ResponseSchema: Sendable {
    /// The JSON Schema.
    public var jsonSchema: JSONValue
    /// The name of the `Decodable` type the reply must decode into, if any.
    public let typeName: String?
    private let decodes: (@Sendable (JSONValue) throws(ParseError) -> Void)?

    /// A schema checked by its JSON Schema alone.
    public init(_ jsonSchema: JSONValue) {
        self.jsonSchema = jsonSchema
        self.typeName = nil
        self.decodes = nil
    }

    /// A schema for `type`: the reply must match `jsonSchema` and decode as `T`.
    public init<T: Decodable & Sendable>(_ type: T.Type, jsonSchema: JSONValue) {
        self.jsonSchema = jsonSchema
        self.typeName = "\(T.self)"
        self.decodes = { (value: JSONValue) throws(ParseError) -> Void in _ = try value.decoded(as: T.self) }
    }

    /// A schema for a type that describes itself.
    public init<T: JSONSchemaDescribing>(_ type: T.Type) {
        self.init(type, jsonSchema: T.jsonSchema)
    }

    /// Checks `value` against the JSON Schema, then (when a type was given) decodes it.
    public func validate(_ value: JSONValue) throws(ParseError) {
        try SchemaValidator.validate(value, against: jsonSchema, path: [])
        try decodes?(value)
    }
}

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
