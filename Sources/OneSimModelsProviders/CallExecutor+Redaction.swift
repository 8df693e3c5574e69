import OneSimModelsCore

extension CallExecutor {
    /// `error` with every secret this executor's calls use (the API key, secret
    /// `default_headers`, `base_url` credentials) scrubbed from every string field, and URL
    /// user-info removed (`ModelError.redacting(_:)`). Every error a call ends with passes here.
    package func redact(_ error: ModelError) -> ModelError {
        error.redacting(secrets)
    }
}
