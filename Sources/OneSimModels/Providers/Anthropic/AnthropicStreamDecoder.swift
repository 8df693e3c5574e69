/// Decodes the Messages API's streaming events: `message_start` (input tokens),
/// `content_block_start` (text or `tool_use` with id and name), `content_block_delta`
/// (`text_delta`, `input_json_delta`), `content_block_stop`, `message_delta` (stop reason and
/// output tokens), `message_stop` (the end), `ping`, and `error` events (thrown as mapped errors).
public struct AnthropicStreamDecoder: StreamEventDecoder {
    /// Whether `message_stop` arrived.
    public private(set) var isFinished = false
    private var inputUsage = Usage.zero
    /// Tool-call ordinal of each `tool_use` content block index.
    private var toolIndex: [Int: Int] = [:]
    private var toolHasArguments: Set<Int> = []

    /// A decoder at the start of a stream.
    public init() {}

    /// The deltas of one event.
    public mutating func decode(_ event: SSEEvent) throws(ModelError) -> [ModelDelta] {
        if event.data.isEmpty { return [] }
        let data: JSONValue
        do { data = try JSONCodec.parse(event.data) } catch {
            throw ModelError(.decoding, "invalid JSON in a stream event: \(error)")
        }
        let type = data["type"]?.stringValue ?? event.event
        switch type {
        case "message_start":
            inputUsage = AnthropicCodec.decodeUsage(data["message"]?["usage"])
            inputUsage.completionTokens = 0
            inputUsage.totalTokens = inputUsage.promptTokens
            return []
        case "content_block_start":
            let index = data["index"]?.intValue ?? 0
            let block = data["content_block"]
            switch block?["type"]?.stringValue {
            case "tool_use"?:
                let ordinal = toolIndex.count
                toolIndex[index] = ordinal
                return [
                    ModelDelta(toolCalls: [
                        ToolCallDelta(index: ordinal, id: block?["id"]?.stringValue, name: block?["name"]?.stringValue)
                    ])
                ]
            case "text"?:
                let text = block?["text"]?.stringValue ?? ""
                return text.isEmpty ? [] : [ModelDelta(text: text)]
            default:
                return []
            }
        case "content_block_delta":
            let index = data["index"]?.intValue ?? 0
            let delta = data["delta"]
            switch delta?["type"]?.stringValue {
            case "text_delta"?:
                let text = delta?["text"]?.stringValue ?? ""
                return text.isEmpty ? [] : [ModelDelta(text: text)]
            case "input_json_delta"?:
                guard let ordinal = toolIndex[index] else { return [] }
                let piece = delta?["partial_json"]?.stringValue ?? ""
                if piece.isEmpty { return [] }
                toolHasArguments.insert(ordinal)
                return [ModelDelta(toolCalls: [ToolCallDelta(index: ordinal, arguments: piece)])]
            default:
                return []  // thinking_delta, signature_delta, citations
            }
        case "content_block_stop":
            let index = data["index"]?.intValue ?? 0
            if let ordinal = toolIndex[index], !toolHasArguments.contains(ordinal) {
                toolHasArguments.insert(ordinal)
                return [ModelDelta(toolCalls: [ToolCallDelta(index: ordinal, arguments: "{}")])]
            }
            return []
        case "message_delta":
            var delta = ModelDelta()
            delta.finishReason = AnthropicCodec.finishReason(data["delta"]?["stop_reason"]?.stringValue)
            if let usage = data["usage"] {
                var total = AnthropicCodec.decodeUsage(usage)
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
