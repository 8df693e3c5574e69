import Foundation
import NIOHTTP1
import OneSimModelsCore

/// Everything needed to talk to one deployment of a provider with its own wire protocol
/// (Anthropic, Gemini, Ollama), computed once per config: URL root, headers, timeouts,
/// `generate_args` and the request executor.
package struct ProviderEndpoint: Sendable {
    /// How the API key travels.
    package enum KeyHeader: Sendable, Hashable {
        /// `Authorization: Bearer <key>`.
        case bearer
        /// A header of its own (`x-api-key`, `x-goog-api-key`, `api-key`).
        case named(String)
    }

    /// Who this endpoint is.
    package var identity: EndpointIdentity
    /// The API root without a trailing slash.
    package var baseURL: String
    /// Headers for every request (key, content type, provider headers, `default_headers`).
    package var headers: HTTPHeaders
    /// The config's `client_args` timeouts (connect, read, total), for every request.
    package var timeouts: TimeoutSettings
    /// The config's `generate_args`: body fields sent with every request, each overridden by
    /// the same key in a call's options.
    package var generateArgs: [String: JSONValue]
    /// The request executor (retry loop, records).
    package var executor: CallExecutor

    /// Builds the endpoint of `config`. `api_key` falls back to the `keyEnv` variables,
    /// `base_url` to the `baseURLEnv` variables and then `defaultBaseURL`; empty strings count as
    /// missing. With no key no key header is sent (local servers need none; hosted APIs answer
    /// 401, which maps to `.authentication`). `extraHeaders` come before `default_headers`, which
    /// win.
    package init(
        config: ModelConfig, kind: ModelKind, provider: String, context: ProviderContext, keyEnv: [String],
        baseURLEnv: [String], defaultBaseURL: String, keyHeader: KeyHeader, extraHeaders: [(String, String)] = [],
        defaultKey: String? = nil
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
        for (name, value) in extraHeaders { headers.replaceOrAdd(name: name, value: value) }
        for (name, value) in config.clientArgs.defaultHeaders { headers.replaceOrAdd(name: name, value: value) }
        self.headers = headers
        timeouts = config.clientArgs.timeout
        generateArgs = config.generateArgs
        var policy = RetryPolicy.default
        if let maxRetries = config.clientArgs.maxRetries { policy.maxRetries = maxRetries }
        var secrets = key.map { [$0] } ?? []
        secrets += config.clientArgs.defaultHeaders.filter { ModelConfig.isSecretHeader($0.key) }.map(\.value)
        secrets += SecretRedaction.userInfoSecrets(in: root)
        executor = CallExecutor(
            identity: identity, transport: context.transport, recorder: context.recorder, retryPolicy: policy,
            secrets: secrets, budget: context.budget)
        executor.traceDefaults = CallTraceDefaults(identity: identity, baseURL: root, generateArgs: config.generateArgs)
    }

    /// A POST of `body` to `{base_url}/{path}`.
    package func request(path: String, body: [UInt8]) -> HTTPRequestSpec {
        HTTPRequestSpec(url: baseURL + "/" + path, headers: headers, body: body, timeouts: timeouts)
    }
}
