import OneSimModelsCore

/// Maps Ollama's error body (`{"error": "message"}`) to a `ModelError` by status; a missing
/// model (404) is `.notFound`, an input over the context length `.contextLengthExceeded`.
package enum OllamaErrorMapper {
    /// The error for a non-2xx response.
    package static func map(_ result: HTTPResult, configName: String) -> ModelError {
        let body = ProviderSupport.parseErrorBody(result)
        let message = body?["error"]?.stringValue ?? ProviderSupport.bodySnippet(result)
        var error = map(message: message, status: result.status)
        error.retryAfter = RetryAfter.parse(result.headers)
        error.configName = configName
        return error
    }

    /// The error for a message (from a body or an `error` line of a stream).
    package static func map(message: String, status: Int?) -> ModelError {
        var kind: ModelError.Kind = status.map(ModelError.kind(forStatus:)) ?? .serverError
        if message.lowercased().contains("context length") { kind = .contextLengthExceeded }
        return ModelError(kind, message, status: status)
    }
}
