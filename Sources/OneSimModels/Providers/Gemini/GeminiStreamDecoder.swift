/// Decodes `streamGenerateContent?alt=sse`: every event is a partial `GenerateContentResponse`
/// whose text parts are the next pieces of the reply, function calls arrive whole, and
/// `usageMetadata` is cumulative. The chunk with a `finishReason` ends the stream (Gemini sends
/// no end marker); an `error` object in the stream is thrown as a mapped error.
public struct GeminiStreamDecoder: StreamEventDecoder {
    /// Whether a chunk with a finish reason arrived.
    public private(set) var isFinished = false
    private var toolCalls = 0

    /// A decoder at the start of a stream.
    public init() {}

    /// The deltas of one event.
    public mutating func decode(_ event: SSEEvent) throws(ModelError) -> [ModelDelta] {
        if event.data.isEmpty { return [] }
        let chunk: JSONValue
        do { chunk = try JSONCodec.parse(event.data) } catch {
            throw ModelError(.decoding, "invalid JSON in a stream event: \(error)")
        }
        if let error = chunk["error"] {
            throw GeminiErrorMapper.map(errorObject: error, status: nil, fallbackMessage: "error event in the stream")
        }
        var delta = ModelDelta()
        if let usage = chunk["usageMetadata"] { delta.usage = GeminiCodec.decodeUsage(usage) }
        guard let candidate = chunk["candidates"]?[0] else {
            if let reason = chunk["promptFeedback"]?["blockReason"]?.stringValue {
                throw ModelError(.contentFiltered, "Gemini blocked the prompt (\(reason))", providerCode: reason)
            }
            return delta.usage == nil ? [] : [delta]
        }
        for part in candidate["content"]?["parts"]?.arrayValue ?? [] {
            if part["thought"]?.boolValue == true { continue }
            if let text = part["text"]?.stringValue {
                delta.text += text
            } else if let call = part["functionCall"] {
                delta.toolCalls.append(
                    ToolCallDelta(
                        index: toolCalls, id: GeminiCodec.toolCallID(part, ordinal: toolCalls),
                        name: call["name"]?.stringValue, arguments: ProviderSupport.jsonText(call["args"] ?? [:])))
                toolCalls += 1
            }
        }
        if let reason = candidate["finishReason"]?.stringValue, reason != "FINISH_REASON_UNSPECIFIED" {
            delta.finishReason = GeminiCodec.finishReason(reason, hasToolCalls: toolCalls > 0)
            isFinished = true
        }
        if delta.text.isEmpty && delta.toolCalls.isEmpty && delta.finishReason == nil && delta.usage == nil { return [] }
        return [delta]
    }
}
