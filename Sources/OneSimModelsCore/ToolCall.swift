/// A tool call requested by the model in an assistant message.
public struct ToolCall: Sendable, Hashable {
    /// The provider's id for this call, echoed back in the tool's answer.
    public var id: String
    /// The name of the function to call, as declared in `ToolDefinition.name`.
    public var name: String
    /// The arguments as JSON text, exactly as the model produced them.
    public var arguments: String

    /// A call with the given parts, stored as given (`arguments` is not checked to be JSON;
    /// providers that need an object reject text that is not one with `.badRequest`).
    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}
