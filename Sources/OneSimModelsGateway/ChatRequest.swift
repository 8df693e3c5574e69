import OneSimModels

/// An OpenAI `/v1/chat/completions` body, translated to what the registry's models take.
///
/// Every field is type- and range-checked; a problem is a 400 naming the field
/// (`messages[2].content[0].image_url`). Fields the gateway does not interpret are passed to
/// the member in `extraBody`, where a provider that cannot honour one refuses the call with an
/// error naming it (never dropped silently).
struct ChatRequest: Sendable {
    var model: String
    var prompt: Prompt
    var options: CallOptions
    var stream: Bool
    var includeUsage: Bool

    /// Fields read here, never passed on as they are.
    static let interpreted: Set<String> = [
        "model", "messages", "stream", "stream_options", "user", "n", "temperature", "top_p", "max_tokens",
        "max_completion_tokens", "stop", "tools", "tool_choice", "response_format", "functions", "function_call",
    ]

    init(_ body: JSONValue) throws(GatewayError) {
        guard case .object(let object) = body else {
            throw GatewayError(400, "the request body must be a JSON object, got \(body.typeName)", code: "invalid_type")
        }
        model = try Field.requiredString(object, "model")
        guard case .array(let rawMessages)? = object["messages"] else {
            if let v = object["messages"] {
                throw GatewayError.invalid("messages", "'messages' must be an array of messages, got \(v.typeName)", code: "invalid_type")
            }
            throw GatewayError.invalid("messages", "missing required parameter: 'messages'", code: "missing_required_parameter")
        }
        guard !rawMessages.isEmpty else {
            throw GatewayError.invalid("messages", "'messages' must hold at least one message", code: "empty_array")
        }
        var messages: [Message] = []
        messages.reserveCapacity(rawMessages.count)
        for (i, raw) in rawMessages.enumerated() { messages.append(try Self.message(raw, at: "messages[\(i)]")) }
        prompt = Prompt(messages)

        stream = try Field.bool(object, "stream") ?? false
        includeUsage = false
        if let raw = object["stream_options"], !raw.isNull {
            guard case .object(let so) = raw else {
                throw GatewayError.invalid("stream_options", "'stream_options' must be an object, got \(raw.typeName)", code: "invalid_type")
            }
            includeUsage = try Field.bool(so, "include_usage", prefix: "stream_options.") ?? false
        }
        if let n = try Field.int(object, "n", in: 1...128), n != 1 {
            throw GatewayError.invalid("n", "'n' must be 1: the gateway returns one choice per request (send \(n) requests instead)", code: "unsupported_value")
        }
        for legacy in ["functions", "function_call"] where object[legacy] != nil {
            throw GatewayError.invalid(legacy, "'\(legacy)' is deprecated and not supported; use 'tools' and 'tool_choice'", code: "unsupported_parameter")
        }

        var options = CallOptions()
        options.temperature = try Field.double(object, "temperature", in: 0...2)
        options.topP = try Field.double(object, "top_p", in: 0...1)
        let legacyMaxTokens = try Field.int(object, "max_tokens", in: 1...100_000_000)
        options.maxTokens = try Field.int(object, "max_completion_tokens", in: 1...100_000_000) ?? legacyMaxTokens
        if let raw = object["stop"], !raw.isNull {
            switch raw {
            case .string(let s): options.stop = [s]
            case .array(let items) where items.count <= 16 && items.allSatisfy({ $0.stringValue != nil }):
                options.stop = items.compactMap(\.stringValue)
            default:
                throw GatewayError.invalid("stop", "'stop' must be a string or an array of at most 16 strings, got \(raw.typeName)", code: "invalid_type")
            }
        }
        if let raw = object["tools"], !raw.isNull {
            guard case .array(let items) = raw else {
                throw GatewayError.invalid("tools", "'tools' must be an array, got \(raw.typeName)", code: "invalid_type")
            }
            options.tools = try items.enumerated().map { (i, item) throws(GatewayError) in try Self.tool(item, at: "tools[\(i)]") }
        }
        if let raw = object["tool_choice"], !raw.isNull { options.toolChoice = try Self.toolChoice(raw) }
        if let raw = object["response_format"], !raw.isNull { options.responseFormat = try Self.responseFormat(raw) }
        if let raw = object["user"], !raw.isNull {
            guard let user = raw.stringValue else {
                throw GatewayError.invalid("user", "'user' must be a string, got \(raw.typeName)", code: "invalid_type")
            }
            if !user.isEmpty { options.affinityKey = user }
        }
        if let raw = object["seed"], !raw.isNull, raw.intValue == nil {
            throw GatewayError.invalid("seed", "'seed' must be an integer, got \(raw.typeName)", code: "invalid_type")
        }
        for (key, value) in object where !Self.interpreted.contains(key) { options.extraBody[key] = value }
        self.options = options
    }

    // MARK: Messages

