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
    /// Any other request body fields, merged last (e.g. `["seed": 7, "n": 2]`).
    public var extraBody: [String: JSONValue]

    /// Options with the given fields.
    public init(
        temperature: Double? = nil, maxTokens: Int? = nil, topP: Double? = nil, stop: [String]? = nil,
        timeout: Duration? = nil, maxRetries: Int? = nil, extraBody: [String: JSONValue] = [:]
    ) {
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

    /// Merges these options over `defaults` (a config's `generate_args`) into request body fields.
    public func bodyFields(over defaults: [String: JSONValue]) -> [String: JSONValue] {
        var body = defaults
        if let temperature { body["temperature"] = .double(temperature) }
        if let maxTokens { body["max_tokens"] = .int(maxTokens) }
        if let topP { body["top_p"] = .double(topP) }
        if let stop { body["stop"] = .array(stop.map(JSONValue.string)) }
        for (k, v) in extraBody { body[k] = v }
        return body
    }
}
