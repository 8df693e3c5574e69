/// `client_args`: how to reach the server.
public struct ClientArgs: Sendable, Hashable {
    /// The API root, e.g. `https://api.openai.com/v1` (no trailing slash needed).
    public var baseURL: String?
    /// This config's connect, read and total timeouts (`client_args.timeout`); unset connect and
    /// read take the manager's `HTTPSettings.timeout`.
    public var timeout: TimeoutSettings
    /// Retries of a bare adapter (default 2). Inside a balancer the balancer's `max_retries` rules.
    public var maxRetries: Int?
    /// Headers added to every request of this config (`client_args.default_headers`), set after
    /// the provider's own, so one of the same name replaces it; values of secret-looking headers
    /// are scrubbed from errors like keys.
    public var defaultHeaders: [String: String]

    /// Client args with the given values.
    public init(
        baseURL: String? = nil, timeout: TimeoutSettings = .default, maxRetries: Int? = nil,
        defaultHeaders: [String: String] = [:]
    ) {
        self.baseURL = baseURL
        self.timeout = timeout
        self.maxRetries = maxRetries
        self.defaultHeaders = defaultHeaders
    }
}

/// One validated model config: a named deployment of a model (or a load balancer).
///
/// Built by `ModelManager.loadModelConfigs(...)` from the JSON keys of the original
/// (`config_name`, `model_type`, `model_name`, `api_key`, `organization`, `client_args`,
/// `generate_args`, `stream`, ...). `${ENV}` references are already expanded and empty strings
/// already treated as missing. Its `description` never shows the API key.
public struct ModelConfig: Sendable, Hashable, CustomStringConvertible {
    /// The unique name models are looked up by.
    public var configName: String
    /// The registered model type (`openai_chat`, `openai_embedding`, `vllm_chat`, `load_balancer`, ...).
    public var modelType: String
    /// The provider's model name; `nil` means the config name.
    public var modelName: String?
    /// The API key, or `nil` for the provider's environment fallback.
    public var apiKey: String?
    /// The `OpenAI-Organization` header value; `nil` sends none (other providers ignore it).
    public var organization: String?
    /// Base URL, timeouts, retries and extra headers (`client_args`).
    public var clientArgs: ClientArgs
    /// Default request body fields; per-call options win over them.
    public var generateArgs: [String: JSONValue]
    /// Whether calls stream under the hood.
    public var stream: Bool
    /// Keys specific to the model type (a balancer's `models` and `strategy`, a deployment's
    /// `weight` or `rpm`, ...), validated against the type's declared keys.
    public var options: [String: JSONValue]
    /// Where the config came from (a file path, or `"JSON"`), for error messages.
    public var source: String

    /// A config with the given values, as code builds it (`source` defaults to `"code"`); it is
    /// validated when given to `ModelManager.loadModelConfigs(_:)`.
    public init(
        configName: String, modelType: String, modelName: String? = nil, apiKey: String? = nil,
        organization: String? = nil, clientArgs: ClientArgs = ClientArgs(), generateArgs: [String: JSONValue] = [:],
        stream: Bool = false, options: [String: JSONValue] = [:], source: String = "code"
    ) {
        self.configName = configName
        self.modelType = modelType
        self.modelName = modelName
        self.apiKey = apiKey
        self.organization = organization
        self.clientArgs = clientArgs
        self.generateArgs = generateArgs
        self.stream = stream
        self.options = options
        self.source = source
    }

    /// The model name sent to the provider: `modelName`, or the config name.
    public var resolvedModelName: String { modelName ?? configName }

    /// This config with the API key replaced by `"***"`.
    public var redacted: ModelConfig {
        var copy = self
        if copy.apiKey != nil { copy.apiKey = "***" }
        for key in copy.clientArgs.defaultHeaders.keys where Self.isSecretHeader(key) {
            copy.clientArgs.defaultHeaders[key] = "***"
        }
        return copy
    }

    /// Whether a header carries credentials and must never be shown.
    package static func isSecretHeader(_ name: String) -> Bool {
        let lower = name.lowercased()
        return lower == "authorization" || lower.contains("api-key") || lower.contains("api_key") || lower.contains("token")
            || lower.contains("secret")
    }

    /// Name, type, model and URL; never the key.
    public var description: String {
        var s = "ModelConfig(\(configName), type: \(modelType), model: \(resolvedModelName)"
        if let base = clientArgs.baseURL { s += ", base_url: \(redactedURL(base))" }
        if apiKey != nil { s += ", api_key: ***" }
        return s + ")"
    }
}
