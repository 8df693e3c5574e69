import Foundation
import OneSimModelsCore

/// An embedding model behind an OpenAI-compatible `/embeddings` endpoint.
package struct OpenAIEmbeddingAdapter: EndpointAdapter {
    /// The endpoint (URL, headers, timeouts, defaults, executor).
    package let endpoint: OpenAIEndpoint
    /// The config's `model_type` as written: OpenAI, vLLM and Azure configs all build this
    /// adapter, and `modelType` tells them apart.
    package let modelType: String

    /// An adapter for `config` over `endpoint`, which the model type built from the same config
    /// (OpenAI, vLLM and Azure each build theirs).
    package init(config: ModelConfig, endpoint: OpenAIEndpoint) {
        self.endpoint = endpoint
        self.modelType = config.modelType
    }

    /// The config name, model name, provider and kind calls are reported under.
    package var identity: EndpointIdentity { endpoint.identity }

    /// Embeds each message's text: the original's embedding `format` took messages too.
    package func acall(_ prompt: Prompt, options: CallOptions) async throws -> ModelResponse {
        try await acall(texts: prompt.messages.map(\.text), options: options)
    }

    /// POSTs `{"model", "input": [texts]}` to `{base_url}/embeddings`; vectors come back in input order.
    package func acall(texts: [String], options: CallOptions) async throws -> ModelResponse {
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

    /// Decodes `data[]` (ordered by `index`; float arrays or base64 float32) and `usage`. Every
    /// item needs an `embedding` of finite numbers (or base64 of a whole number of float32s) and,
    /// when given, a whole-number `index` below the number of items; anything else is a
    /// `.decoding` error naming the field.
    static func decode(_ raw: JSONValue, expected: Int) throws(ModelError) -> ModelResponse {
        guard let data = try ResponseFields.array(raw["data"], "data"), !data.isEmpty else {
            throw ModelError(.decoding, "embedding response has no data: \(OpenAIChatCodec.snippet(raw))")
        }
        var vectors = [[Float]?](repeating: nil, count: max(expected, data.count))
        for (position, item) in data.enumerated() {
            guard case .object = item else { throw ResponseFields.mismatch("data[\(position)]", expected: "an object", got: item) }
            let index = try ResponseFields.index(item["index"], limit: vectors.count - 1, "data[\(position)].index") ?? position
            guard vectors.indices.contains(index), vectors[index] == nil else {
                throw ModelError(.decoding, "embedding index \(index) is out of range or repeated for \(expected) inputs")
            }
            switch item["embedding"] {
            case .array(let numbers)?:
                vectors[index] = try ResponseFields.vector(numbers, "data[\(position)].embedding")
            case .string(let base64)?:
                guard let bytes = Data(base64Encoded: base64), bytes.count % MemoryLayout<Float>.size == 0 else {
                    throw ModelError(.decoding, "data[\(position)].embedding is not base64 of float32 values")
                }
                var vector = [Float](repeating: 0, count: bytes.count / MemoryLayout<Float>.size)
                _ = vector.withUnsafeMutableBytes { bytes.copyBytes(to: $0) }
                guard vector.allSatisfy(\.isFinite) else {
                    throw ModelError(.decoding, "data[\(position)].embedding holds values that are not finite")
                }
                vectors[index] = vector
            case let other:
                throw ResponseFields.mismatch(
                    "data[\(position)].embedding", expected: "an array of numbers or base64 text", got: other ?? .null)
            }
        }
        var complete: [[Float]] = []
        complete.reserveCapacity(vectors.count)
        for vector in vectors {
            guard let vector else {
                throw ModelError(.decoding, "the response has \(data.count) embeddings for \(expected) inputs")
            }
            complete.append(vector)
        }
        let usage = try OpenAIChatCodec.decodeUsage(raw["usage"])
        return ModelResponse(raw: raw, usage: usage, embeddings: complete)
    }
}
