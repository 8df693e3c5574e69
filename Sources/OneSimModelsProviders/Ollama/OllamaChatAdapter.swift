import OneSimModelsCore

/// A model served by Ollama's native chat API (`POST {base_url}/api/chat`, default base
/// `http://localhost:11434`), streaming newline-delimited JSON.
///
/// No key is needed for a local server; an `api_key` (or `OLLAMA_API_KEY`) is sent as a bearer
/// token for hosted Ollama.
package struct OllamaChatAdapter: EndpointAdapter {
    /// The default server root.
    package static let defaultBaseURL = "http://localhost:11434"

    /// The endpoint (URL, headers, timeouts, defaults, executor).
    package let endpoint: ProviderEndpoint
    /// The config's `model_type` as written, reported as the adapter's `modelType`.
    package let modelType: String
    /// Whether the config asked for `"stream": true`: calls then stream under the hood.
    package let streamsByDefault: Bool

    /// An adapter for `config`: `base_url` defaults to `defaultBaseURL`, and a key (`api_key` or
    /// `OLLAMA_API_KEY`) is sent as a bearer token only when there is one.
    package init(config: ModelConfig, context: ProviderContext) {
        endpoint = OllamaModelTypes.endpoint(config, kind: .chat, context: context)
        modelType = config.modelType
        streamsByDefault = config.stream
    }

    /// The config name, model name, provider and kind calls are reported under.
    package var identity: EndpointIdentity { endpoint.identity }

    /// POSTs the prompt to `/api/chat` with `"stream": false` and decodes the reply.
    package func acall(_ prompt: Prompt, options: CallOptions) async throws -> ModelResponse {
        if streamsByDefault { return try await collectedStream(prompt, options: options) }
        let body = try await requestBody(prompt, options: options, stream: false)
        let configName = configName
        return try await endpoint.executor.run(
            endpoint.request(path: "api/chat", body: body), options: options, prompt: prompt,
            mapError: { OllamaErrorMapper.map($0, configName: configName) },
            decode: { result throws(ModelError) in
                try OllamaCodec.decodeResponse(try ProviderSupport.parseBody(result))
            })
    }

    /// Streams the reply from `/api/chat` (NDJSON, one object per line).
    package func stream(_ prompt: Prompt, options: CallOptions) async throws -> ModelStream {
        let body = try await requestBody(prompt, options: options, stream: true)
        let configName = configName
        return endpoint.executor.stream(
            endpoint.request(path: "api/chat", body: body), options: options, prompt: prompt, decoder: OllamaStreamDecoder(),
            framing: .newlineDelimitedJSON, mapError: { OllamaErrorMapper.map($0, configName: configName) })
    }

    private func requestBody(_ prompt: Prompt, options: CallOptions, stream: Bool) async throws -> [UInt8] {
        do throws(ModelError) {
            var body = try OllamaCodec.fields(generateArgs: endpoint.generateArgs, options: options)
            body["model"] = .string(modelName)
            body["messages"] = try await OllamaCodec.encodeMessages(prompt)
            body["stream"] = .bool(stream)
            return JSONCodec.encode(.object(body))
        } catch {
            var error = error
            error.configName = configName
            throw error
        }
    }
}
