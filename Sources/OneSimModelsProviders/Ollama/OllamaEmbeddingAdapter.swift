import OneSimModelsCore

/// An embedding model served by Ollama (`POST {base_url}/api/embed`).
package struct OllamaEmbeddingAdapter: EndpointAdapter {
    /// The endpoint (URL, headers, timeouts, defaults, executor).
    package let endpoint: ProviderEndpoint
    /// The config's `model_type` as written, reported as the adapter's `modelType`.
    package let modelType: String

    /// An adapter for `config`: `base_url` defaults to `defaultBaseURL`, and a key (`api_key` or
    /// `OLLAMA_API_KEY`) is sent as a bearer token only when there is one.
    package init(config: ModelConfig, context: ProviderContext) {
        endpoint = OllamaModelTypes.endpoint(config, kind: .embedding, context: context)
        modelType = config.modelType
    }

    /// The config name, model name, provider and kind calls are reported under.
    package var identity: EndpointIdentity { endpoint.identity }

    /// Embeds each message's text.
    package func acall(_ prompt: Prompt, options: CallOptions) async throws -> ModelResponse {
        try await acall(texts: prompt.messages.map(\.text), options: options)
    }

    /// POSTs `{"model", "input": [texts]}` to `/api/embed`; `prompt_eval_count` is the usage.
    package func acall(texts: [String], options: CallOptions) async throws -> ModelResponse {
        guard !texts.isEmpty else { throw ModelError(.badRequest, "no texts to embed", configName: configName) }
        var body: [String: JSONValue]
        do { body = try OllamaCodec.fields(generateArgs: endpoint.generateArgs, options: options) } catch {
            var error = error
            error.configName = configName
            throw error
        }
        body["model"] = .string(modelName)
        body["input"] = .array(texts.map(JSONValue.string))
        let count = texts.count
        let configName = configName
        return try await endpoint.executor.run(
            endpoint.request(path: "api/embed", body: JSONCodec.encode(.object(body))), options: options,
            mapError: { OllamaErrorMapper.map($0, configName: configName) },
            decode: { result throws(ModelError) in
                let raw = try ProviderSupport.parseBody(result)
                guard let items = raw["embeddings"]?.arrayValue else {
                    throw ModelError(.decoding, "embedding response has no embeddings: \(OpenAIChatCodec.snippet(raw))")
                }
                guard items.count == count else {
                    throw ModelError(.decoding, "the response has \(items.count) embeddings for \(count) inputs")
                }
                var vectors: [[Float]] = []
                for (i, item) in items.enumerated() {
                    guard let values = try ResponseFields.array(item, "embeddings[\(i)]") else {
                        throw ModelError(.decoding, "embeddings[\(i)] is null")
                    }
                    vectors.append(try ResponseFields.vector(values, "embeddings[\(i)]"))
                }
                let prompt = try ResponseFields.count(raw["prompt_eval_count"], "prompt_eval_count") ?? 0
                return ModelResponse(raw: raw, usage: Usage(promptTokens: prompt), embeddings: vectors)
            })
    }
}
