/// Decodes OpenAI Chat Completions stream chunks (`chat.completion.chunk`): content and
/// tool-call fragments of `choices[0].delta`, `finish_reason`, the final usage chunk, error
/// events, and the `data: [DONE]` end marker.
public struct OpenAIStreamDecoder: StreamEventDecoder {
    /// Whether `[DONE]` arrived.
    public private(set) var isFinished = false

    /// A decoder at the start of a stream.
    public init() {}

    /// The deltas of one event.
    public mutating func decode(_ event: SSEEvent) throws(ModelError) -> [ModelDelta] {
        let data = event.data
        if data == "[DONE]" {
            isFinished = true
            return []
        }
        if data.isEmpty { return [] }
        let chunk: JSONValue
        do { chunk = try JSONCodec.parse(data) } catch {
            throw ModelError(.decoding, "invalid JSON in a stream event: \(error)")
        }
        if let error = chunk["error"] {
            let message = error["message"]?.stringValue ?? error.stringValue ?? "error event in the stream"
            let code = error["code"].flatMap { $0.stringValue ?? $0.intValue.map(String.init) }
            let status = error["status"]?.intValue ?? error["code"]?.intValue
            var kind = status.map(ModelError.kind(forStatus:)) ?? .serverError
            if code == "context_length_exceeded" { kind = .contextLengthExceeded }
            if code == "rate_limit_exceeded" { kind = .rateLimited }
            return try { () throws(ModelError) -> [ModelDelta] in
                throw ModelError(kind, message, status: status, providerType: error["type"]?.stringValue, providerCode: code)
            }()
        }
        var delta = ModelDelta()
        if let usage = chunk["usage"], !usage.isNull {
            delta.usage = OpenAIChatCodec.decodeUsage(usage)
        }
        if let choice = chunk["choices"]?[0] {
            if let content = choice["delta"]?["content"]?.stringValue { delta.text = content }
            if let refusal = choice["delta"]?["refusal"]?.stringValue { delta.refusal = refusal }
            if let reason = choice["finish_reason"]?.stringValue { delta.finishReason = reason }
            for (position, call) in (choice["delta"]?["tool_calls"]?.arrayValue ?? []).enumerated() {
                delta.toolCalls.append(
                    ToolCallDelta(
                        index: call["index"]?.intValue ?? position, id: call["id"]?.stringValue,
                        name: call["function"]?["name"]?.stringValue,
                        arguments: call["function"]?["arguments"]?.stringValue ?? ""))
            }
        }
        if delta.text.isEmpty && delta.toolCalls.isEmpty && delta.finishReason == nil && delta.usage == nil
            && delta.refusal == nil
        {
            return []  // e.g. the opening role-only chunk
        }
        return [delta]
    }
}
