/// A function the model may call (a "tool").
public struct ToolDefinition: Sendable, Hashable {
    /// The function name.
    public var name: String
    /// What it does, for the model.
    public var description: String?
    /// Its parameters as a JSON Schema object.
    public var parameters: JSONValue
    /// OpenAI's `strict` flag: the arguments must follow the schema exactly.
    public var strict: Bool?

    /// A tool.
    public init(name: String, description: String? = nil, parameters: JSONValue = ["type": "object", "properties": [:]], strict: Bool? = nil) {
        self.name = name
        self.description = description
        self.parameters = parameters
        self.strict = strict
    }
}

/// Whether and which tool the model must call.
public enum ToolChoice: Sendable, Hashable {
    /// The model decides.
    case auto
    /// No tool calls.
    case none
    /// At least one tool call.
    case required
    /// This function.
    case function(String)
}
