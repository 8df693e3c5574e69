/// Assembles deltas into a `ModelResponse`: text in order, reasoning in order (apart from the
/// text; `nil` when no delta carried any), tool-call fragments by index.
package struct ResponseAccumulator: Sendable {
    /// The text of every delta added so far, concatenated in order.
    package private(set) var text = ""
    private var calls: [Int: ToolCall] = [:]
    private var finishReason: String?
    private var usage: Usage?
    private var modelInfo: ModelInfo?
    private var refusal: String?
    private var reasoning: String?
    /// How many deltas were added.
    package private(set) var deltaCount = 0

    /// An accumulator with no deltas: its `response` has empty text and zero usage.
    package init() {}

    /// Adds one delta: appends its text, refusal and reasoning (each to its own field), joins tool-call fragments by index, and
    /// keeps the latest finish reason, usage and model info it carries.
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
        if let piece = delta.reasoning { reasoning = (reasoning ?? "") + piece }
    }

    /// The response assembled so far.
    package var response: ModelResponse {
        let toolCalls = calls.keys.sorted().compactMap { calls[$0] }
        return ModelResponse(
            text: text.isEmpty && (!toolCalls.isEmpty || refusal != nil) ? nil : text, usage: usage ?? .zero,
            modelInfo: modelInfo ?? ModelInfo(modelName: "", configName: "", provider: ""), finishReason: finishReason,
            toolCalls: toolCalls, refusal: refusal, reasoning: reasoning)
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
