import OneSimModelsCore

/// Ollama's native API wire format (`POST /api/chat`, `POST /api/embed`).
///
/// Messages keep their roles; images travel as base64 strings in the message's `images` array;
/// tool calls carry their arguments as JSON objects and tool results name the function
/// (`tool_name`). Sampling settings go into `options`: OpenAI-style `max_tokens` becomes
/// `num_predict`, `stop`, `temperature`, `top_p`, `top_k`, `seed` and any other key that is not
/// a top-level request field (`format`, `keep_alive`, `think`, `truncate`, `dimensions`) go
/// into `options` as they are (`num_ctx`, `repeat_penalty`, ...).
package enum OllamaCodec {
    static let provider = "Ollama"
    /// Request fields that sit at the top level rather than in `options`.
    static let topLevelKeys: Set<String> = ["format", "keep_alive", "think", "truncate", "raw", "dimensions"]

    /// The `messages` array for `prompt`. Image files are read (asynchronously) here. Speaker
    /// `name`s are not sent: the API has no field for them.
    package static func encodeMessages(_ prompt: Prompt) async throws(ModelError) -> JSONValue {
        let names = ProviderSupport.toolNamesByID(prompt)
        var out: [JSONValue] = []
        for message in prompt.messages {
            var m: [String: JSONValue] = ["role": .string(message.role.rawValue)]
            var images: [JSONValue] = []
            switch message.content {
            case .text(let text):
                m["content"] = .string(text)
            case .parts(let parts):
                var texts: [String] = []
                for part in parts {
                    switch part {
                    case .text(let t): texts.append(t)
                    case .imageFile(let path, _): images.append(.string(try await ImageLoader.inlineImage(forFile: path).base64))
                    case .imageData(let data, let mime, _):
                        images.append(.string(try ImageLoader.inlineImage(bytes: Array(data), mimeType: mime).base64))
                    case .imageURL(let url, _):
                        guard let inline = ImageLoader.inlineImage(dataURL: url) else {
                            throw ModelError(
                                .unsupported,
                                "Ollama takes images as base64 bytes, not URLs ('\(url.prefix(80))'); use .imageFile or .imageData")
                        }
                        images.append(.string(inline.base64))
                    }
                }
                m["content"] = .string(texts.joined(separator: "\n"))
            }
            if !images.isEmpty { m["images"] = .array(images) }
            if !message.toolCalls.isEmpty {
                var calls: [JSONValue] = []
                for call in message.toolCalls {
                    calls.append([
                        "function": [
                            "name": .string(call.name),
                            "arguments": try ProviderSupport.argumentsObject(call, provider: provider),
                        ]
                    ])
                }
                m["tool_calls"] = .array(calls)
            }
            if message.role == .tool, let id = message.toolCallID, let name = names[id] {
                m["tool_name"] = .string(name)
            }
            out.append(.object(m))
        }
        return .array(out)
    }

    /// Translates `generate_args` and per-call options (OpenAI-style or Ollama's own names) into
    /// top-level fields and `options`. `tools` pass through (Ollama takes OpenAI's tool shape).
    package static func fields(generateArgs: [String: JSONValue], options: CallOptions) throws(ModelError) -> [String: JSONValue] {
        var body: [String: JSONValue] = [:]
        var modelOptions: [String: JSONValue] = [:]
        var dropTools = false
        let fields = options.bodyFields(over: generateArgs)
        let aliases: Set<String> = ["max_tokens", "max_completion_tokens", "stop"]
        for key in ProviderSupport.keysNativeFirst(fields, isAlias: aliases.contains) {
            let value = fields[key]!
            switch key {
            case "max_tokens", "max_completion_tokens":
                modelOptions["num_predict"] = value
            case "stop":
                modelOptions["stop"] = ProviderSupport.stopSequences(value)
            case "n":
                try ProviderSupport.requireSingleChoice(value, provider: provider)
            case "options":
                guard let object = value.objectValue else {
                    throw ModelError(.badRequest, "'options' must be an object of model parameters, got \(value.typeName)")
                }
                for (k, v) in object { modelOptions[k] = v }
            case "tools":
                body["tools"] = value
            case "tool_choice":
                switch value {
                case "auto": break
                case "none": dropTools = true  // no tools offered: the model cannot call one
                default:
                    throw ProviderSupport.unsupported(
                        "tool_choice \(value)", provider: provider, hint: "it cannot force a tool call")
                }
            case "response_format":
                switch value["type"]?.stringValue {
                case "text"?: break
                case "json_object"?: body["format"] = "json"
                case "json_schema"?:
                    guard let schema = value["json_schema"]?["schema"] else {
                        throw ModelError(.badRequest, "response_format json_schema needs a 'schema'")
                    }
                    body["format"] = schema
                default: throw ModelError(.badRequest, "unknown response_format \(value)")
                }
            case "logit_bias", "user", "parallel_tool_calls", "stream_options":
                throw ProviderSupport.unsupported(key, provider: provider)
            case "model", "messages", "input", "stream":
                continue
            case _ where topLevelKeys.contains(key):
                body[key] = value
            default:
                modelOptions[key] = value  // temperature, top_p, top_k, seed, num_ctx, repeat_penalty, ...
            }
        }
        if dropTools { body["tools"] = nil }
        if !modelOptions.isEmpty { body["options"] = .object(modelOptions) }
        return body
    }

    /// Decodes a non-streamed `/api/chat` response (also the final object of a stream);
    /// `message.thinking` is the reasoning, apart from the text. A field of the wrong JSON type
    /// is a `.decoding` error naming it (`message.content`, `eval_count`).
    package static func decodeResponse(_ raw: JSONValue) throws(ModelError) -> ModelResponse {
        guard let message = raw["message"], case .object = message else {
            throw ModelError(.decoding, "response has no message: \(OpenAIChatCodec.snippet(raw))")
        }
        let calls = try toolCalls(message, from: 0)
        let text = try ResponseFields.string(message["content"], "message.content") ?? ""
        let reason = try ResponseFields.string(raw["done_reason"], "done_reason")
        return ModelResponse(
            text: text.isEmpty && !calls.isEmpty ? nil : text, raw: raw, usage: try decodeUsage(raw),
            finishReason: finishReason(reason, hasToolCalls: !calls.isEmpty), toolCalls: calls,
            reasoning: try thinking(message))
    }

    /// A message's `thinking` (a string or `null`); `nil` when missing or empty.
    static func thinking(_ message: JSONValue) throws(ModelError) -> String? {
        let thinking = try ResponseFields.string(message["thinking"], "message.thinking")
        return thinking?.isEmpty == false ? thinking : nil
    }

    /// The tool calls of a message; calls without an id get `call_<n>`. Each needs a
    /// `function.name`; `arguments` is an object (Ollama's form) or JSON text.
    static func toolCalls(_ message: JSONValue, from start: Int) throws(ModelError) -> [ToolCall] {
        var out: [ToolCall] = []
        for (offset, call) in (try ResponseFields.array(message["tool_calls"], "message.tool_calls") ?? []).enumerated() {
            let path = "message.tool_calls[\(offset)]"
            guard case .object = call, let function = try ResponseFields.object(call["function"], "\(path).function"),
                let name = try ResponseFields.string(function["name"], "\(path).function.name")
            else { throw ModelError(.decoding, "\(path) has no function name") }
            let arguments: String
            switch function["arguments"] {
            case .string(let text)?: arguments = text
            case nil, .null?: arguments = "{}"
            case .object(let object)?: arguments = ProviderSupport.jsonText(.object(object))
            case let other?:
                throw ResponseFields.mismatch("\(path).function.arguments", expected: "an object or JSON text", got: other)
            }
            out.append(
                ToolCall(
                    id: try ResponseFields.string(call["id"], "\(path).id") ?? "call_\(start + offset)", name: name,
                    arguments: arguments))
        }
        return out
    }

    /// `prompt_eval_count` and `eval_count`, each a token count (`ResponseFields.count`).
    package static func decodeUsage(_ raw: JSONValue) throws(ModelError) -> Usage {
        Usage(
            promptTokens: try ResponseFields.count(raw["prompt_eval_count"], "prompt_eval_count") ?? 0,
            completionTokens: try ResponseFields.count(raw["eval_count"], "eval_count") ?? 0)
    }

    /// `stop` (`tool_calls` when the reply calls tools), `length`; others as sent.
    package static func finishReason(_ reason: String?, hasToolCalls: Bool) -> String? {
        switch reason {
        case nil: return hasToolCalls ? "tool_calls" : nil
        case "stop"?: return hasToolCalls ? "tool_calls" : "stop"
        case let other?: return other
        }
    }
}
