/// The shape the reply must have (OpenAI's `response_format`).
public enum ResponseFormat: Sendable, Hashable {
    /// Free text.
    case text
    /// Any JSON object.
    case jsonObject
    /// JSON that follows `schema` (named `name`); `strict` asks the provider to guarantee it.
    case jsonSchema(name: String, schema: JSONValue, strict: Bool = true)
}
