/// OpenAI Chat Completions wire format as `JSONValue`s: messages → `messages`, response →
/// `ModelResponse`. Adapters write and read the same JSON straight from bytes
/// (`OpenAIChatRequestWriter`, `OpenAIChatResponseReader`); tests pin the two paths together.
public enum OpenAIChatCodec {
    /// The `messages` array for `prompt`. Image files are read (asynchronously) here, at send time.
    public static func encodeMessages(_ prompt: Prompt) async throws(ModelError) -> JSONValue {
        var out: [JSONValue] = []
        out.reserveCapacity(prompt.messages.count)
        for message in prompt.messages {
            out.append(try await encode(message))
        }
        return .array(out)
    }

    /// One message in OpenAI's shape.
    public static func encode(_ message: Message) async throws(ModelError) -> JSONValue {
        var m: [String: JSONValue] = ["role": .string(message.role.rawValue)]
        switch message.content {
        case .text(let text):
            m["content"] = (text.isEmpty && !message.toolCalls.isEmpty) ? .null : .string(text)
        case .parts(let parts):
            var encoded: [JSONValue] = []
            for part in parts {
                encoded.append(try await encode(part))
            }
            m["content"] = .array(encoded)
        }
        if let name = message.name, !name.isEmpty { m["name"] = .string(name) }
        if !message.toolCalls.isEmpty {
            m["tool_calls"] = .array(
                message.toolCalls.map { call in
                    [
                        "id": .string(call.id), "type": "function",
                        "function": ["name": .string(call.name), "arguments": .string(call.arguments)],
                    ]
                })
        }
        if let id = message.toolCallID { m["tool_call_id"] = .string(id) }
        return .object(m)
    }

    private static func encode(_ part: ContentPart) async throws(ModelError) -> JSONValue {
        switch part {
        case .text(let text):
            return ["type": "text", "text": .string(text)]
        case .imageURL(let url, let detail):
            return imagePart(url: url, detail: detail)
        case .imageFile(let path, let detail):
            return imagePart(url: try await ImageLoader.dataURL(forFile: path), detail: detail)
        case .imageData(let data, let mime, let detail):
            return imagePart(url: try ImageLoader.dataURL(bytes: Array(data), mimeType: mime), detail: detail)
        }
    }

    private static func imagePart(url: String, detail: ImageDetail?) -> JSONValue {
        var image: [String: JSONValue] = ["url": .string(url)]
        if let detail { image["detail"] = .string(detail.rawValue) }
        return ["type": "image_url", "image_url": .object(image)]
    }

    /// Decodes a Chat Completions response: text of the first choice, finish reason, tool calls, usage.
    public static func decodeResponse(_ raw: JSONValue) throws(ModelError) -> ModelResponse {
        guard let choice = raw["choices"]?[0], let message = choice["message"] else {
            throw ModelError(.decoding, "response has no choices[0].message: \(snippet(raw))")
        }
        return ModelResponse(
            text: message["content"]?.stringValue, raw: raw, usage: decodeUsage(raw["usage"]),
            finishReason: choice["finish_reason"]?.stringValue, toolCalls: decodeToolCalls(message["tool_calls"]),
            refusal: message["refusal"]?.stringValue)
    }

    /// A message's `tool_calls` array (entries without a function name are dropped).
    static func decodeToolCalls(_ value: JSONValue?) -> [ToolCall] {
        (value?.arrayValue ?? []).compactMap { call in
            guard let function = call["function"], let name = function["name"]?.stringValue else { return nil }
            return ToolCall(
                id: call["id"]?.stringValue ?? "", name: name, arguments: function["arguments"]?.stringValue ?? "")
        }
    }

    /// OpenAI's `usage` object (`prompt_tokens`, `completion_tokens`, `total_tokens`).
    public static func decodeUsage(_ usage: JSONValue?) -> Usage {
        guard let usage else { return .zero }
        let prompt = usage["prompt_tokens"]?.intValue ?? 0
        let completion = usage["completion_tokens"]?.intValue ?? 0
        return Usage(promptTokens: prompt, completionTokens: completion, totalTokens: usage["total_tokens"]?.intValue)
    }

    static func snippet(_ value: JSONValue) -> String {
        let text = value.description
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}
