/// A chat model behind an OpenAI-compatible `/chat/completions` endpoint (OpenAI, vLLM and
/// any other compatible host).
public struct OpenAIChatAdapter: ModelAdapter {
    /// The endpoint (URL, headers, timeouts, defaults, executor).
    public let endpoint: OpenAIEndpoint
    /// The config's `model_type`.
    public let modelType: String

    /// An adapter for `config`.
    public init(config: ModelConfig, endpoint: OpenAIEndpoint) {
        self.endpoint = endpoint
        self.modelType = config.modelType
    }

    /// The config name.
    public var configName: String { endpoint.identity.configName }
    /// The provider's model name.
    public var modelName: String { endpoint.identity.modelName }
    /// Chat.
    public var kind: ModelKind { .chat }

    /// POSTs the prompt to `{base_url}/chat/completions` and decodes the reply.
    public func acall(_ prompt: Prompt, options: CallOptions) async throws -> ModelResponse {
        let messages = try await OpenAIChatCodec.encodeMessages(prompt)
        let body = OpenAIChatCodec.requestBody(
            model: modelName, messages: messages, generateArgs: endpoint.generateArgs, options: options)
        let configName = configName
        return try await endpoint.executor.run(
            endpoint.request(path: "chat/completions", body: body), options: options,
            mapError: { OpenAIErrorMapper.map($0, configName: configName) },
            decode: { result throws(ModelError) in
                let raw: JSONValue
                do { raw = try JSONCodec.parse(result.body.readableBytesView) } catch {
                    throw ModelError(.decoding, "invalid JSON in the response: \(error)", status: result.status)
                }
                var response = try OpenAIChatCodec.decodeResponse(raw)
                response.requestID = result.headers.first(name: "x-request-id")
                return response
            })
    }
}
