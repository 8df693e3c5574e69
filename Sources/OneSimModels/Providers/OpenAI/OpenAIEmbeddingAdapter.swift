import Foundation

/// An embedding model behind an OpenAI-compatible `/embeddings` endpoint.
public struct OpenAIEmbeddingAdapter: EndpointAdapter {
    /// The endpoint.
    public let endpoint: OpenAIEndpoint
    /// The config's `model_type`.
    public let modelType: String

    /// An adapter for `config`.
    public init(config: ModelConfig, endpoint: OpenAIEndpoint) {
        self.endpoint = endpoint
        self.modelType = config.modelType
    }

    /// Who the endpoint is.
    public var identity: EndpointIdentity { endpoint.identity }

    /// Embeds each message's text: the original's embedding `format` took messages too.
    public func acall(_ prompt: Prompt, options: CallOptions) async throws -> ModelResponse {
        try await acall(texts: prompt.messages.map(\.text), options: options)
    }

    /// POSTs `{"model", "input": [texts]}` to `{base_url}/embeddings`; vectors come back in input order.
    public func acall(texts: [String], options: CallOptions) async throws -> ModelResponse {
        guard !texts.isEmpty else {
            throw ModelError(.badRequest, "no texts to embed", configName: configName)
        }
        var body = options.bodyFields(over: endpoint.generateArgs)
        body["model"] = .string(modelName)
        body["input"] = .array(texts.map(JSONValue.string))
        let count = texts.count
        let configName = configName
        return try await endpoint.executor.run(
            endpoint.request(path: "embeddings", body: JSONCodec.encode(.object(body))), options: options,
            mapError: { OpenAIErrorMapper.map($0, configName: configName) },
            decode: { result throws(ModelError) in
                let raw: JSONValue
                do { raw = try JSONCodec.parse(result.body.readableBytesView) } catch {
                    throw ModelError(.decoding, "invalid JSON in the response: \(error)", status: result.status)
                }
                var response = try Self.decode(raw, expected: count)
                response.requestID = result.headers.first(name: "x-request-id")
                return response
            })
    }

    /// Decodes `data[]` (ordered by `index`; float arrays or base64 float32) and `usage`.
    static func decode(_ raw: JSONValue, expected: Int) throws(ModelError) -> ModelResponse {
        guard let data = raw["data"]?.arrayValue, !data.isEmpty else {
            throw ModelError(.decoding, "embedding response has no data: \(OpenAIChatCodec.snippet(raw))")
        }
        var vectors = [[Float]?](repeating: nil, count: max(expected, data.count))
        for (position, item) in data.enumerated() {
            let index = item["index"]?.intValue ?? position
            guard vectors.indices.contains(index) else {
                throw ModelError(.decoding, "embedding index \(index) is out of range for \(expected) inputs")
            }
            if let numbers = item["embedding"]?.arrayValue {
                vectors[index] = numbers.map { Float($0.doubleValue ?? 0) }
            } else if let base64 = item["embedding"]?.stringValue, let bytes = Data(base64Encoded: base64) {
                vectors[index] = bytes.withUnsafeBytes { Array($0.bindMemory(to: Float.self)) }
            } else {
                throw ModelError(.decoding, "embedding \(index) is neither a number array nor base64")
            }
        }
        guard vectors.allSatisfy({ $0 != nil }) else {
            throw ModelError(.decoding, "the response has \(data.count) embeddings for \(expected) inputs")
        }
        let usage = OpenAIChatCodec.decodeUsage(raw["usage"])
        return ModelResponse(raw: raw, usage: usage, embeddings: vectors.map { $0! })
    }
}
