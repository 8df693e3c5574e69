import OneSimModelsCore

/// A chat model behind an OpenAI-compatible `/chat/completions` endpoint (OpenAI, vLLM and
/// any other compatible host). The token limit goes in the field the model accepts
/// (`tokenLimitField`).
package struct OpenAIChatAdapter: EndpointAdapter {
    /// The endpoint (URL, headers, timeouts, defaults, executor).
    package let endpoint: OpenAIEndpoint
    /// The config's `model_type` as written: OpenAI, vLLM and Azure configs all build this
    /// adapter, and `modelType` tells them apart.
    package let modelType: String
    /// `{base_url}/chat/completions`, computed once.
    let chatURL: String

    /// Which field carries the token limit (`max_tokens` or `max_completion_tokens`): the
    /// config's `max_tokens_field`, else the one the model accepts (`OpenAITokenLimitField`).
    package let tokenLimitField: OpenAITokenLimitField

    /// An adapter for `config`; a `.configuration` error when `max_tokens_field` is not one of
    /// its values.
    package init(config: ModelConfig, endpoint: OpenAIEndpoint) throws(ModelError) {
        let field = try OpenAITokenLimitField.resolve(config)
        var endpoint = endpoint
        endpoint.generateArgs = field.adjusting(endpoint.generateArgs)
        self.tokenLimitField = field
        self.endpoint = endpoint
        self.chatURL = endpoint.url(path: "chat/completions")
        self.modelType = config.modelType
        self.streamsByDefault = config.stream
    }

    /// The config name, model name, provider and kind calls are reported under.
    package var identity: EndpointIdentity { endpoint.identity }

    /// Whether the config asked for `"stream": true`: calls then stream under the hood.
    package let streamsByDefault: Bool

    /// POSTs the prompt to `{base_url}/chat/completions` and decodes the reply. With
    /// `"stream": true` in the config it streams and returns the collected response.
    package func acall(_ prompt: Prompt, options: CallOptions) async throws -> ModelResponse {
        if streamsByDefault { return try await collectedStream(prompt, options: options) }
        let body = try await OpenAIChatRequestWriter.body(
            model: modelName, prompt: prompt, generateArgs: endpoint.generateArgs,
            options: tokenLimitField.adjusting(options))
        let configName = configName
        return try await endpoint.executor.run(
            endpoint.request(url: chatURL, body: body), options: options, prompt: prompt,
            mapError: { OpenAIErrorMapper.map($0, configName: configName) },
            decode: { result throws(ModelError) in
                var response = try OpenAIChatResponseReader.decode(result)
                response.requestID = result.headers.first(name: "x-request-id")
                return response
            })
    }

    /// Streams the reply from `{base_url}/chat/completions` with `"stream": true` and
    /// `stream_options.include_usage`, so the last delta carries the usage.
    package func stream(_ prompt: Prompt, options: CallOptions) async throws -> ModelStream {
        let body = try await OpenAIChatRequestWriter.body(
            model: modelName, prompt: prompt, generateArgs: endpoint.generateArgs,
            options: tokenLimitField.adjusting(options), stream: true)
        let configName = configName
        return endpoint.executor.stream(
            endpoint.request(url: chatURL, body: body), options: options, prompt: prompt,
            decoder: OpenAIStreamDecoder(), mapError: { OpenAIErrorMapper.map($0, configName: configName) })
    }
}
