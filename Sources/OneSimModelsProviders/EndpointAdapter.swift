import OneSimModelsCore

/// A provider adapter backed by one HTTP endpoint: its name, model and kind come from the
/// endpoint's identity.
package protocol EndpointAdapter: ModelAdapter {
    /// Who the endpoint is (config, model, provider, kind).
    var identity: EndpointIdentity { get }
}

extension EndpointAdapter {
    /// `identity.configName`: the name the config was loaded under.
    package var configName: String { identity.configName }
    /// `identity.modelName`: the config's `model_name` (or its name when it has none).
    package var modelName: String { identity.modelName }
    /// `identity.kind`, fixed by the model type (`openai_chat` is chat, `openai_embedding` embedding).
    package var kind: ModelKind { identity.kind }

    /// Streams `prompt` and collects it into one response: what `acall` does for a config with
    /// `"stream": true`.
    func collectedStream(_ prompt: Prompt, options: CallOptions) async throws -> ModelResponse {
        var response = try await stream(prompt, options: options).collect()
        response.modelInfo = identity.modelInfo
        return response
    }
}
