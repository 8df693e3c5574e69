import OneSimModelsCore

/// A Claude model behind Anthropic's Messages API (`POST {base_url}/v1/messages`).
///
/// Sends `x-api-key` (from `api_key` or `ANTHROPIC_API_KEY`) and `anthropic-version` (the
/// config's `anthropic_version`, default `2023-06-01`). Streams with the API's SSE events.
/// Under `anthropic_version` `2026-10-21` or later, `temperature`, `top_p` and `top_k` are
/// refused with `.unsupported` before sending, or dropped with `"drop_sampling_params": true`
/// (`AnthropicSamplingRule`).
package struct AnthropicChatAdapter: EndpointAdapter {
    /// The default API root.
    package static let defaultBaseURL = "https://api.anthropic.com"

    /// The endpoint (URL, headers, timeouts, defaults, executor).
    package let endpoint: ProviderEndpoint
    /// The config's `model_type` as written, reported as the adapter's `modelType`.
    package let modelType: String
    /// Whether the config asked for `"stream": true`: calls then stream under the hood.
    package let streamsByDefault: Bool

    /// An adapter for `config`; throws `.configuration` when `anthropic_version` is not a
    /// non-empty string or `drop_sampling_params` is not a boolean.
    package init(config: ModelConfig, context: ProviderContext) throws(ModelError) {
        var version = AnthropicCodec.defaultVersion
        if let v = config.options["anthropic_version"] {
            guard let s = v.stringValue, !s.isEmpty else {
                throw ModelError(
                    .configuration, "config '\(config.configName)': key 'anthropic_version' must be a non-empty string, got \(v)")
            }
            version = s
        }
        endpoint = ProviderEndpoint(
            config: config, kind: .chat, provider: "anthropic", context: context, keyEnv: ["ANTHROPIC_API_KEY"],
            baseURLEnv: ["ANTHROPIC_BASE_URL"], defaultBaseURL: Self.defaultBaseURL, keyHeader: .named("x-api-key"),
            extraHeaders: [("anthropic-version", version)])
        modelType = config.modelType
        streamsByDefault = config.stream
        self.version = version
        sampling = try AnthropicSamplingRule.resolve(version: version, config: config)
    }

    /// The `anthropic-version` header sent with every request (`anthropic_version`, default
    /// `AnthropicCodec.defaultVersion`).
    package let version: String
    /// What happens to `temperature`, `top_p` and `top_k` under that version.
    package let sampling: AnthropicSamplingRule

    /// The config name, model name, provider and kind calls are reported under.
    package var identity: EndpointIdentity { endpoint.identity }

    /// POSTs the prompt to `{base_url}/v1/messages` and decodes the reply.
    package func acall(_ prompt: Prompt, options: CallOptions) async throws -> ModelResponse {
        if streamsByDefault { return try await collectedStream(prompt, options: options) }
        let body = try await requestBody(prompt, options: options, stream: false)
        let configName = configName
        return try await endpoint.executor.run(
            endpoint.request(path: "v1/messages", body: JSONCodec.encode(.object(body))), options: options, prompt: prompt,
            mapError: { AnthropicErrorMapper.map($0, configName: configName) },
            decode: { result throws(ModelError) in
                var response = try AnthropicCodec.decodeResponse(try ProviderSupport.parseBody(result))
                response.requestID = result.headers.first(name: "request-id")
                return response
            })
    }

    /// Streams the reply from `{base_url}/v1/messages` with `"stream": true`.
    package func stream(_ prompt: Prompt, options: CallOptions) async throws -> ModelStream {
        let body = try await requestBody(prompt, options: options, stream: true)
        let configName = configName
        return endpoint.executor.stream(
            endpoint.request(path: "v1/messages", body: JSONCodec.encode(.object(body))), options: options, prompt: prompt,
            decoder: AnthropicStreamDecoder(), mapError: { AnthropicErrorMapper.map($0, configName: configName) })
    }

    private func requestBody(_ prompt: Prompt, options: CallOptions, stream: Bool) async throws -> [String: JSONValue] {
        do throws(ModelError) {
            let (system, messages) = try await AnthropicCodec.encodeMessages(prompt)
            return try AnthropicCodec.requestBody(
                model: modelName, system: system, messages: messages, generateArgs: endpoint.generateArgs,
                options: options, stream: stream, sampling: sampling, version: version)
        } catch {
            var error = error
            error.configName = configName
            throw error
        }
    }
}
