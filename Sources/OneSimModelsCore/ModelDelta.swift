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

    /// A fragment.
    public init(index: Int, id: String? = nil, name: String? = nil, arguments: String = "") {
        self.index = index
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}

/// One piece of a streamed reply.
public struct ModelDelta: Sendable, Hashable {
    /// New reply text (may be empty).
    public var text: String
    /// Tool-call fragments.
    public var toolCalls: [ToolCallDelta]
    /// Set on the piece that ends the choice (`stop`, `length`, `tool_calls`, ...).
    public var finishReason: String?
    /// The call's usage, on the final piece when the provider reports it.
    public var usage: Usage?
    /// Which model is answering (set on the first piece by the adapter or balancer).
    public var modelInfo: ModelInfo?
    /// A piece of the model's refusal message (structured outputs).
    public var refusal: String?

    /// A delta.
    public init(
        text: String = "", toolCalls: [ToolCallDelta] = [], finishReason: String? = nil, usage: Usage? = nil,
        modelInfo: ModelInfo? = nil, refusal: String? = nil
    ) {
        self.refusal = refusal
        self.text = text
        self.toolCalls = toolCalls
        self.finishReason = finishReason
        self.usage = usage
        self.modelInfo = modelInfo
    }
}

/// A streamed reply: deltas as they arrive, ending with an error if the stream broke.
public typealias ModelStream = AsyncThrowingStream<ModelDelta, any Error>

/// Assembles deltas into a `ModelResponse`: text in order, tool-call fragments by index.
package struct ResponseAccumulator: Sendable {
    /// The text so far.
    package private(set) var text = ""
    private var calls: [Int: ToolCall] = [:]
    private var finishReason: String?
    private var usage: Usage?
    private var modelInfo: ModelInfo?
    private var refusal: String?
    /// How many deltas were added.
    package private(set) var deltaCount = 0

    /// An empty accumulator.
    package init() {}

    /// Adds one delta.
    package mutating func add(_ delta: ModelDelta) {
        deltaCount += 1
        text += delta.text
        for fragment in delta.toolCalls {
            var call = calls[fragment.index] ?? ToolCall(id: "", name: "", arguments: "")
            if let id = fragment.id, !id.isEmpty { call.id = id }
            if let name = fragment.name, !name.isEmpty { call.name += call.name.isEmpty ? name : "" }
            call.arguments += fragment.arguments
            calls[fragment.index] = call
        }
        if let reason = delta.finishReason { finishReason = reason }
        if let u = delta.usage { usage = u }
        if let info = delta.modelInfo { modelInfo = info }
        if let piece = delta.refusal { refusal = (refusal ?? "") + piece }
    }

    /// The response assembled so far.
    package var response: ModelResponse {
        let toolCalls = calls.keys.sorted().compactMap { calls[$0] }
        return ModelResponse(
            text: text.isEmpty && (!toolCalls.isEmpty || refusal != nil) ? nil : text, usage: usage ?? .zero,
            modelInfo: modelInfo ?? ModelInfo(modelName: "", configName: "", provider: ""), finishReason: finishReason,
            toolCalls: toolCalls, refusal: refusal)
    }
}

extension AsyncSequence where Element == ModelDelta {
    /// Reads the whole stream into one `ModelResponse`.
    ///
    /// Throws what the stream throws, and `ModelError.cancelled` when the calling task is
    /// cancelled: a stream iterated by a cancelled task ends early without an error, and that
    /// cut-off text is never returned as a whole response.
    public func collect() async throws -> ModelResponse {
        var accumulator = ResponseAccumulator()
        for try await delta in self { accumulator.add(delta) }
        if Task.isCancelled {
            var error = ModelError(.cancelled, "the stream was cancelled before it was read to the end")
            if !accumulator.text.isEmpty { error.partialText = accumulator.text }
            throw error
        }
        return accumulator.response
    }
}
