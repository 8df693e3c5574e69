/// Per-call settings. Fields left `nil` fall back to the config's `generate_args`; any field
/// set here wins over them.
public struct CallOptions: Sendable, Hashable {
    /// Sampling temperature.
    public var temperature: Double?
    /// The most tokens to generate (`max_tokens`).
    public var maxTokens: Int?
    /// Nucleus sampling (`top_p`).
    public var topP: Double?
    /// Stop sequences.
    public var stop: [String]?
    /// A deadline for this call, overriding `client_args.timeout`.
    public var timeout: Duration?
    /// Retries of this call by a bare adapter, overriding `client_args.max_retries`. A balancer
    /// calls its members with 0: it is the one retry owner and moves failures elsewhere.
    public var maxRetries: Int?
    /// Functions the model may call.
    public var tools: [ToolDefinition]
    /// Whether and which tool the model must call.
    public var toolChoice: ToolChoice?
    /// The shape the reply must have (`json_object`, `json_schema`).
    public var responseFormat: ResponseFormat?
    /// Any other request body fields, merged last (e.g. `["seed": 7, "n": 2]`).
    public var extraBody: [String: JSONValue]

    /// Options with the given fields.
    public init(
        temperature: Double? = nil, maxTokens: Int? = nil, topP: Double? = nil, stop: [String]? = nil,
        timeout: Duration? = nil, maxRetries: Int? = nil, tools: [ToolDefinition] = [], toolChoice: ToolChoice? = nil,
        responseFormat: ResponseFormat? = nil, extraBody: [String: JSONValue] = [:]
    ) {
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

    /// No overrides.
    public static let none = CallOptions()

    /// Merges these options over `defaults` (a config's `generate_args`) into OpenAI-style
    /// request body fields (`temperature`, `max_tokens`, `top_p`, `stop`, `tools`, `tool_choice`,
    /// `response_format`, then `extraBody`). Other providers map the typed fields themselves.
    public func bodyFields(over defaults: [String: JSONValue]) -> [String: JSONValue] {
        var body = defaults
        if let temperature { body["temperature"] = .double(temperature) }
        if let maxTokens { body["max_tokens"] = .int(maxTokens) }
        if let topP { body["top_p"] = .double(topP) }
        if let stop { body["stop"] = .array(stop.map(JSONValue.string)) }
        if !tools.isEmpty {
            body["tools"] = .array(
                tools.map { tool in
                    var function: [String: JSONValue] = ["name": .string(tool.name), "parameters": tool.parameters]
                    if let d = tool.description { function["description"] = .string(d) }
                    if let strict = tool.strict { function["strict"] = .bool(strict) }
                    return ["type": "function", "function": .object(function)]
                })
        }
        switch toolChoice {
        case .auto?: body["tool_choice"] = "auto"
        case .none?: body["tool_choice"] = "none"
        case .required?: body["tool_choice"] = "required"
        case .function(let name)?: body["tool_choice"] = ["type": "function", "function": ["name": .string(name)]]
        case nil: break
        }
        switch responseFormat {
        case .text?: body["response_format"] = ["type": "text"]
        case .jsonObject?: body["response_format"] = ["type": "json_object"]
        case .jsonSchema(let name, let schema, let strict)?:
            body["response_format"] = [
                "type": "json_schema",
                "json_schema": ["name": .string(name), "schema": schema, "strict": .bool(strict)],
            ]
        case nil: break
        }
        for (k, v) in extraBody { body[k] = v }
        return body
    }
}
