import OneSimModelsCore

/// Maps Google's error body (`{"error": {"code", "message", "status", "details"}}`) to a
/// `ModelError`, keeping status, the status name (`INVALID_ARGUMENT`, `RESOURCE_EXHAUSTED`, ...)
/// as the provider type, the `ErrorInfo.reason` as the provider code, and the wait from
/// `Retry-After` or a `RetryInfo.retryDelay` detail.
///
/// An invalid API key (400 with reason `API_KEY_INVALID`, or `UNAUTHENTICATED`) is
/// `.authentication`; `RESOURCE_EXHAUSTED` is `.rateLimited`; an input over the model's token
/// limit is `.contextLengthExceeded`.
package enum GeminiErrorMapper {
    /// The error for a non-2xx response.
    package static func map(_ result: HTTPResult, configName: String) -> ModelError {
        let body = ProviderSupport.parseErrorBody(result)
        var error = map(errorObject: body?["error"], status: result.status, fallbackMessage: ProviderSupport.bodySnippet(result))
        if let wait = RetryAfter.parse(result.headers) { error.retryAfter = wait }
        error.requestID = result.headers.first(name: "x-request-id")
        error.shouldRetryHeader = ProviderSupport.shouldRetryHeader(result)
        error.configName = configName
        return error
    }

    /// The error for an `error` object (from a response body or a stream chunk).
    package static func map(errorObject: JSONValue?, status: Int?, fallbackMessage: String) -> ModelError {
        let status = status ?? errorObject?["code"]?.intValue
        let statusName = errorObject?["status"]?.stringValue
        let message = errorObject?["message"]?.stringValue ?? fallbackMessage
        let details = errorObject?["details"]?.arrayValue ?? []
        let reason = details.lazy.compactMap { $0["reason"]?.stringValue }.first
        var kind: ModelError.Kind = status.map(ModelError.kind(forStatus:)) ?? .serverError
        switch statusName {
        case "UNAUTHENTICATED"?: kind = .authentication
        case "PERMISSION_DENIED"?: kind = .permissionDenied
        case "NOT_FOUND"?: kind = .notFound
        case "RESOURCE_EXHAUSTED"?: kind = .rateLimited
        case "DEADLINE_EXCEEDED"?: kind = .timeout
        case "INTERNAL"?, "UNAVAILABLE"?, "UNKNOWN"?: kind = .serverError
        default: break
        }
        let lower = message.lowercased()
        if reason == "API_KEY_INVALID" || lower.contains("api key not valid") {
            kind = .authentication
        } else if lower.contains("exceeds the maximum number of tokens") || lower.contains("context window")
            || lower.contains("too many tokens")
        {
            kind = .contextLengthExceeded
        }
        var retryAfter: Duration?
        for detail in details {
            if let delay = detail["retryDelay"]?.stringValue, let wait = RetryAfter.parseProtobufDuration(delay) {
                retryAfter = wait
            }
        }
        return ModelError(kind, message, status: status, providerType: statusName, providerCode: reason, retryAfter: retryAfter)
    }
}
