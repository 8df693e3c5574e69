import NIOHTTP1
import OneSimModelsCore

/// Everything needed to talk to one OpenAI-compatible deployment, computed once per config.
package struct OpenAIEndpoint: Sendable {
    /// The default API root.
    package static let defaultBaseURL = "https://api.openai.com/v1"

    /// Who this endpoint is.
    package var identity: EndpointIdentity
    /// The API root without a trailing slash.
    package var baseURL: String
    /// Headers for every request (auth, content type, organization, `default_headers`).
    package var headers: HTTPHeaders
    /// The config's `client_args` timeouts (connect, read, total), for every request.
    package var timeouts: TimeoutSettings
    /// The config's `generate_args`: body fields sent with every request, each overridden by
    /// the same key in a call's options.
    package var generateArgs: [String: JSONValue]
    /// The request executor (retry loop, records).
    package var executor: CallExecutor
    /// A query string added to every request URL (Azure's `api-version=...`), without the `?`.
    package var urlQuery: String?

    /// Builds the endpoint of `config`: `api_key` falls back to `keyEnv`, `base_url` to
    /// `baseURLEnv` and then `defaultBaseURL`; empty strings count as missing. With no key at
    /// all no `Authorization` header is sent (local servers need none). `keyHeader` says how the
    /// key travels (default `Authorization: Bearer`; Azure uses `api-key`).
    package init(
        config: ModelConfig, kind: ModelKind, provider: String, context: ProviderContext,
        keyEnv: [String] = ["OPENAI_API_KEY"], baseURLEnv: [String] = ["OPENAI_BASE_URL"],
        defaultBaseURL: String = OpenAIEndpoint.defaultBaseURL, defaultKey: String? = nil,
        keyHeader: ProviderEndpoint.KeyHeader = .bearer
    ) {
        var extraHeaders: [(String, String)] = []
        if let org = config.organization, !org.isEmpty { extraHeaders.append(("openai-organization", org)) }
        let shared = ProviderEndpoint(
            config: config, kind: kind, provider: provider, context: context, keyEnv: keyEnv, baseURLEnv: baseURLEnv,
            defaultBaseURL: defaultBaseURL, keyHeader: keyHeader, extraHeaders: extraHeaders, defaultKey: defaultKey)
        identity = shared.identity
        baseURL = shared.baseURL
        headers = shared.headers
        timeouts = shared.timeouts
        generateArgs = shared.generateArgs
        executor = shared.executor
    }

    /// `{base_url}/{path}`, plus `?{urlQuery}` when set.
    package func url(path: String) -> String {
        var url = baseURL + "/" + path
        if let urlQuery { url += "?" + urlQuery }
        return url
    }

    /// A POST of `body` to `{base_url}/{path}` (plus `?{urlQuery}` when set).
    package func request(path: String, body: [UInt8]) -> HTTPRequestSpec {
        request(url: url(path: path), body: body)
    }

    /// A POST of `body` to `url` (adapters compute their URLs once, not per call).
    package func request(url: String, body: [UInt8]) -> HTTPRequestSpec {
        HTTPRequestSpec(url: url, headers: headers, body: body, timeouts: timeouts)
    }
}
