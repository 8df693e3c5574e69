import OneSimModelsCore

/// Decodes `streamGenerateContent?alt=sse`: every event is a partial `GenerateContentResponse`
/// whose text parts are the next pieces of the reply (parts marked `thought` the next pieces of
/// the reasoning), function calls arrive whole, and
/// `usageMetadata` is cumulative. The chunk with a `finishReason` ends the stream (Gemini sends
/// no end marker); an `error` object in the stream is thrown as a mapped error.
package struct GeminiStreamDecoder: StreamEventDecoder {
    /// Whether a chunk with a finish reason arrived.
    package private(set) var isFinished = false
    private var toolCalls = 0

    /// A decoder at the start of a stream.
    package init() {}

    /// The deltas of one event.
    package mutating func decode(_ event: SSEEvent) throws(ModelError) -> [ModelDelta] {
        if event.data.isEmpty { return [] }
        let chunk: JSONValue
        do { chunk = try JSONCodec.parse(event.data) } catch {
            throw ModelError(.decoding, "invalid JSON in a stream event: \(error)")
        }
        if let error = chunk["error"] {
            throw GeminiErrorMapper.map(errorObject: error, status: nil, fallbackMessage: "error event in the stream")
        }
        var delta = ModelDelta()
        if let usage = chunk["usageMetadata"], !usage.isNull { delta.usage = try GeminiCodec.decodeUsage(usage) }
        guard let candidate = try ResponseFields.array(chunk["candidates"], "candidates")?.first else {
            if let reason = chunk["promptFeedback"]?["blockReason"]?.stringValue {
                throw ModelError(.contentFiltered, "Gemini blocked the prompt (\(reason))", providerCode: reason)
            }
            return delta.usage == nil ? [] : [delta]
        }
        let parts = try GeminiCodec.decodeParts(candidate, firstOrdinal: toolCalls)
        delta.text = parts.text ?? ""
        delta.reasoning = parts.reasoning
        for call in parts.calls {
            delta.toolCalls.append(ToolCallDelta(index: toolCalls, id: call.id, name: call.name, arguments: call.arguments))
            toolCalls += 1
        }
        if let reason = try ResponseFields.string(candidate["finishReason"], "candidates[0].finishReason"),
            reason != "FINISH_REASON_UNSPECIFIED"
        {
            delta.finishReason = GeminiCodec.finishReason(reason, hasToolCalls: toolCalls > 0)
            isFinished = true
        }
        if delta.text.isEmpty && delta.reasoning == nil && delta.toolCalls.isEmpty && delta.finishReason == nil
            && delta.usage == nil
        {
            return []
        }
        return [delta]
    }
}
