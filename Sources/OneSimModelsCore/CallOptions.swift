/// Per-call settings. Fields left `nil` (or empty) fall back to the config's `generate_args`;
/// any field set here wins over them. Values are sent as given: a provider that cannot honour
/// one says so in a `ModelError`, it is never dropped silently.
public struct CallOptions: Sendable, Hashable {
    /// Sampling temperature (`temperature`; providers accept 0…2 or 0…1).
    public var temperature: Double?
    /// The most tokens to generate (`max_tokens`).
    public var maxTokens: Int?
    /// Nucleus sampling (`top_p`).
    public var topP: Double?
    /// Sequences that end the reply when generated (`stop`; Anthropic `stop_sequences`).
    public var stop: [String]?
    /// The total deadline for this call, overriding `client_args.timeout`'s total: it bounds the
    /// whole request, body included, for plain calls and streams alike (a stream ends with
    /// `.timeout` when it passes). Per attempt: a bare adapter's retry starts a new deadline.
    public var timeout: Duration?
    /// Retries of this call by a bare adapter, overriding `client_args.max_retries`. A balancer
    /// calls its members with 0: it is the one retry owner and moves failures elsewhere.
    public var maxRetries: Int?
    /// Functions the model may call (`tools`); empty sends none.
    public var tools: [ToolDefinition]
    /// Whether and which tool the model must call.
    public var toolChoice: ToolChoice?
    /// The shape the reply must have (`json_object`, `json_schema`).
    public var responseFormat: ResponseFormat?
    /// Any other request body fields, merged last (e.g. `["seed": 7, "n": 2]`).
    public var extraBody: [String: JSONValue]
    /// Who this call belongs to (an agent id, a conversation id), for routing only: a balancer
    /// prefers the member that served the same key last, and `strategy: "affinity"` keeps a key
    /// on one member. Never sent to the provider. `nil`: no affinity.
    public var affinityKey: String?
    /// Extra HTTP headers for this call's request (e.g. `x-request-id`), added after the
    /// config's `default_headers`. A header that would carry the credentials or frame the body
    /// (`authorization`, `api-key`, `x-api-key`, `x-goog-api-key`, `content-type`,
    /// `content-length`, `host`, `transfer-encoding`) is not replaced, and a name or value with
    /// characters HTTP does not allow in it (CR, LF, NUL, ...) is left out.
    public var headers: [String: String]

    /// Options with the given fields; every default means "use the config's".
    public init(
        temperature: Double? = nil, maxTokens: Int? = nil, topP: Double? = nil, stop: [String]? = nil,
        timeout: Duration? = nil, maxRetries: Int? = nil, tools: [ToolDefinition] = [], toolChoice: ToolChoice? = nil,
        responseFormat: ResponseFormat? = nil, extraBody: [String: JSONValue] = [:], affinityKey: String? = nil,
        headers: [String: String] = [:]
    ) {
        self.affinityKey = affinityKey
        self.headers = headers
        self.tools = tools
        self.toolChoice = toolChoice
        self.responseFormat = responseFormat
        self.maxRetries = maxRetries
        self.temperature = temperature
        self.maxTokens = maxTokens
        self.topP = topP
        self.stop = stop
        self.timeout = timeout
        self.extraBody = extraBody
    }

    /// No overrides: every field from the config.
    public static let none = CallOptions()

    /// Merges these options over `defaults` (a config's `generate_args`) into OpenAI-style
    /// request body fields (`temperature`, `max_tokens`, `top_p`, `stop`, `tools`, `tool_choice`,
    /// `response_format`, then `extraBody`). Other providers map the typed fields themselves.
    package func bodyFields(over defaults: [String: JSONValue]) -> [String: JSONValue] {
        var body = defaults
        for (k, v) in typedBodyFields() { body[k] = v }
        for (k, v) in extraBody { body[k] = v }
        return body
    }

    /// The typed options in OpenAI's request shape, in a fixed order; empty when none is set.
    func typedBodyFields() -> [(String, JSONValue)] {
        var fields: [(String, JSONValue)] = []
        if let temperature { fields.append(("temperature", .double(temperature))) }
        if let maxTokens { fields.append(("max_tokens", .int(maxTokens))) }
        if let topP { fields.append(("top_p", .double(topP))) }
        if let stop { fields.append(("stop", .array(stop.map(JSONValue.string)))) }
        if !tools.isEmpty {
            fields.append(
                (
                    "tools",
                    .array(
                        tools.map { tool in
                            var function: [String: JSONValue] = ["name": .string(tool.name), "parameters": tool.parameters]
                            if let d = tool.description { function["description"] = .string(d) }
                            if let strict = tool.strict { function["strict"] = .bool(strict) }
                            return ["type": "function", "function": .object(function)]
                        })
                ))
        }
        switch toolChoice {
        case .auto?: fields.append(("tool_choice", "auto"))
        case .none?: fields.append(("tool_choice", "none"))
        case .required?: fields.append(("tool_choice", "required"))
        case .function(let name)?: fields.append(("tool_choice", ["type": "function", "function": ["name": .string(name)]]))
        case nil: break
        }
        switch responseFormat {
        case .text?: fields.append(("response_format", ["type": "text"]))
        case .jsonObject?: fields.append(("response_format", ["type": "json_object"]))
        case .jsonSchema(let name, let schema, let strict)?:
            fields.append(
                (
                    "response_format",
                    [
                        "type": "json_schema",
                        "json_schema": ["name": .string(name), "schema": schema, "strict": .bool(strict)],
                    ]
                ))
        case nil: break
        }
        return fields
    }

    /// Writes what `bodyFields(over:)` would hold straight into `writer`, leaving out every key
    /// for which `reserved` is true (the caller writes those itself, e.g. `model` and `messages`).
    package func writeBodyFields(over defaults: [String: JSONValue], reserved: (String) -> Bool, into writer: inout JSONWriter) {
        let typed = typedBodyFields()
        let hasExtra = !extraBody.isEmpty
        func overriddenByTyped(_ key: String) -> Bool { typed.contains { $0.0 == key } }
        for (key, value) in defaults {
            if reserved(key) || (!typed.isEmpty && overriddenByTyped(key)) || (hasExtra && extraBody[key] != nil) { continue }
            writer.field(key, value)
        }
        for (key, value) in typed {
            if reserved(key) || (hasExtra && extraBody[key] != nil) { continue }
            writer.field(key, value)
        }
        for (key, value) in extraBody where !reserved(key) {
            writer.field(key, value)
        }
    }
}