    static func message(_ raw: JSONValue, at path: String) throws(GatewayError) -> Message {
        guard case .object(let object) = raw else {
            throw GatewayError.invalid(path, "'\(path)' must be an object, got \(raw.typeName)", code: "invalid_type")
        }
        let roleName = try Field.requiredString(object, "role", prefix: "\(path).")
        let role: Role
        switch roleName {
        case "system", "developer": role = .system
        case "user": role = .user
        case "assistant": role = .assistant
        case "tool": role = .tool
        default:
            throw GatewayError.invalid(
                "\(path).role", "'\(path).role' must be one of system, developer, user, assistant, tool; got '\(roleName.prefix(40))'")
        }
        var content = MessageContent.text("")
        switch object["content"] {
        case nil, .null?: break
        case .string(let s)?: content = .text(s)
        case .array(let parts)?:
            var out: [ContentPart] = []
            for (j, part) in parts.enumerated() { out.append(try Self.part(part, at: "\(path).content[\(j)]")) }
            content = .parts(out)
        case let other?:
            throw GatewayError.invalid("\(path).content", "'\(path).content' must be a string, an array of parts or null, got \(other.typeName)", code: "invalid_type")
        }
        let name = try Field.string(object, "name", prefix: "\(path).")
        var toolCalls: [ToolCall] = []
        if let raw = object["tool_calls"], !raw.isNull {
            guard role == .assistant, case .array(let calls) = raw else {
                throw GatewayError.invalid("\(path).tool_calls", "'\(path).tool_calls' must be an array, on an assistant message", code: "invalid_type")
            }
            for (j, call) in calls.enumerated() {
                let at = "\(path).tool_calls[\(j)]"
                guard case .object(let c) = call, case .object(let function)? = c["function"] else {
                    throw GatewayError.invalid(at, "'\(at)' must be {\"id\", \"type\": \"function\", \"function\": {\"name\", \"arguments\"}}", code: "invalid_type")
                }
                toolCalls.append(
                    ToolCall(
                        id: try Field.requiredString(c, "id", prefix: "\(at)."),
                        name: try Field.requiredString(function, "name", prefix: "\(at).function."),
                        arguments: try Field.string(function, "arguments", prefix: "\(at).function.") ?? "{}"))
            }
        }
        let toolCallID = try Field.string(object, "tool_call_id", prefix: "\(path).")
        if role == .tool && toolCallID == nil {
            throw GatewayError.invalid("\(path).tool_call_id", "missing required parameter: '\(path).tool_call_id' (a tool message answers a tool call)", code: "missing_required_parameter")
        }
        return Message(role: role, content: content, name: name, toolCalls: toolCalls, toolCallID: toolCallID)
    }

    /// A content part: text or an image by URL (`https:` or a `data:` URL). Local file paths
    /// are never read on a client's behalf.
    static func part(_ raw: JSONValue, at path: String) throws(GatewayError) -> ContentPart {
        guard case .object(let object) = raw else {
            throw GatewayError.invalid(path, "'\(path)' must be a content part object, got \(raw.typeName)", code: "invalid_type")
        }
        let type = try Field.requiredString(object, "type", prefix: "\(path).")
        switch type {
        case "text":
            return .text(try Field.requiredString(object, "text", prefix: "\(path).", allowEmpty: true))
        case "image_url":
            let url: String
            var detail: ImageDetail?
            switch object["image_url"] {
            case .string(let s)?: url = s
            case .object(let image)?:
                url = try Field.requiredString(image, "url", prefix: "\(path).image_url.")
                if let d = try Field.string(image, "detail", prefix: "\(path).image_url.") {
                    guard let parsed = ImageDetail(rawValue: d) else {
                        throw GatewayError.invalid("\(path).image_url.detail", "'\(path).image_url.detail' must be auto, low or high")
                    }
                    detail = parsed
                }
            default:
                throw GatewayError.invalid("\(path).image_url", "'\(path).image_url' must be {\"url\": ...}", code: "invalid_type")
            }
            let lower = url.prefix(8).lowercased()
            guard lower.hasPrefix("https://") || lower.hasPrefix("http://") || lower.hasPrefix("data:") else {
                throw GatewayError.invalid("\(path).image_url.url", "'\(path).image_url.url' must be an http(s) or data: URL")
            }
            return .imageURL(url, detail: detail)
        default:
            throw GatewayError.invalid(
                "\(path).type", "content part type '\(type.prefix(40))' is not supported by the gateway (supported: text, image_url)",
                code: "unsupported_value")
        }
    }

    // MARK: Tools and formats

