import OneSimModelsCore

/// OpenAI Chat Completions wire format as `JSONValue`s: messages → `messages`, response →
/// `ModelResponse`. Adapters write and read the same JSON straight from bytes
/// (`OpenAIChatRequestWriter`, `OpenAIChatResponseReader`); tests pin the two paths together.
package enum OpenAIChatCodec {
    /// The `messages` array for `prompt`. Image files are read (asynchronously) here, at send time.
    package static func encodeMessages(_ prompt: Prompt) async throws(ModelError) -> JSONValue {
        var out: [JSONValue] = []
        out.reserveCapacity(prompt.messages.count)
        for message in prompt.messages {
            out.append(try await encode(message))
        }
        return .array(out)
    }

    /// One message in OpenAI's shape.
    package static func encode(_ message: Message) async throws(ModelError) -> JSONValue {
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

    /// Decodes a Chat Completions response: text of the first choice, finish reason, tool calls,
    /// usage. `content` may be a string or an array of content parts (`ResponseFields.content`);
    /// any field read here that holds the wrong JSON type is a `.decoding` error naming it.
    package static func decodeResponse(_ raw: JSONValue) throws(ModelError) -> ModelResponse {
        guard let choice = raw["choices"]?[0], let message = choice["message"], case .object = message else {
            throw ModelError(.decoding, "response has no choices[0].message: \(snippet(raw))")
        }
        let content = try ResponseFields.content(message["content"], "choices[0].message.content")
        let refusal = try ResponseFields.string(message["refusal"], "choices[0].message.refusal")
        let calls = try decodeToolCalls(message["tool_calls"], field: "choices[0].message.tool_calls")
        let finishReason = try ResponseFields.string(choice["finish_reason"], "choices[0].finish_reason")
        let reasoning = try decodeReasoning(message, field: "choices[0].message")
        return ModelResponse(
            text: content.text, raw: raw, usage: try decodeUsage(raw["usage"]), finishReason: finishReason,
            toolCalls: calls, refusal: joined(refusal, content.refusal), reasoning: reasoning)
    }

    /// The reasoning of a message or stream delta as vLLM, SGLang and DeepSeek report it:
    /// `reasoning_content`, or `reasoning` (vLLM's newer name) when that is absent or empty;
    /// both are type-checked (a string or `null`). When a server sends both (the same text under
    /// two names) only `reasoning_content` is taken, never the two joined. Empty is `nil`.
    static func decodeReasoning(_ message: JSONValue, field: String) throws(ModelError) -> String? {
        let content = try ResponseFields.string(message["reasoning_content"], "\(field).reasoning_content")
        let other = try ResponseFields.string(message["reasoning"], "\(field).reasoning")
        return reasoning(content, other)
    }

    /// `reasoning_content` unless it is missing or empty, else `reasoning`; `nil` when both are.
    static func reasoning(_ content: String?, _ other: String?) -> String? {
        if let content, !content.isEmpty { return content }
        if let other, !other.isEmpty { return other }
        return nil
    }

    /// `a` and `b` joined, or whichever is present.
    static func joined(_ a: String?, _ b: String?) -> String? {
        guard let a else { return b }
        guard let b else { return a }
        return a + b
    }

    /// A message's `tool_calls` array. Each call needs a `function` object with a string
    /// `name`; `arguments` is a string (an object, as some compatible servers send, becomes its
    /// JSON text) and `id` a string, both optional.
    static func decodeToolCalls(_ value: JSONValue?, field: String) throws(ModelError) -> [ToolCall] {
        guard let calls = try ResponseFields.array(value, field) else { return [] }
        var out: [ToolCall] = []
        out.reserveCapacity(calls.count)
        for (i, call) in calls.enumerated() {
            let path = "\(field)[\(i)]"
            guard try ResponseFields.object(call, path) != nil,
                let function = try ResponseFields.object(call["function"], "\(path).function"),
                let name = try ResponseFields.string(function["name"], "\(path).function.name")
            else { throw ModelError(.decoding, "\(path) has no function name") }
            let arguments: String
            if let object = function["arguments"], case .object = object {
                arguments = ProviderSupport.jsonText(object)
            } else {
                arguments = try ResponseFields.string(function["arguments"], "\(path).function.arguments") ?? ""
            }
            out.append(ToolCall(id: try ResponseFields.string(call["id"], "\(path).id") ?? "", name: name, arguments: arguments))
        }
        return out
    }

    /// OpenAI's `usage` object (`prompt_tokens`, `completion_tokens`, `total_tokens`, and
    /// `completion_tokens_details.reasoning_tokens` as `reasoningTokens`,
    /// `prompt_tokens_details.cached_tokens` as `cachedPromptTokens`), each a token count
    /// (`ResponseFields.count`); `null` or missing is zero usage.
    package static func decodeUsage(_ usage: JSONValue?, field: String = "usage") throws(ModelError) -> Usage {
        guard let usage = try ResponseFields.object(usage, field) else { return .zero }
        let prompt = try ResponseFields.count(usage["prompt_tokens"], "\(field).prompt_tokens") ?? 0
        let completion = try ResponseFields.count(usage["completion_tokens"], "\(field).completion_tokens") ?? 0
        let total = try ResponseFields.count(usage["total_tokens"], "\(field).total_tokens")
        let details = try ResponseFields.object(usage["completion_tokens_details"], "\(field).completion_tokens_details")
        let reasoning = try ResponseFields.count(
            details?["reasoning_tokens"], "\(field).completion_tokens_details.reasoning_tokens")
        let promptDetails = try ResponseFields.object(usage["prompt_tokens_details"], "\(field).prompt_tokens_details")
        let cached = try ResponseFields.count(promptDetails?["cached_tokens"], "\(field).prompt_tokens_details.cached_tokens")
        return Usage(
            promptTokens: prompt, completionTokens: completion, totalTokens: total, reasoningTokens: reasoning ?? 0,
            cachedPromptTokens: cached ?? 0)
    }

    static func snippet(_ value: JSONValue) -> String {
        let text = value.description
        return text.count > 200 ? String(text.prefix(200)) + "…" : text
    }
}
