/// A fragment of a tool call in a stream: fragments with the same `index` are one call, and
/// their `arguments` concatenate in order.
public struct ToolCallDelta: Sendable, Hashable {
    /// Which tool call of the message this fragment belongs to.
    public var index: Int
    /// The call id (in the first fragment).
    public var id: String?
    /// The function name (in the first fragment).
    public var name: String?
    /// The next piece of the JSON arguments.
    public var arguments: String

    /// A fragment of call `index`; `id` and `name` are usually only on the first fragment.
    public init(index: Int, id: String? = nil, name: String? = nil, arguments: String = "") {
        self.index = index
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}

/// One piece of a streamed reply.
public struct ModelDelta: Sendable, Hashable {
    /// New reply text (may be empty); never reasoning the server reported separately.
    public var text: String
    /// The next piece of the model's separately reported reasoning (`ModelResponse.reasoning`),
    /// `nil` when this piece carries none.
    public var reasoning: String?
    /// Tool-call fragments; `ResponseAccumulator` joins those with the same `index`.
    public var toolCalls: [ToolCallDelta]
    /// Set on the piece that ends the choice (`stop`, `length`, `tool_calls`, ...).
    public var finishReason: String?
    /// The call's usage, on the final piece when the provider reports it.
    public var usage: Usage?
    /// Which model is answering (set on the first piece by the adapter or balancer).
    public var modelInfo: ModelInfo?
    /// A piece of the model's refusal message (structured outputs).
    public var refusal: String?

    /// A piece with the given parts; every one is optional (an empty delta adds nothing).
    public init(
        text: String = "", toolCalls: [ToolCallDelta] = [], finishReason: String? = nil, usage: Usage? = nil,
        modelInfo: ModelInfo? = nil, refusal: String? = nil, reasoning: String? = nil
    ) {
        self.refusal = refusal
        self.reasoning = reasoning
        self.text = text
        self.toolCalls = toolCalls
        self.finishReason = finishReason
        self.usage = usage
        self.modelInfo = modelInfo
    }
}

extension ModelDelta {
    /// A single delta holding a whole response.
    package init(response: ModelResponse) {
        self.init(
            text: response.text ?? "",
            toolCalls: response.toolCalls.enumerated().map {
                ToolCallDelta(index: $0.offset, id: $0.element.id, name: $0.element.name, arguments: $0.element.arguments)
            }, finishReason: response.finishReason, usage: response.usage, modelInfo: response.modelInfo,
            reasoning: response.reasoning)
    }
}
