import NIOHTTP1

/// Everything needed to talk to one OpenAI-compatible deployment, computed once per config.
public struct OpenAIEndpoint: Sendable {
    /// The default API root.
    public static let defaultBaseURL = "https://api.openai.com/v1"

    /// Who this endpoint is.
    public var identity: EndpointIdentity
    /// The API root without a trailing slash.
    public var baseURL: String
    /// Headers for every request (auth, content type, organization, `default_headers`).
    public var headers: HTTPHeaders
    /// Timeouts.
    public var timeouts: TimeoutSettings
    /// `generate_args`.
    public var generateArgs: [String: JSONValue]
    /// The request executor (retry loop, records).
    public var executor: CallExecutor
    /// A query string added to every request URL (Azure's `api-version=...`), without the `?`.
    public var urlQuery: String?

    /// Builds the endpoint of `config`: `api_key` falls back to `keyEnv`, `base_url` to
    /// `baseURLEnv` and then `defaultBaseURL`; empty strings count as missing. With no key at
    /// all no `Authorization` header is sent (local servers need none). `keyHeader` says how the
    /// key travels (default `Authorization: Bearer`; Azure uses `api-key`).
    public init(
        config: ModelConfig, kind: ModelKind, provider: String, context: ProviderContext,
        keyEnv: [String] = ["OPENAI_API_KEY"], baseURLEnv: [String] = ["OPENAI_BASE_URL"],
        defaultBaseURL: String = OpenAIEndpoint.defaultBaseURL, defaultKey: String? = nil,
        keyHeader: ProviderEndpoint.KeyHeader = .bearer
    ) {
        identity = EndpointIdentity(
            configName: config.configName, modelName: config.resolvedModelName, provider: provider, kind: kind)
        var key = config.apiKey.flatMap { $0.isEmpty ? nil : $0 }
        for name in keyEnv where key == nil {
            if let v = context.environment[name], !v.isEmpty { key = v }
        }
        key = key ?? defaultKey
        var base = config.clientArgs.baseURL.flatMap { $0.isEmpty ? nil : $0 }
        for name in baseURLEnv where base == nil {
            if let v = context.environment[name], !v.isEmpty { base = v }
        }
        var root = base ?? defaultBaseURL
        while root.hasSuffix("/") { root.removeLast() }
        baseURL = root
        var headers = HTTPHeaders()
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "accept", value: "application/json")
        headers.add(name: "user-agent", value: "OneSimModels/1.0")
        if let key {
            switch keyHeader {
            case .bearer: headers.add(name: "authorization", value: "Bearer \(key)")
            case .named(let name): headers.add(name: name, value: key)
            }
        }
        if let org = config.organization, !org.isEmpty { headers.add(name: "openai-organization", value: org) }
        for (name, value) in config.clientArgs.defaultHeaders { headers.replaceOrAdd(name: name, value: value) }
        self.headers = headers
        timeouts = config.clientArgs.timeout
        generateArgs = config.generateArgs
        var policy = RetryPolicy.default
        if let maxRetries = config.clientArgs.maxRetries { policy.maxRetries = maxRetries }
        var secrets = key.map { [$0] } ?? []
        secrets += config.clientArgs.defaultHeaders.filter { ModelConfig.isSecretHeader($0.key) }.map(\.value)
        executor = CallExecutor(
            identity: identity, transport: context.transport, recorder: context.recorder, retryPolicy: policy,
            secrets: secrets, budget: context.budget)
    }

    /// A POST of `body` to `{base_url}/{path}` (plus `?{urlQuery}` when set).
    public func request(path: String, body: [UInt8]) -> HTTPRequestSpec {
        var url = baseURL + "/" + path
        if let urlQuery { url += "?" + urlQuery }
        return HTTPRequestSpec(url: url, headers: headers, body: body, timeouts: timeouts)
    }
}
