import OneSimModelsCore

/// Decodes OpenAI Chat Completions stream chunks (`chat.completion.chunk`): content, reasoning
/// (`reasoning_content` or `reasoning`, kept apart from the text) and tool-call fragments of
/// `choices[0].delta`, `finish_reason`, the final usage chunk, error
/// events, and the `data: [DONE]` end marker. `delta.content` may be a string or content parts
/// (`ResponseFields.content`); a field of the wrong type is a `.decoding` error naming it, not
/// a chunk silently dropped.
package struct OpenAIStreamDecoder: StreamEventDecoder {
    /// Whether `[DONE]` arrived.
    package private(set) var isFinished = false

    /// A decoder at the start of a stream.
    package init() {}

    /// The deltas of one event.
    package mutating func decode(_ event: SSEEvent) throws(ModelError) -> [ModelDelta] {
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
        if let usage = chunk["usage"], !usage.isNull { delta.usage = try OpenAIChatCodec.decodeUsage(usage) }
        if let choice = try ResponseFields.array(chunk["choices"], "choices")?.first {
            guard case .object = choice else { throw ResponseFields.mismatch("choices[0]", expected: "an object", got: choice) }
            let change = try ResponseFields.object(choice["delta"], "choices[0].delta").map(JSONValue.object)
            let content = try ResponseFields.content(change?["content"], "choices[0].delta.content")
            if let text = content.text { delta.text = text }
            let refusal = try ResponseFields.string(change?["refusal"], "choices[0].delta.refusal")
            delta.refusal = OpenAIChatCodec.joined(refusal, content.refusal)
            delta.finishReason = try ResponseFields.string(choice["finish_reason"], "choices[0].finish_reason")
            if let change { delta.reasoning = try OpenAIChatCodec.decodeReasoning(change, field: "choices[0].delta") }
            let calls = try ResponseFields.array(change?["tool_calls"], "choices[0].delta.tool_calls") ?? []
            for (position, call) in calls.enumerated() {
                let path = "choices[0].delta.tool_calls[\(position)]"
                guard case .object = call else { throw ResponseFields.mismatch(path, expected: "an object", got: call) }
                let function = try ResponseFields.object(call["function"], "\(path).function")
                delta.toolCalls.append(
                    ToolCallDelta(
                        index: try ResponseFields.index(call["index"], "\(path).index") ?? position,
                        id: try ResponseFields.string(call["id"], "\(path).id"),
                        name: try ResponseFields.string(function?["name"], "\(path).function.name"),
                        arguments: try ResponseFields.string(function?["arguments"], "\(path).function.arguments") ?? ""))
            }
        }
        if delta.text.isEmpty && delta.toolCalls.isEmpty && delta.finishReason == nil && delta.usage == nil
            && delta.refusal == nil && delta.reasoning == nil
        {
            return []  // e.g. the opening role-only chunk
        }
        return [delta]
    }
}
