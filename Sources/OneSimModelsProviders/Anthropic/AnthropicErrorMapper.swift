import OneSimModelsCore

/// Maps Anthropic's error body (`{"type": "error", "error": {"type", "message"}, "request_id"}`)
/// to a `ModelError`, keeping status, error type, request id (`request-id` header),
/// `retry-after` and `x-should-retry`.
///
/// Error types: `invalid_request_error` (400; "prompt is too long" → `.contextLengthExceeded`),
/// `authentication_error` (401), `permission_error` (403), `not_found_error` (404),
/// `request_too_large` (413), `rate_limit_error` (429), `api_error` (500) and
/// `overloaded_error` (529, a retryable `.serverError`).
package enum AnthropicErrorMapper {
    /// The error for a non-2xx response.
    package static func map(_ result: HTTPResult, configName: String) -> ModelError {
        let body = ProviderSupport.parseErrorBody(result)
        var error = map(
            errorObject: body?["error"], status: result.status,
            fallbackMessage: ProviderSupport.bodySnippet(result))
        error.requestID = result.headers.first(name: "request-id") ?? body?["request_id"]?.stringValue
        error.retryAfter = RetryAfter.parse(result.headers)
        error.shouldRetryHeader = ProviderSupport.shouldRetryHeader(result)
        if error.shouldRetryHeader == nil, error.providerCode == "enforced_spend_limit_reached" {
            error.shouldRetryHeader = false  // a spend limit does not lift by waiting
        }
        error.configName = configName
        return error
    }

    /// The error for an `error` object (from a response body or an `error` stream event).
    package static func map(errorObject: JSONValue?, status: Int?, fallbackMessage: String) -> ModelError {
        let type = errorObject?["type"]?.stringValue
        let message = errorObject?["message"]?.stringValue ?? fallbackMessage
        var kind: ModelError.Kind = status.map(ModelError.kind(forStatus:)) ?? .serverError
        switch type {
        case "authentication_error"?: kind = .authentication
        case "permission_error"?: kind = .permissionDenied
        case "not_found_error"?: kind = .notFound
        case "rate_limit_error"?: kind = .rateLimited
        case "overloaded_error"?, "api_error"?: kind = .serverError
        case "request_too_large"?, "invalid_request_error"?: kind = .badRequest
        default: break
        }
        let lower = message.lowercased()
        if lower.contains("prompt is too long") || lower.contains("context window") || lower.contains("context length") {
            kind = .contextLengthExceeded
        }
        let code = errorObject?["details"]?["error_code"]?.stringValue
        return ModelError(kind, message, status: status, providerType: type, providerCode: code)
    }
}
