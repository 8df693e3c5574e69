import OneSimModelsCore

/// Decodes `/api/chat` NDJSON streams: each line's `message.content` is the next piece of text
/// (its `message.thinking` the next piece of reasoning),
/// tool calls arrive whole, and the line with `"done": true` carries the done reason and the
/// counts. An `{"error": ...}` line is thrown as a mapped error.
package struct OllamaStreamDecoder: StreamEventDecoder {
    /// Whether the `done` line arrived.
    package private(set) var isFinished = false
    private var toolCalls = 0

    /// A decoder at the start of a stream.
    package init() {}

    /// The deltas of one line.
    package mutating func decode(_ event: SSEEvent) throws(ModelError) -> [ModelDelta] {
        let line: JSONValue
        do { line = try JSONCodec.parse(event.data) } catch {
            throw ModelError(.decoding, "invalid JSON line in the stream: \(error)")
        }
        if let error = line["error"], !error.isNull {
            throw OllamaErrorMapper.map(
                message: error.stringValue ?? error["message"]?.stringValue ?? "error line in the stream: \(error)",
                status: nil)
        }
        var delta = ModelDelta()
        if let message = try ResponseFields.object(line["message"], "message").map(JSONValue.object) {
            delta.text = try ResponseFields.string(message["content"], "message.content") ?? ""
            delta.reasoning = try OllamaCodec.thinking(message)
            for call in try OllamaCodec.toolCalls(message, from: toolCalls) {
                delta.toolCalls.append(ToolCallDelta(index: toolCalls, id: call.id, name: call.name, arguments: call.arguments))
                toolCalls += 1
            }
        }
        if try ResponseFields.bool(line["done"], "done") == true {
            isFinished = true
            delta.finishReason = OllamaCodec.finishReason(
                try ResponseFields.string(line["done_reason"], "done_reason") ?? "stop", hasToolCalls: toolCalls > 0)
            delta.usage = try OllamaCodec.decodeUsage(line)
        }
        if delta.text.isEmpty && delta.reasoning == nil && delta.toolCalls.isEmpty && delta.finishReason == nil { return [] }
        return [delta]
    }
}
