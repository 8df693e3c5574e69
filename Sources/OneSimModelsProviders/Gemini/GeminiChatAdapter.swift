import OneSimModelsCore

/// A Gemini model behind the Gemini API (`POST {base_url}/v1beta/models/{model}:generateContent`,
/// streaming through `:streamGenerateContent?alt=sse`).
///
/// Sends `x-goog-api-key` (from `api_key`, `GEMINI_API_KEY` or `GOOGLE_API_KEY`). The config's
/// `api_version` picks the API path (default `v1beta`).
package struct GeminiChatAdapter: EndpointAdapter {
    /// The default API root.
    package static let defaultBaseURL = "https://generativelanguage.googleapis.com"
    /// The default API version path segment.
    package static let defaultAPIVersion = "v1beta"

    /// The endpoint (URL, headers, timeouts, defaults, executor).
    package let endpoint: ProviderEndpoint
    /// The config's `model_type` as written, reported as the adapter's `modelType`.
    package let modelType: String
    /// Whether the config asked for `"stream": true`: calls then stream under the hood.
    package let streamsByDefault: Bool
    /// The API version path segment (`v1beta`).
    package let apiVersion: String

    /// An adapter for `config`; throws `.configuration` when `api_version` is not a version
    /// path segment such as `v1beta`.
    package init(config: ModelConfig, context: ProviderContext) throws(ModelError) {
        endpoint = GeminiModelTypes.endpoint(config, kind: .chat, context: context)
        apiVersion = try GeminiModelTypes.apiVersion(config)
        modelType = config.modelType
        streamsByDefault = config.stream
    }

    /// The config name, model name, provider and kind calls are reported under.
    package var identity: EndpointIdentity { endpoint.identity }

    /// POSTs the prompt to `:generateContent` and decodes the reply.
    package func acall(_ prompt: Prompt, options: CallOptions) async throws -> ModelResponse {
        if streamsByDefault { return try await collectedStream(prompt, options: options) }
        let body = try await requestBody(prompt, options: options)
        let configName = configName
        return try await endpoint.executor.run(
            endpoint.request(path: "\(apiVersion)/\(GeminiCodec.modelPath(modelName)):generateContent", body: body),
            options: options, prompt: prompt, mapError: { GeminiErrorMapper.map($0, configName: configName) },
            decode: { result throws(ModelError) in
                var response = try GeminiCodec.decodeResponse(try ProviderSupport.parseBody(result))
                if let id = result.headers.first(name: "x-request-id") { response.requestID = id }
                return response
            })
    }

    /// Streams the reply from `:streamGenerateContent?alt=sse`.
    package func stream(_ prompt: Prompt, options: CallOptions) async throws -> ModelStream {
        let body = try await requestBody(prompt, options: options)
        let configName = configName
        return endpoint.executor.stream(
            endpoint.request(
                path: "\(apiVersion)/\(GeminiCodec.modelPath(modelName)):streamGenerateContent?alt=sse", body: body),
            options: options, prompt: prompt, decoder: GeminiStreamDecoder(),
            mapError: { GeminiErrorMapper.map($0, configName: configName) })
    }

    private func requestBody(_ prompt: Prompt, options: CallOptions) async throws -> [UInt8] {
        do throws(ModelError) {
            let (system, contents) = try await GeminiCodec.encodeContents(prompt)
            let body = try GeminiCodec.requestBody(
                systemInstruction: system, contents: contents, generateArgs: endpoint.generateArgs, options: options)
            return JSONCodec.encode(.object(body))
        } catch {
            var error = error
            error.configName = configName
            throw error
        }
    }
}
