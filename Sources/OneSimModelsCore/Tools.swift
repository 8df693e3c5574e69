/// A function the model may call (a "tool").
public struct ToolDefinition: Sendable, Hashable {
    /// The name the model calls the function by (the `name` of its `ToolCall`s); sent as is,
    /// not checked here.
    public var name: String
    /// What it does, for the model.
    public var description: String?
    /// Its parameters as a JSON Schema object.
    public var parameters: JSONValue
    /// OpenAI's `strict` flag: the arguments must follow the schema exactly.
    public var strict: Bool?

    /// A tool named `name`. `parameters` defaults to an object schema with no properties (a
    /// function without arguments); `strict` is sent only when set.
    public init(name: String, description: String? = nil, parameters: JSONValue = ["type": "object", "properties": [:]], strict: Bool? = nil) {
        self.name = name
        self.description = description
        self.parameters = parameters
        self.strict = strict
    }
}

/// Whether and which tool the model must call.
public enum ToolChoice: Sendable, Hashable {
    /// The model decides whether to call a tool (the providers' default when tools are given).
    case auto
    /// The model must answer in text without calling a tool.
    case none
    /// At least one tool call.
    case required
    /// The model must call the function with this name (one of `CallOptions.tools`).
    case function(String)
}