    static func tool(_ raw: JSONValue, at path: String) throws(GatewayError) -> ToolDefinition {
        guard case .object(let object) = raw, case .object(let function)? = object["function"] else {
            throw GatewayError.invalid(path, "'\(path)' must be {\"type\": \"function\", \"function\": {\"name\", \"parameters\"}}", code: "invalid_type")
        }
        if let type = object["type"], type.stringValue != "function" {
            throw GatewayError.invalid("\(path).type", "'\(path).type' must be 'function'", code: "unsupported_value")
        }
        var tool = ToolDefinition(name: try Field.requiredString(function, "name", prefix: "\(path).function."))
        tool.description = try Field.string(function, "description", prefix: "\(path).function.")
        if let parameters = function["parameters"], !parameters.isNull {
            guard case .object = parameters else {
                throw GatewayError.invalid("\(path).function.parameters", "'\(path).function.parameters' must be a JSON Schema object", code: "invalid_type")
            }
            tool.parameters = parameters
        }
        tool.strict = try Field.bool(function, "strict", prefix: "\(path).function.")
        return tool
    }

    static func toolChoice(_ raw: JSONValue) throws(GatewayError) -> ToolChoice {
        switch raw {
        case .string("auto"): return .auto
        case .string("none"): return ToolChoice.none
        case .string("required"): return .required
        case .object(let object):
            guard case .object(let function)? = object["function"] else { break }
            return .function(try Field.requiredString(function, "name", prefix: "tool_choice.function."))
        default: break
        }
        throw GatewayError.invalid("tool_choice", "'tool_choice' must be 'auto', 'none', 'required' or {\"type\": \"function\", \"function\": {\"name\": ...}}")
    }

    static func responseFormat(_ raw: JSONValue) throws(GatewayError) -> ResponseFormat {
        guard case .object(let object) = raw else {
            throw GatewayError.invalid("response_format", "'response_format' must be an object, got \(raw.typeName)", code: "invalid_type")
        }
        switch try Field.requiredString(object, "type", prefix: "response_format.") {
        case "text": return .text
        case "json_object": return .jsonObject
        case "json_schema":
            guard case .object(let spec)? = object["json_schema"] else {
                throw GatewayError.invalid("response_format.json_schema", "missing required parameter: 'response_format.json_schema'", code: "missing_required_parameter")
            }
            let name = try Field.requiredString(spec, "name", prefix: "response_format.json_schema.")
            let schema = spec["schema"] ?? ["type": "object"]
            guard case .object = schema else {
                throw GatewayError.invalid("response_format.json_schema.schema", "'response_format.json_schema.schema' must be a JSON Schema object", code: "invalid_type")
            }
            return .jsonSchema(name: name, schema: schema, strict: try Field.bool(spec, "strict", prefix: "response_format.json_schema.") ?? false)
        case let other:
            throw GatewayError.invalid("response_format.type", "'response_format.type' must be text, json_object or json_schema, got '\(other.prefix(40))'", code: "unsupported_value")
        }
    }
}

/// Typed, range-checked reads of request fields; every failure names the field.
enum Field {
    static func requiredString(_ object: [String: JSONValue], _ key: String, prefix: String = "", allowEmpty: Bool = false) throws(GatewayError) -> String {
        guard let raw = object[key], !raw.isNull else {
            throw GatewayError.invalid("\(prefix)\(key)", "missing required parameter: '\(prefix)\(key)'", code: "missing_required_parameter")
        }
        guard let s = raw.stringValue, allowEmpty || !s.isEmpty else {
            throw GatewayError.invalid("\(prefix)\(key)", "'\(prefix)\(key)' must be a non-empty string, got \(raw.typeName)", code: "invalid_type")
        }
        return s
    }

    static func string(_ object: [String: JSONValue], _ key: String, prefix: String = "") throws(GatewayError) -> String? {
        guard let raw = object[key], !raw.isNull else { return nil }
        guard let s = raw.stringValue else {
            throw GatewayError.invalid("\(prefix)\(key)", "'\(prefix)\(key)' must be a string, got \(raw.typeName)", code: "invalid_type")
        }
        return s
    }

    static func bool(_ object: [String: JSONValue], _ key: String, prefix: String = "") throws(GatewayError) -> Bool? {
        guard let raw = object[key], !raw.isNull else { return nil }
        guard let b = raw.boolValue else {
            throw GatewayError.invalid("\(prefix)\(key)", "'\(prefix)\(key)' must be a boolean, got \(raw.typeName)", code: "invalid_type")
        }
        return b
    }

    static func double(_ object: [String: JSONValue], _ key: String, in range: ClosedRange<Double>) throws(GatewayError) -> Double? {
        guard let raw = object[key], !raw.isNull else { return nil }
        guard let d = raw.doubleValue, d.isFinite, range.contains(d) else {
            throw GatewayError.invalid(key, "'\(key)' must be a number from \(range.lowerBound) to \(range.upperBound), got \(raw.typeName == "number" ? "\(raw)" : raw.typeName)")
        }
        return d
    }

    static func int(_ object: [String: JSONValue], _ key: String, in range: ClosedRange<Int>) throws(GatewayError) -> Int? {
        guard let raw = object[key], !raw.isNull else { return nil }
        guard let n = raw.intValue, range.contains(n) else {
            throw GatewayError.invalid(key, "'\(key)' must be an integer from \(range.lowerBound) to \(range.upperBound), got \(raw.typeName == "number" ? "\(raw)" : raw.typeName)")
        }
        return n
    }
}
