/// A tool call requested by the model in an assistant message.
public struct ToolCall: Sendable, Hashable {
    /// The provider's id for this call, echoed back in the tool's answer.
    public var id: String
    /// The function's name.
    public var name: String
    /// The arguments as JSON text, exactly as the model produced them.
    public var arguments: String

    /// A tool call.
    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}
