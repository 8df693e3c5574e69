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
    /// The JSON Schema, shown in full in the format instruction; only the subset listed above
    /// is checked.
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
