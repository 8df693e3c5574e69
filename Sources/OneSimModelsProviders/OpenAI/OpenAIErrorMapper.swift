import NIOCore
import OneSimModelsCore

/// Maps an OpenAI-style error response (`{"error": {"message", "type", "param", "code"}}`, or
/// vLLM's flat `{"object": "error", "message", "type", "code"}`) to
/// a `ModelError`, keeping status, type, code, param, request id, `Retry-After` and
/// `x-should-retry`.
package enum OpenAIErrorMapper {
    /// The error for a non-2xx response.
    package static func map(_ result: HTTPResult, configName: String) -> ModelError {
        let parsed = try? JSONCodec.parse(result.body.readableBytesView)
        // OpenAI's `{"error": {...}}`, or vLLM's flat `{"object": "error", "message", "type", "code"}`.
        let error = parsed?["error"] ?? (parsed?["object"] == "error" ? parsed : nil)
        var message = error?["message"]?.stringValue ?? error?.stringValue
        if message == nil {
            // Not an OpenAI error body: show a short snippet of what came back.
            let text = String(decoding: result.body.readableBytesView.prefix(300), as: UTF8.self)
            message = text.isEmpty ? "HTTP \(result.status) with an empty body" : text
        }
        let code: String? = error?["code"].flatMap { $0.stringValue ?? $0.intValue.map(String.init) }
        let type = error?["type"]?.stringValue
        var kind = ModelError.kind(forStatus: result.status)
        let lowerMessage = (message ?? "").lowercased()
        if code == "context_length_exceeded" || type == "context_length_exceeded"
            || lowerMessage.contains("maximum context length") || lowerMessage.contains("context window")
        {
            kind = .contextLengthExceeded
        } else if code == "content_filter" || code == "content_policy_violation" {
            kind = .contentFiltered
        }
        var shouldRetry: Bool?
        switch result.headers.first(name: "x-should-retry")?.lowercased() {
        case "true": shouldRetry = true
        case "false": shouldRetry = false
        default: shouldRetry = nil
        }
        return ModelError(
            kind, message ?? "HTTP \(result.status)", status: result.status, providerType: type, providerCode: code,
            param: error?["param"]?.stringValue, requestID: result.headers.first(name: "x-request-id"),
            retryAfter: RetryAfter.parse(result.headers), shouldRetryHeader: shouldRetry, configName: configName)
    }
}
