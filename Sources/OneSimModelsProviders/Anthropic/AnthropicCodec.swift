import OneSimModelsCore

/// Anthropic Messages API wire format (`POST /v1/messages`): messages → request body, response
/// body → `ModelResponse`.
///
/// System messages become the top-level `system` field; tool calls of assistant messages become
/// `tool_use` blocks and tool messages `tool_result` blocks of a user turn; images become base64
/// (or URL) `image` blocks. OpenAI-style options are translated (`max_tokens`, `stop` →
/// `stop_sequences`, tools, `tool_choice`, `response_format: json_schema` →
/// `output_config.format`); options Anthropic lacks are an `.unsupported` error.
package enum AnthropicCodec {
    /// `max_tokens` when neither the config nor the call sets one (the API requires it).
    package static let defaultMaxTokens = 4096
    /// The `anthropic-version` header sent unless the config's `anthropic_version` says otherwise.
    package static let defaultVersion = "2023-06-01"
    static let provider = "Anthropic"

    /// The `system` field (or `nil`) and the `messages` array for `prompt`. Image files are read
    /// (asynchronously) here, at send time. Speaker `name`s are not sent: the API has no field
    /// for them.
    package static func encodeMessages(_ prompt: Prompt) async throws(ModelError) -> (system: JSONValue?, messages: JSONValue) {
        var system: [String] = []
        var messages: [[String: JSONValue]] = []

        func append(role: String, blocks: [JSONValue]) {
            // Tool results and the user turn after them form one user message, results first.
            if role == "user", var last = messages.last, last["role"] == "user",
                case .array(let previous)? = last["content"],
                previous.contains(where: { $0["type"] == "tool_result" })
            {
                last["content"] = .array(previous + blocks)
                messages[messages.count - 1] = last
                return
            }
            messages.append(["role": .string(role), "content": .array(blocks)])
        }

        for (index, message) in prompt.messages.enumerated() {
            switch message.role {
            case .system:
                if case .parts(let parts) = message.content,
                    parts.contains(where: { if case .text = $0 { return false } else { return true } })
                {
                    throw ModelError(.badRequest, "message \(index): Anthropic's system prompt takes text only, not images")
                }
                system.append(message.text)
            case .user:
                switch message.content {
                case .text(let text):
                    if let last = messages.last, last["role"] == "user",
                        case .array(let blocks)? = last["content"], blocks.contains(where: { $0["type"] == "tool_result" })
                    {
                        append(role: "user", blocks: [["type": "text", "text": .string(text)]])
                    } else {
                        messages.append(["role": "user", "content": .string(text)])
                    }
                case .parts(let parts):
                    var blocks: [JSONValue] = []
                    for part in parts { blocks.append(try await encode(part)) }
                    append(role: "user", blocks: blocks)
                }
            case .assistant:
                var blocks: [JSONValue] = []
                switch message.content {
                case .text(let text):
                    if !text.isEmpty { blocks.append(["type": "text", "text": .string(text)]) }
                case .parts(let parts):
                    for part in parts { blocks.append(try await encode(part)) }
                }
                for call in message.toolCalls {
                    blocks.append([
                        "type": "tool_use", "id": .string(call.id), "name": .string(call.name),
                        "input": try ProviderSupport.argumentsObject(call, provider: provider),
                    ])
                }
                if message.toolCalls.isEmpty, case .text(let text) = message.content {
                    messages.append(["role": "assistant", "content": .string(text)])
                } else {
                    messages.append(["role": "assistant", "content": .array(blocks)])
                }
            case .tool:
                guard let id = message.toolCallID else {
                    throw ModelError(.badRequest, "message \(index): a tool message needs the toolCallID of the call it answers")
                }
                append(
                    role: "user",
                    blocks: [["type": "tool_result", "tool_use_id": .string(id), "content": .string(message.text)]])
            }
        }
        let systemValue: JSONValue? = system.isEmpty ? nil : .string(system.joined(separator: "\n\n"))
        return (systemValue, .array(messages.map(JSONValue.object)))
    }

    private static func encode(_ part: ContentPart) async throws(ModelError) -> JSONValue {
        switch part {
        case .text(let text):
            return ["type": "text", "text": .string(text)]
        case .imageURL(let url, _):
            if let inline = ImageLoader.inlineImage(dataURL: url) { return imageBlock(inline) }
            return ["type": "image", "source": ["type": "url", "url": .string(url)]]
        case .imageFile(let path, _):
            return imageBlock(try await ImageLoader.inlineImage(forFile: path))
        case .imageData(let data, let mime, _):
            return imageBlock(try ImageLoader.inlineImage(bytes: Array(data), mimeType: mime))
        }
    }

    private static func imageBlock(_ image: InlineImage) -> JSONValue {
        [
            "type": "image",
            "source": ["type": "base64", "media_type": .string(image.mimeType), "data": .string(image.base64)],
        ]
    }

    /// The request body: `generate_args`, then per-call options (both OpenAI-style or native),
    /// translated to the Messages API, then `model`, `system`, `messages` and `max_tokens`
    /// (`defaultMaxTokens` unless set).
    ///
    /// `sampling` says what happens to `temperature`, `top_p` and `top_k` (refused or dropped
    /// under API versions that reject them, `AnthropicSamplingRule`); `version` names the version
    /// in the error.
    package static func requestBody(
        model: String, system: JSONValue?, messages: JSONValue, generateArgs: [String: JSONValue], options: CallOptions,
        stream: Bool = false, sampling: AnthropicSamplingRule = .send, version: String = defaultVersion
    ) throws(ModelError) -> [String: JSONValue] {
        var body: [String: JSONValue] = [:]
        var toolChoice: JSONValue?
        var disableParallel: Bool?
        // Native names first, so an OpenAI alias set per call (e.g. `stop`) wins over a native default.
        let fields = options.bodyFields(over: generateArgs)
        let aliases: Set<String> = ["max_completion_tokens", "max_tokens", "stop"]
        for key in ProviderSupport.keysNativeFirst(fields, isAlias: aliases.contains) {
            guard let value = fields[key], try sampling.admits(key, value: value, version: version) else { continue }
            switch key {
            case "max_tokens", "max_completion_tokens":
                body["max_tokens"] = value
            case "stop":
                body["stop_sequences"] = ProviderSupport.stopSequences(value)
            case "n":
                try ProviderSupport.requireSingleChoice(value, provider: provider)
            case "tools":
                body["tools"] = try translateTools(value)
            case "tool_choice":
                toolChoice = value
            case "parallel_tool_calls":
                disableParallel = value.boolValue.map { !$0 }
            case "response_format":
                if let format = try translateResponseFormat(value) {
                    var config = body["output_config"]?.objectValue ?? [:]
                    config["format"] = format
                    body["output_config"] = .object(config)
                }
            case "user":
                var metadata = body["metadata"]?.objectValue ?? [:]
                metadata["user_id"] = value
                body["metadata"] = .object(metadata)
            case "presence_penalty", "frequency_penalty", "logit_bias", "logprobs", "top_logprobs", "seed",
                "stream_options":
                throw ProviderSupport.unsupported(key, provider: provider)
            case "model", "messages", "system", "stream":
                continue  // set below
            default:
                body[key] = value  // native fields: top_k, metadata, thinking, service_tier, ...
            }
        }
        if toolChoice != nil || disableParallel != nil {
            var choice = try translateToolChoice(toolChoice ?? "auto")
            if let disableParallel, choice["type"] != "none" {
                choice["disable_parallel_tool_use"] = .bool(disableParallel)
            }
            body["tool_choice"] = .object(choice)
        }
        if body["max_tokens"] == nil { body["max_tokens"] = .int(defaultMaxTokens) }
        body["model"] = .string(model)
        body["messages"] = messages
        if let system { body["system"] = system }
        if stream { body["stream"] = true }
        return body
    }

    /// Orders native keys before OpenAI aliases that map onto them.
    /// OpenAI-style tools (`{"type": "function", "function": {...}}`) become
    /// `{"name", "description", "input_schema"}`; native tools pass through.
    static func translateTools(_ value: JSONValue) throws(ModelError) -> JSONValue {
        guard let tools = value.arrayValue else {
            throw ModelError(.badRequest, "'tools' must be an array, got \(value.typeName)")
        }
        return .array(
            tools.map { tool in
                guard let function = tool["function"], tool["type"] == "function" else { return tool }
                var out: [String: JSONValue] = [
                    "name": function["name"] ?? "", "input_schema": function["parameters"] ?? ["type": "object"],
                ]
                if let d = function["description"] { out["description"] = d }
                if let strict = function["strict"] { out["strict"] = strict }
                return .object(out)
            })
    }

    /// `auto`, `none`, `required` (→ `any`) or a named function (→ `tool`); native objects pass through.
    static func translateToolChoice(_ value: JSONValue) throws(ModelError) -> [String: JSONValue] {
        switch value {
        case "auto": return ["type": "auto"]
        case "none": return ["type": "none"]
        case "required", "any": return ["type": "any"]
        case .object(let object):
            if let name = object["function"]?["name"] { return ["type": "tool", "name": name] }
            if let type = object["type"]?.stringValue, ["auto", "any", "tool", "none"].contains(type) { return object }
        default: break
        }
        throw ModelError(.badRequest, "unknown tool_choice \(value) for Anthropic")
    }

    /// `json_schema` → `{"type": "json_schema", "schema"}` (`output_config.format`); `text` →
    /// nothing; `json_object` is unsupported (Anthropic constrains output to a schema only).
    static func translateResponseFormat(_ value: JSONValue) throws(ModelError) -> JSONValue? {
        switch value["type"]?.stringValue {
        case "text"?: return nil
        case "json_schema"?:
            guard let schema = value["json_schema"]?["schema"] else {
                throw ModelError(.badRequest, "response_format json_schema needs a 'schema'")
            }
            return ["type": "json_schema", "schema": schema]
        case "json_object"?:
            throw ProviderSupport.unsupported(
                "response_format json_object", provider: provider,
                hint: "ask for .jsonSchema(...) with a schema, or use a JSON parser on the text")
        default:
            throw ModelError(.badRequest, "unknown response_format \(value)")
        }
    }

    /// Decodes a Messages API response: the text blocks joined, `thinking` blocks joined into
    /// `reasoning` (never into the text; `redacted_thinking` has no text and adds nothing),
    /// `tool_use` blocks as tool calls, the stop reason as a finish reason, and the usage. A block or field of the wrong JSON
    /// type is a `.decoding` error naming it (`content[1].text`, `usage.output_tokens`).
    package static func decodeResponse(_ raw: JSONValue) throws(ModelError) -> ModelResponse {
        guard let content = raw["content"]?.arrayValue else {
            throw ModelError(.decoding, "response has no content array: \(OpenAIChatCodec.snippet(raw))")
        }
        var text = ""
        var sawText = false
        var reasoning = ""
        var calls: [ToolCall] = []
        for (i, block) in content.enumerated() {
            guard case .object = block else { throw ResponseFields.mismatch("content[\(i)]", expected: "an object", got: block) }
            switch try ResponseFields.string(block["type"], "content[\(i)].type") {
            case "text"?:
                text += try ResponseFields.string(block["text"], "content[\(i)].text") ?? ""
                sawText = true
            case "thinking"?:
                reasoning += try ResponseFields.string(block["thinking"], "content[\(i)].thinking") ?? ""
                _ = try ResponseFields.string(block["signature"], "content[\(i)].signature")
            case "tool_use"?:
                guard let name = try ResponseFields.string(block["name"], "content[\(i)].name") else {
                    throw ModelError(.decoding, "content[\(i)] is a tool_use block without a name")
                }
                let input = try ResponseFields.object(block["input"], "content[\(i)].input") ?? [:]
                calls.append(
                    ToolCall(
                        id: try ResponseFields.string(block["id"], "content[\(i)].id") ?? "", name: name,
                        arguments: ProviderSupport.jsonText(.object(input))))
            default:
                continue  // redacted_thinking and server tool blocks stay in `raw`
            }
        }
        return ModelResponse(
            text: sawText || calls.isEmpty ? text : nil, raw: raw, usage: try decodeUsage(raw["usage"]),
            finishReason: finishReason(try ResponseFields.string(raw["stop_reason"], "stop_reason")), toolCalls: calls,
            reasoning: reasoning.isEmpty ? nil : reasoning)
    }

    /// `usage`: prompt tokens are `input_tokens` plus cache writes and reads (all of them are
    /// prompt; the reads are also `cachedPromptTokens`), completion tokens are `output_tokens`;
    /// each a token count
    /// (`ResponseFields.count`), so the sum cannot overflow.
    package static func decodeUsage(_ usage: JSONValue?, field: String = "usage") throws(ModelError) -> Usage {
        guard let usage = try ResponseFields.object(usage, field) else { return .zero }
        var prompt = 0
        for key in ["input_tokens", "cache_creation_input_tokens"] {
            prompt += try ResponseFields.count(usage[key], "\(field).\(key)") ?? 0
        }
        let cached = try ResponseFields.count(usage["cache_read_input_tokens"], "\(field).cache_read_input_tokens") ?? 0
        return Usage(
            promptTokens: prompt + cached,
            completionTokens: try ResponseFields.count(usage["output_tokens"], "\(field).output_tokens") ?? 0,
            cachedPromptTokens: cached)
    }

    /// `end_turn`/`stop_sequence` → `stop`, `max_tokens` → `length`, `tool_use` → `tool_calls`,
    /// `refusal` → `content_filter`; anything else as sent.
    package static func finishReason(_ stopReason: String?) -> String? {
        switch stopReason {
        case nil: return nil
        case "end_turn"?, "stop_sequence"?: return "stop"
        case "max_tokens"?, "model_context_window_exceeded"?: return "length"
        case "tool_use"?: return "tool_calls"
        case "refusal"?: return "content_filter"
        case let other?: return other
        }
    }
}
