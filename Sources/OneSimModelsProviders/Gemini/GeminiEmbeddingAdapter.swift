import OneSimModelsCore

/// A Gemini embedding model: one text through `models/{model}:embedContent`, several through
/// `models/{model}:batchEmbedContents` (vectors in input order).
///
/// `generate_args` (and per-call `extraBody`) may set `task_type`/`taskType`,
/// `output_dimensionality`/`outputDimensionality`/`dimensions` and `title`; they are sent with
/// every text.
package struct GeminiEmbeddingAdapter: EndpointAdapter {
    /// The endpoint (URL, headers, timeouts, defaults, executor).
    package let endpoint: ProviderEndpoint
    /// The config's `model_type` as written, reported as the adapter's `modelType`.
    package let modelType: String
    /// The API version path segment (`v1beta`).
    package let apiVersion: String

    /// An adapter for `config`; throws `.configuration` when `api_version` is not a version
    /// path segment such as `v1beta`.
    package init(config: ModelConfig, context: ProviderContext) throws(ModelError) {
        endpoint = GeminiModelTypes.endpoint(config, kind: .embedding, context: context)
        apiVersion = try GeminiModelTypes.apiVersion(config)
        modelType = config.modelType
    }

    /// The config name, model name, provider and kind calls are reported under.
    package var identity: EndpointIdentity { endpoint.identity }

    /// Embeds each message's text.
    package func acall(_ prompt: Prompt, options: CallOptions) async throws -> ModelResponse {
        try await acall(texts: prompt.messages.map(\.text), options: options)
    }

    /// Embeds `texts`, one vector each in input order; an empty list is `.badRequest`.
    package func acall(texts: [String], options: CallOptions) async throws -> ModelResponse {
        guard !texts.isEmpty else { throw ModelError(.badRequest, "no texts to embed", configName: configName) }
        var settings: [String: JSONValue] = [:]
        for (key, value) in endpoint.generateArgs.merging(options.extraBody, uniquingKeysWith: { $1 }) {
            switch key {
            case "task_type", "taskType": settings["taskType"] = value
            case "output_dimensionality", "outputDimensionality", "dimensions": settings["outputDimensionality"] = value
            default: settings[key] = value
            }
        }
        let model = GeminiCodec.modelPath(modelName)
        func request(_ text: String) -> [String: JSONValue] {
            var r = settings
            r["content"] = ["parts": [["text": .string(text)]]]
            return r
        }
        let path: String
        let body: JSONValue
        if texts.count == 1 {
            path = "\(apiVersion)/\(model):embedContent"
            body = .object(request(texts[0]))
        } else {
            path = "\(apiVersion)/\(model):batchEmbedContents"
            body = ["requests": .array(texts.map { text in
                var r = request(text)
                r["model"] = .string(model)
                return .object(r)
            })]
        }
        let count = texts.count
        let configName = configName
        return try await endpoint.executor.run(
            endpoint.request(path: path, body: JSONCodec.encode(body)), options: options,
            mapError: { GeminiErrorMapper.map($0, configName: configName) },
            decode: { result throws(ModelError) in
                try Self.decode(try ProviderSupport.parseBody(result), expected: count)
            })
    }

    /// Decodes `{"embedding": {"values"}}` or `{"embeddings": [{"values"}]}`.
    static func decode(_ raw: JSONValue, expected: Int) throws(ModelError) -> ModelResponse {
        let items: [JSONValue]
        if let single = raw["embedding"] {
            items = [single]
        } else if let many = raw["embeddings"]?.arrayValue {
            items = many
        } else {
            throw ModelError(.decoding, "embedding response has no embedding(s): \(OpenAIChatCodec.snippet(raw))")
        }
        guard items.count == expected else {
            throw ModelError(.decoding, "the response has \(items.count) embeddings for \(expected) inputs")
        }
        var vectors: [[Float]] = []
        for (i, item) in items.enumerated() {
            let field = raw["embedding"] != nil ? "embedding" : "embeddings[\(i)]"
            guard let values = try ResponseFields.array(item["values"], "\(field).values") else {
                throw ModelError(.decoding, "embedding \(i) has no values")
            }
            vectors.append(try ResponseFields.vector(values, "\(field).values"))
        }
        let prompt = try ResponseFields.count(raw["usageMetadata"]?["promptTokenCount"], "usageMetadata.promptTokenCount") ?? 0
        return ModelResponse(raw: raw, usage: Usage(promptTokens: prompt), embeddings: vectors)
    }
}
