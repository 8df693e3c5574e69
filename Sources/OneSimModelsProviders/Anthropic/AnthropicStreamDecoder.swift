import OneSimModelsCore

/// Decodes the Messages API's streaming events: `message_start` (input tokens),
/// `content_block_start` (text, thinking, or `tool_use` with id and name), `content_block_delta`
/// (`text_delta`, `thinking_delta` as `reasoning`, `input_json_delta`; `signature_delta` is
/// skipped), `content_block_stop`, `message_delta` (stop reason and
/// output tokens), `message_stop` (the end), `ping`, and `error` events (thrown as mapped errors).
package struct AnthropicStreamDecoder: StreamEventDecoder {
    /// Whether `message_stop` arrived.
    package private(set) var isFinished = false
    private var inputUsage = Usage.zero
    /// Tool-call ordinal of each `tool_use` content block index.
    private var toolIndex: [Int: Int] = [:]
    private var toolHasArguments: Set<Int> = []

    /// A decoder at the start of a stream.
    package init() {}

    /// The deltas of one event.
    package mutating func decode(_ event: SSEEvent) throws(ModelError) -> [ModelDelta] {
        if event.data.isEmpty { return [] }
        let data: JSONValue
        do { data = try JSONCodec.parse(event.data) } catch {
            throw ModelError(.decoding, "invalid JSON in a stream event: \(error)")
        }
        let type = try ResponseFields.string(data["type"], "type") ?? event.event
        switch type {
        case "message_start":
            inputUsage = try AnthropicCodec.decodeUsage(data["message"]?["usage"], field: "message.usage")
            inputUsage.completionTokens = 0
            inputUsage.totalTokens = inputUsage.promptTokens
            return []
        case "content_block_start":
            let index = try ResponseFields.index(data["index"], "index") ?? 0
            let block = try ResponseFields.object(data["content_block"], "content_block").map(JSONValue.object)
            switch try ResponseFields.string(block?["type"], "content_block.type") {
            case "tool_use"?:
                let ordinal = toolIndex.count
                toolIndex[index] = ordinal
                return [
                    ModelDelta(toolCalls: [
                        ToolCallDelta(
                            index: ordinal, id: try ResponseFields.string(block?["id"], "content_block.id"),
                            name: try ResponseFields.string(block?["name"], "content_block.name"))
                    ])
                ]
            case "text"?:
                let text = try ResponseFields.string(block?["text"], "content_block.text") ?? ""
                return text.isEmpty ? [] : [ModelDelta(text: text)]
            case "thinking"?:
                let thinking = try ResponseFields.string(block?["thinking"], "content_block.thinking") ?? ""
                return thinking.isEmpty ? [] : [ModelDelta(reasoning: thinking)]
            default:
                return []
            }
        case "content_block_delta":
            let index = try ResponseFields.index(data["index"], "index") ?? 0
            let delta = try ResponseFields.object(data["delta"], "delta").map(JSONValue.object)
            switch try ResponseFields.string(delta?["type"], "delta.type") {
            case "text_delta"?:
                let text = try ResponseFields.string(delta?["text"], "delta.text") ?? ""
                return text.isEmpty ? [] : [ModelDelta(text: text)]
            case "thinking_delta"?:
                let thinking = try ResponseFields.string(delta?["thinking"], "delta.thinking") ?? ""
                return thinking.isEmpty ? [] : [ModelDelta(reasoning: thinking)]
            case "input_json_delta"?:
                guard let ordinal = toolIndex[index] else { return [] }
                let piece = try ResponseFields.string(delta?["partial_json"], "delta.partial_json") ?? ""
                if piece.isEmpty { return [] }
                toolHasArguments.insert(ordinal)
                return [ModelDelta(toolCalls: [ToolCallDelta(index: ordinal, arguments: piece)])]
            default:
                return []  // signature_delta, citations
            }
        case "content_block_stop":
            let index = try ResponseFields.index(data["index"], "index") ?? 0
            if let ordinal = toolIndex[index], !toolHasArguments.contains(ordinal) {
                toolHasArguments.insert(ordinal)
                return [ModelDelta(toolCalls: [ToolCallDelta(index: ordinal, arguments: "{}")])]
            }
            return []
        case "message_delta":
            var delta = ModelDelta()
            let change = try ResponseFields.object(data["delta"], "delta").map(JSONValue.object)
            delta.finishReason = AnthropicCodec.finishReason(
                try ResponseFields.string(change?["stop_reason"], "delta.stop_reason"))
            if let usage = data["usage"], !usage.isNull {
                var total = try AnthropicCodec.decodeUsage(usage)
                if total.promptTokens == 0 { total.promptTokens = inputUsage.promptTokens }
                delta.usage = Usage(promptTokens: total.promptTokens, completionTokens: total.completionTokens)
            }
            return delta.finishReason == nil && delta.usage == nil ? [] : [delta]
        case "message_stop":
            isFinished = true
            return []
        case "error":
            throw AnthropicErrorMapper.map(
                errorObject: data["error"], status: nil, fallbackMessage: "error event in the stream")
        default:
            return []  // ping and event types added later
        }
    }
}
