import NIOHTTP1
import OneSimModelsCore

// Default descriptions, debug descriptions and mirrors of every value that holds a key: they
// show what identifies the value (config, model, provider, URL without user-info, header names)
// and never a key, a secret header value or an environment variable's value. `print(model)`,
// `dump(balancer.members)`, `String(reflecting:)` and `"\(adapter)"` in a log line are safe.

/// Header values that may be shown as they are; every other value is `***` (keys travel in
/// `authorization`, `api-key`, `x-api-key`, `x-goog-api-key` and in any `default_headers`).
enum HeaderRedaction {
    static let shownHeaders: Set<String> = [
        "content-type", "accept", "user-agent", "anthropic-version", "anthropic-beta", "openai-organization",
        "openai-project",
    ]

    /// `headers` in one line with every value not known to be harmless masked:
    /// `[content-type: application/json, authorization: ***]`.
    static func summary(_ headers: HTTPHeaders) -> String {
        let pairs = headers.map { name, value in
            "\(name): \(shownHeaders.contains(name.lowercased()) ? value : SecretRedaction.mask)"
        }
        return "[" + pairs.joined(separator: ", ") + "]"
    }

    /// `TypeName(config, provider, model, base_url without user-info, headers with keys masked)`.
    static func endpointSummary(_ typeName: String, identity: EndpointIdentity, baseURL: String, headers: HTTPHeaders) -> String {
        "\(typeName)(\(identity.configName), provider: \(identity.provider), model: \(identity.modelName), base_url: \(redactedURL(baseURL)), headers: \(summary(headers)))"
    }
}

extension HTTPRequestSpec: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `POST http://host/v1/chat/completions [headers, keys masked] (n bytes)`.
    public var description: String {
        "\(method) \(redactedURL(url)) \(HeaderRedaction.summary(headers)) (\(body.count) bytes)"
    }
    /// As `description`, with keys masked, so `debugPrint` and the debugger never show one.
    public var debugDescription: String { "HTTPRequestSpec(\(description))" }
    /// URL without user-info, header names with values masked, body size and timeouts.
    public var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "url": redactedURL(url), "method": "\(method)", "headers": HeaderRedaction.summary(headers),
                "bodyBytes": body.count, "timeouts": timeouts,
            ], displayStyle: .struct)
    }
}

extension CallExecutor: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `CallExecutor(config, provider, n secrets redacted)`.
    package var description: String {
        "CallExecutor(\(identity.configName), provider: \(identity.provider), retries: \(retryPolicy.maxRetries), secrets: \(secrets.count) redacted)"
    }
    /// As `description`, with keys masked, so `debugPrint` and the debugger never show one.
    package var debugDescription: String { description }
    /// Identity, retry policy and the number of secrets, never the secrets.
    package var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "identity": identity, "retryPolicy": retryPolicy, "secrets": "\(secrets.count) redacted",
                "hasBudget": budget != nil,
            ], displayStyle: .struct)
    }
}

extension ProviderEndpoint: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `ProviderEndpoint(config, provider, URL, headers with keys masked)`.
    package var description: String {
        HeaderRedaction.endpointSummary("ProviderEndpoint", identity: identity, baseURL: baseURL, headers: headers)
    }
    /// As `description`, with keys masked, so `debugPrint` and the debugger never show one.
    package var debugDescription: String { description }
    /// Every field, with the URL's user-info and the key headers masked.
    package var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "identity": identity, "baseURL": redactedURL(baseURL), "headers": HeaderRedaction.summary(headers),
                "timeouts": timeouts, "generateArgs": generateArgs, "executor": executor,
            ], displayStyle: .struct)
    }
}

extension OpenAIEndpoint: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `OpenAIEndpoint(config, provider, URL, headers with keys masked)`.
    package var description: String {
        HeaderRedaction.endpointSummary("OpenAIEndpoint", identity: identity, baseURL: baseURL, headers: headers)
    }
    /// As `description`, with keys masked, so `debugPrint` and the debugger never show one.
    package var debugDescription: String { description }
    /// Every field, with the URL's user-info and the key headers masked.
    package var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "identity": identity, "baseURL": redactedURL(baseURL), "urlQuery": urlQuery as Any,
                "headers": HeaderRedaction.summary(headers), "timeouts": timeouts, "generateArgs": generateArgs,
                "executor": executor,
            ], displayStyle: .struct)
    }
}

extension ProviderContext: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The names of the environment variables, never their values.
    public var description: String {
        "ProviderContext(environment: \(environment.count) variables, values hidden)"
    }
    /// As `description`, with keys masked, so `debugPrint` and the debugger never show one.
    public var debugDescription: String { description }
    /// The environment's variable names only.
    public var customMirror: Mirror {
        Mirror(
            self, children: ["environmentNames": environment.keys.sorted(), "hasBudget": budget != nil],
            displayStyle: .struct)
    }
}

extension EndpointAdapter {
    /// `TypeName(config, model, provider, kind)`: never a key.
    package var description: String {
        "\(Self.self)(\(identity.configName), model: \(identity.modelName), provider: \(identity.provider), kind: \(identity.kind))"
    }
    /// As `description`, with keys masked, so `debugPrint` and the debugger never show one.
    package var debugDescription: String { description }
    /// Identity and model type; never a key (the endpoint that holds it is not shown).
    package var customMirror: Mirror {
        Mirror(
            self,
            children: [
                "configName": identity.configName, "modelName": identity.modelName, "provider": identity.provider,
                "kind": identity.kind, "modelType": modelType,
            ], displayStyle: .struct)
    }
}

extension OpenAIChatAdapter: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {}

extension OpenAIEmbeddingAdapter: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {}

extension AnthropicChatAdapter: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {}

extension GeminiChatAdapter: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {}

extension GeminiEmbeddingAdapter: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {}

extension OllamaChatAdapter: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {}

extension OllamaEmbeddingAdapter: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {}
