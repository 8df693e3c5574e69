import OneSimModelsCore

/// Gemini API wire format (`models/{model}:generateContent`): messages → request body,
/// response body → `ModelResponse`.
///
/// System messages become `systemInstruction`; roles are `user` and `model`; images become
/// `inlineData` parts (base64 and MIME type); tool calls of assistant messages become
/// `functionCall` parts and tool messages `functionResponse` parts (named after the call they
/// answer). OpenAI-style options are translated into `generationConfig` (`temperature`, `topP`,
/// `topK`, `maxOutputTokens`, `stopSequences`, `candidateCount`, `seed`, JSON output through
/// `responseMimeType` + `responseJsonSchema`), tools into `functionDeclarations` and
/// `tool_choice` into `toolConfig.functionCallingConfig`.
package enum GeminiCodec {
    static let provider = "Gemini"
    /// Prefix of tool-call ids made up for function calls Gemini sent without an id; such ids
    /// are not sent back.
    static let syntheticIDPrefix = "gemini-call-"
    /// Separates a function call's id from its `thoughtSignature` inside `ToolCall.id`, so the
    /// signature goes back with the call (Gemini 3 requires it in later turns).
    static let signatureSeparator = "|ts:"

    /// The `systemInstruction` (or `nil`) and the `contents` array for `prompt`. Image files are
    /// read (asynchronously) here. Consecutive turns of the same role are merged. Speaker
    /// `name`s are not sent: the API has no field for them.
    package static func encodeContents(_ prompt: Prompt) async throws(ModelError) -> (
        systemInstruction: JSONValue?, contents: JSONValue
    ) {
        var system: [JSONValue] = []
        var contents: [(role: String, parts: [JSONValue])] = []
        let names = ProviderSupport.toolNamesByID(prompt)

        func append(_ role: String, _ parts: [JSONValue]) {
            if let last = contents.last, last.role == role {
                contents[contents.count - 1].parts += parts
            } else {
                contents.append((role, parts))
            }
        }

        for (index, message) in prompt.messages.enumerated() {
            switch message.role {
            case .system:
                if case .parts(let parts) = message.content,
                    parts.contains(where: { if case .text = $0 { return false } else { return true } })
                {
                    throw ModelError(.badRequest, "message \(index): Gemini's systemInstruction takes text only, not images")
                }
                system.append(["text": .string(message.text)])
            case .user:
                append("user", try await encode(message.content))
            case .assistant:
                var parts: [JSONValue] = []
                if case .text(let text) = message.content {
                    if !text.isEmpty || message.toolCalls.isEmpty { parts.append(["text": .string(text)]) }
                } else {
                    parts += try await encode(message.content)
                }
                for call in message.toolCalls {
                    let (id, signature) = splitID(call.id)
                    var functionCall: [String: JSONValue] = [
                        "name": .string(call.name), "args": try ProviderSupport.argumentsObject(call, provider: provider),
                    ]
                    if let id { functionCall["id"] = .string(id) }
                    var part: [String: JSONValue] = ["functionCall": .object(functionCall)]
                    if let signature { part["thoughtSignature"] = .string(signature) }
                    parts.append(.object(part))
                }
                append("model", parts)
            case .tool:
                let name = try ProviderSupport.toolName(for: message, in: names, provider: provider)
                var functionResponse: [String: JSONValue] = ["name": .string(name), "response": response(of: message.text)]
                if let id = splitID(message.toolCallID ?? "").id { functionResponse["id"] = .string(id) }
                append("user", [["functionResponse": .object(functionResponse)]])
            }
        }
        let instruction: JSONValue? = system.isEmpty ? nil : ["parts": .array(system)]
        return (instruction, .array(contents.map { ["role": .string($0.role), "parts": .array($0.parts)] }))
    }

    /// A tool result as the `response` object Gemini needs: a JSON object as is, anything else
    /// as `{"result": <text>}`.
    static func response(of text: String) -> JSONValue {
        if let value = try? JSONCodec.parse(text), case .object = value { return value }
        return ["result": .string(text)]
    }

    /// The id Gemini gave (nil for a made-up one) and the thought signature of a `ToolCall.id`.
    static func splitID(_ id: String) -> (id: String?, signature: String?) {
        var base = Substring(id)
        var signature: String?
        if let range = id.range(of: signatureSeparator) {
            base = id[..<range.lowerBound]
            signature = String(id[range.upperBound...])
        }
        if base.isEmpty || base.hasPrefix(syntheticIDPrefix) { return (nil, signature) }
        return (String(base), signature)
    }

    /// The `ToolCall.id` for a function call part (see `signatureSeparator`).
    static func toolCallID(_ part: JSONValue, ordinal: Int) -> String {
        var id = part["functionCall"]?["id"]?.stringValue ?? "\(syntheticIDPrefix)\(ordinal)"
        if let signature = part["thoughtSignature"]?.stringValue { id += signatureSeparator + signature }
        return id
    }

    private static func encode(_ content: MessageContent) async throws(ModelError) -> [JSONValue] {
        switch content {
        case .text(let text):
            return [["text": .string(text)]]
        case .parts(let parts):
            var out: [JSONValue] = []
            for part in parts {
                switch part {
                case .text(let text):
                    out.append(["text": .string(text)])
                case .imageFile(let path, _):
                    out.append(inline(try await ImageLoader.inlineImage(forFile: path)))
                case .imageData(let data, let mime, _):
                    out.append(inline(try ImageLoader.inlineImage(bytes: Array(data), mimeType: mime)))
                case .imageURL(let url, _):
                    if let image = ImageLoader.inlineImage(dataURL: url) {
                        out.append(inline(image))
                    } else {
                        let ext = url.split(separator: "?").first.map { String($0) }?.split(separator: ".").last.map(String.init)
                        guard let mime = ext.flatMap(ImageLoader.mimeType(forExtension:)) else {
                            throw ModelError(
                                .unsupported,
                                "Gemini takes images inline or as file URIs with a known type; cannot tell the type of '\(url)' (use .imageFile or .imageData)"
                            )
                        }
                        out.append(["fileData": ["mimeType": .string(mime), "fileUri": .string(url)]])
                    }
                }
            }
            return out
        }
    }

    private static func inline(_ image: InlineImage) -> JSONValue {
        ["inlineData": ["mimeType": .string(image.mimeType), "data": .string(image.base64)]]
    }

    /// Keys that sit at the top level of a `generateContent` request (everything else that is
    /// not an OpenAI-style alias goes into `generationConfig`).
    static let topLevelKeys: Set<String> = ["safetySettings", "cachedContent", "toolConfig", "labels"]

    /// The request body: `generate_args`, then per-call options (OpenAI-style or Gemini's own
    /// `generationConfig` names), translated; then `contents` and `systemInstruction`.
    package static func requestBody(
        systemInstruction: JSONValue?, contents: JSONValue, generateArgs: [String: JSONValue], options: CallOptions
    ) throws(ModelError) -> [String: JSONValue] {
        var body: [String: JSONValue] = [:]
        var config: [String: JSONValue] = [:]
        var toolChoice: JSONValue?
        let fields = options.bodyFields(over: generateArgs)
        let aliases: [String: String] = [
            "top_p": "topP", "top_k": "topK", "max_tokens": "maxOutputTokens", "max_completion_tokens": "maxOutputTokens",
            "n": "candidateCount", "presence_penalty": "presencePenalty", "frequency_penalty": "frequencyPenalty",
            "stop": "stopSequences",
        ]
        // Gemini's own names first, so an OpenAI alias set per call wins over a native default.
        for key in ProviderSupport.keysNativeFirst(fields, isAlias: { aliases[$0] != nil }) {
            let value = fields[key]!
            switch key {
            case "stop":
                config["stopSequences"] = ProviderSupport.stopSequences(value)
            case _ where aliases[key] != nil:
                config[aliases[key]!] = value
            case "generationConfig":
                for (k, v) in value.objectValue ?? [:] { config[k] = v }
            case "tools":
                body["tools"] = try translateTools(value)
            case "tool_choice":
                toolChoice = value
            case "response_format":
                switch value["type"]?.stringValue {
                case "text"?: break
                case "json_object"?: config["responseMimeType"] = "application/json"
                case "json_schema"?:
                    guard let schema = value["json_schema"]?["schema"] else {
                        throw ModelError(.badRequest, "response_format json_schema needs a 'schema'")
                    }
                    config["responseMimeType"] = "application/json"
                    config["responseJsonSchema"] = schema
                default:
                    throw ModelError(.badRequest, "unknown response_format \(value)")
                }
            case "logit_bias", "user", "parallel_tool_calls", "stream_options", "top_logprobs":
                throw ProviderSupport.unsupported(key, provider: provider)
            case "contents", "systemInstruction", "model", "messages", "stream":
                continue
            case _ where topLevelKeys.contains(key) || key == "tools":
                body[key] = value
            default:
                config[key] = value  // temperature, seed, thinkingConfig, responseSchema, ...
            }
        }
        if let toolChoice {
            var calling: [String: JSONValue]
            switch toolChoice {
            case "auto": calling = ["mode": "AUTO"]
            case "none": calling = ["mode": "NONE"]
            case "required": calling = ["mode": "ANY"]
            case .object(let object) where object["function"]?["name"] != nil:
                calling = ["mode": "ANY", "allowedFunctionNames": [object["function"]!["name"]!]]
            default:
                throw ModelError(.badRequest, "unknown tool_choice \(toolChoice) for Gemini")
            }
            var toolConfig = body["toolConfig"]?.objectValue ?? [:]
            toolConfig["functionCallingConfig"] = .object(calling)
            body["toolConfig"] = .object(toolConfig)
        }
        if !config.isEmpty { body["generationConfig"] = .object(config) }
        body["contents"] = contents
        if let systemInstruction { body["systemInstruction"] = systemInstruction }
        return body
    }

    /// OpenAI-style tools become one `{"functionDeclarations": [...]}` tool (parameters as
    /// `parametersJsonSchema`, standard JSON Schema); native Gemini tools pass through.
    static func translateTools(_ value: JSONValue) throws(ModelError) -> JSONValue {
        guard let tools = value.arrayValue else {
            throw ModelError(.badRequest, "'tools' must be an array, got \(value.typeName)")
        }
        var declarations: [JSONValue] = []
        var native: [JSONValue] = []
        for tool in tools {
            guard let function = tool["function"], tool["type"] == "function" else {
                native.append(tool)
                continue
            }
            var declaration: [String: JSONValue] = ["name": function["name"] ?? ""]
            if let d = function["description"] { declaration["description"] = d }
            if let parameters = function["parameters"] { declaration["parametersJsonSchema"] = parameters }
            declarations.append(.object(declaration))
        }
        if !declarations.isEmpty { native.insert(["functionDeclarations": .array(declarations)], at: 0) }
        return .array(native)
    }

    /// Decodes a `GenerateContentResponse`: text parts of the first candidate (thought parts
    /// into `reasoning`, never the text), function calls, finish reason and `usageMetadata`. A prompt blocked by the
    /// provider (`promptFeedback.blockReason`, no candidates) is a `.contentFiltered` error.
    package static func decodeResponse(_ raw: JSONValue) throws(ModelError) -> ModelResponse {
        guard let candidate = raw["candidates"]?[0] else {
            if let reason = raw["promptFeedback"]?["blockReason"]?.stringValue {
                throw ModelError(.contentFiltered, "Gemini blocked the prompt (\(reason))", providerCode: reason)
            }
            throw ModelError(.decoding, "response has no candidates: \(OpenAIChatCodec.snippet(raw))")
        }
        let parts = try decodeParts(candidate, firstOrdinal: 0)
        let reason = try ResponseFields.string(candidate["finishReason"], "candidates[0].finishReason")
        return ModelResponse(
            text: parts.text, raw: raw, usage: try decodeUsage(raw["usageMetadata"]),
            finishReason: finishReason(reason, hasToolCalls: !parts.calls.isEmpty),
            toolCalls: parts.calls, requestID: try ResponseFields.string(raw["responseId"], "responseId"),
            reasoning: parts.reasoning)
    }

    /// The text (`nil` when no part is answer text), the reasoning (the text of parts marked
    /// `"thought": true`, which are thought summaries and never part of the text; `nil` when there
    /// is none) and function calls of `candidates[0]`, numbering calls from `firstOrdinal`. A part or field of the wrong JSON
    /// type is a `.decoding` error naming it (`candidates[0].content.parts[1].text`).
    static func decodeParts(_ candidate: JSONValue, firstOrdinal: Int) throws(ModelError) -> (
        text: String?, reasoning: String?, calls: [ToolCall]
    ) {
        guard case .object = candidate else {
            throw ResponseFields.mismatch("candidates[0]", expected: "an object", got: candidate)
        }
        let content = try ResponseFields.object(candidate["content"], "candidates[0].content").map(JSONValue.object)
        var text: String?
        var reasoning: String?
        var calls: [ToolCall] = []
        for (i, part) in (try ResponseFields.array(content?["parts"], "candidates[0].content.parts") ?? []).enumerated() {
            let path = "candidates[0].content.parts[\(i)]"
            guard case .object = part else { throw ResponseFields.mismatch(path, expected: "an object", got: part) }
            if try ResponseFields.bool(part["thought"], "\(path).thought") == true {
                if let t = try ResponseFields.string(part["text"], "\(path).text"), !t.isEmpty {
                    reasoning = (reasoning ?? "") + t
                }
                continue
            }
            if let t = try ResponseFields.string(part["text"], "\(path).text") {
                text = (text ?? "") + t
            } else if let call = try ResponseFields.object(part["functionCall"], "\(path).functionCall") {
                guard let name = try ResponseFields.string(call["name"], "\(path).functionCall.name") else {
                    throw ModelError(.decoding, "\(path).functionCall has no name")
                }
                _ = try ResponseFields.string(call["id"], "\(path).functionCall.id")
                _ = try ResponseFields.string(part["thoughtSignature"], "\(path).thoughtSignature")
                let args = try ResponseFields.object(call["args"], "\(path).functionCall.args") ?? [:]
                calls.append(
                    ToolCall(
                        id: toolCallID(part, ordinal: firstOrdinal + calls.count), name: name,
                        arguments: ProviderSupport.jsonText(.object(args))))
            }
        }
        return (text, reasoning, calls)
    }

    /// `usageMetadata`: `promptTokenCount`; completion is `candidatesTokenCount` plus
    /// `thoughtsTokenCount` (thinking is billed as output), and `thoughtsTokenCount` is also
    /// `reasoningTokens` (a part of completion, not added again); `totalTokenCount` as reported;
    /// `cachedContentTokenCount` (a part of the prompt) as `cachedPromptTokens`.
    /// Each is a token count (`ResponseFields.count`).
    package static func decodeUsage(_ usage: JSONValue?) throws(ModelError) -> Usage {
        guard let usage = try ResponseFields.object(usage, "usageMetadata") else { return .zero }
        func count(_ key: String) throws(ModelError) -> Int? { try ResponseFields.count(usage[key], "usageMetadata.\(key)") }
        let prompt = try count("promptTokenCount") ?? 0
        let thoughts = try count("thoughtsTokenCount") ?? 0
        let completion = try (count("candidatesTokenCount") ?? 0) + thoughts
        return Usage(
            promptTokens: prompt, completionTokens: completion, totalTokens: try count("totalTokenCount"),
            reasoningTokens: thoughts, cachedPromptTokens: try count("cachedContentTokenCount") ?? 0)
    }

    /// `STOP` → `stop` (`tool_calls` when the reply calls functions), `MAX_TOKENS` → `length`,
    /// `SAFETY` and the other filter reasons → `content_filter`; anything else lower-cased.
    package static func finishReason(_ reason: String?, hasToolCalls: Bool) -> String? {
        switch reason {
        case nil, "FINISH_REASON_UNSPECIFIED"?: return hasToolCalls ? "tool_calls" : nil
        case "STOP"?: return hasToolCalls ? "tool_calls" : "stop"
        case "MAX_TOKENS"?: return "length"
        case "SAFETY"?, "RECITATION"?, "BLOCKLIST"?, "PROHIBITED_CONTENT"?, "SPII"?, "IMAGE_SAFETY"?:
            return "content_filter"
        case let other?: return other.lowercased()
        }
    }

    /// The model path segment: `models/{model}` (a `models/` prefix in the config is kept once).
    static func modelPath(_ model: String) -> String {
        model.hasPrefix("models/") ? model : "models/\(model)"
    }
}
