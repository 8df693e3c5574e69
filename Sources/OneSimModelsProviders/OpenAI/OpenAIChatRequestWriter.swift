import OneSimModelsCore

/// Writes Chat Completions request bodies straight into bytes: the same JSON as
/// `OpenAIChatCodec.encodeMessages` plus `CallOptions.bodyFields(over:)`, without building a
/// `JSONValue` tree first. This is the hot path of every OpenAI-compatible call.
enum OpenAIChatRequestWriter {
    /// The request body: `generate_args`, then per-call options, then `model` and `messages`
    /// (and, for a stream, `stream` and `stream_options.include_usage` unless set already).
    static func body(
        model: String, prompt: Prompt, generateArgs: [String: JSONValue], options: CallOptions, stream: Bool = false
    ) async throws(ModelError) -> [UInt8] {
        var writer = JSONWriter(capacity: 256 + prompt.messages.count * 128)
        writer.openObject()
        options.writeBodyFields(
            over: generateArgs,
            reserved: stream ? { $0 == "model" || $0 == "messages" || $0 == "stream" } : { $0 == "model" || $0 == "messages" },
            into: &writer)
        if stream {
            writer.field("stream", .bool(true))
            if generateArgs["stream_options"] == nil && options.extraBody["stream_options"] == nil {
                writer.key("stream_options")
                writer.rawValue(#"{"include_usage":true}"#)
            }
        }
        writer.field("model", string: model)
        writer.key("messages")
        writer.openArray()
        for message in prompt.messages {
            try await write(message, into: &writer)
        }
        writer.closeArray()
        writer.closeObject()
        return writer.bytes
    }

    /// One message in OpenAI's shape (as `OpenAIChatCodec.encode(_:)`).
    static func write(_ message: Message, into writer: inout JSONWriter) async throws(ModelError) {
        writer.openObject()
        writer.field("role", string: message.role.rawValue)
        switch message.content {
        case .text(let text):
            if text.isEmpty && !message.toolCalls.isEmpty { writer.field("content", .null) } else { writer.field("content", string: text) }
        case .parts(let parts):
            writer.key("content")
            writer.openArray()
            for part in parts { try await write(part, into: &writer) }
            writer.closeArray()
        }
        if let name = message.name, !name.isEmpty { writer.field("name", string: name) }
        if !message.toolCalls.isEmpty { writer.openAIToolCalls(message.toolCalls) }
        if let id = message.toolCallID { writer.field("tool_call_id", string: id) }
        writer.closeObject()
    }

    private static func write(_ part: ContentPart, into writer: inout JSONWriter) async throws(ModelError) {
        switch part {
        case .text(let text):
            writer.openObject()
            writer.field("type", string: "text")
            writer.field("text", string: text)
            writer.closeObject()
        case .imageURL(let url, let detail):
            writeImage(url: url, detail: detail, into: &writer)
        case .imageFile(let path, let detail):
            writeImage(url: try await ImageLoader.dataURL(forFile: path), detail: detail, into: &writer)
        case .imageData(let data, let mime, let detail):
            writeImage(url: try ImageLoader.dataURL(bytes: Array(data), mimeType: mime), detail: detail, into: &writer)
        }
    }

    private static func writeImage(url: String, detail: ImageDetail?, into writer: inout JSONWriter) {
        writer.openObject()
        writer.field("type", string: "image_url")
        writer.key("image_url")
        writer.openObject()
        writer.field("url", string: url)
        if let detail { writer.field("detail", string: detail.rawValue) }
        writer.closeObject()
        writer.closeObject()
    }
}

extension JSONWriter {
    /// Writes `"tool_calls": [...]` in OpenAI's shape (`id`, `type: function`, `function` with
    /// `name` and `arguments`): an assistant message of a request, or a gateway's reply.
    package mutating func openAIToolCalls(_ calls: [ToolCall]) {
        key("tool_calls")
        openArray()
        for call in calls {
            openObject()
            field("id", string: call.id)
            field("type", string: "function")
            key("function")
            openObject()
            field("name", string: call.name)
            field("arguments", string: call.arguments)
            closeObject()
            closeObject()
        }
        closeArray()
    }
}
