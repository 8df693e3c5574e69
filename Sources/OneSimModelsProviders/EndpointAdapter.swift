import OneSimModelsCore

/// A provider adapter backed by one HTTP endpoint: its name, model and kind come from the
/// endpoint's identity.
package protocol EndpointAdapter: ModelAdapter {
    /// Who the endpoint is (config, model, provider, kind).
    var identity: EndpointIdentity { get }
}

extension EndpointAdapter {
    /// The config name.
    package var configName: String { identity.configName }
    /// The provider's model name.
    package var modelName: String { identity.modelName }
    /// Chat or embedding.
    package var kind: ModelKind { identity.kind }

    /// Streams `prompt` and collects it into one response: what `acall` does for a config with
    /// `"stream": true`.
    func collectedStream(_ prompt: Prompt, options: CallOptions) async throws -> ModelResponse {
        var response = try await stream(prompt, options: options).collect()
        response.modelInfo = identity.modelInfo
        return response
    }
}
