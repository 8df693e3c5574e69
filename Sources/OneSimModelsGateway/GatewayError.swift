import OneSimModels

import NIOCore

/// An error as the gateway answers it: OpenAI's shape
/// (`{"error": {"message", "type", "param", "code"}}`) with a matching HTTP status.
struct GatewayError: Error, Sendable {
    var status: Int
    var message: String
    var type: String
    var code: String?
    var param: String?
    /// Whole seconds for a `Retry-After` header.
    var retryAfter: Int?

    init(_ status: Int, _ message: String, type: String = "invalid_request_error", code: String? = nil, param: String? = nil, retryAfter: Int? = nil) {
        self.status = status
        self.message = message
        self.type = type
        self.code = code
        self.param = param
        self.retryAfter = retryAfter
    }

    /// A 400 for a request field: `param` names it.
    static func invalid(_ param: String, _ message: String, code: String = "invalid_value") -> GatewayError {
        GatewayError(400, message, code: code, param: param)
    }

    /// The JSON body.
    func body() -> ByteBuffer {
        var writer = JSONWriter(capacity: 128 + message.utf8.count)
        writer.openObject()
        writer.key("error")
        writer.openObject()
        writer.field("message", string: message)
        writer.field("type", string: type)
        writer.field("param", param.map(JSONValue.string) ?? .null)
        writer.field("code", code.map(JSONValue.string) ?? .null)
        writer.closeObject()
        writer.closeObject()
        return ByteBuffer(bytes: writer.bytes)
    }

    /// Whole seconds for `Retry-After` from a duration: at least 1, at most a day.
    static func retrySeconds(_ duration: Duration?) -> Int? {
        guard let duration else { return nil }
        let seconds = duration.seconds
        guard seconds.isFinite else { return 86_400 }
        return Int(min(86_400, max(1, seconds.rounded(.up))))
    }

    /// How the gateway answers a `ModelError` from the registry, a balancer or a provider:
    /// upstream status, type, code and message kept (scrubbed of `secrets`); a balancer that
    /// gave up answers with the last upstream status (503 when none); a queue timeout is 429.
    init(_ error: ModelError, secrets: [String]) {
        let message = SecretRedaction.scrub(SecretRedaction.strippingUserInfo(error.message), secrets: secrets)
        let retry = GatewayError.retrySeconds(error.retryAfter)
        switch error.kind {
        case .unsupported:
            self.init(400, message, code: "unsupported_parameter", param: error.param)
        case .queueTimeout:
            self.init(429, message, type: "rate_limit_exceeded", code: "queue_timeout", retryAfter: retry ?? 1)
        case .budgetExceeded:
            self.init(402, message, type: "insufficient_quota", code: "insufficient_quota")
        case .allAttemptsFailed
        where error.attempts.last.map({ $0.status == nil && GatewayError.requestKinds.contains($0.kind) }) ?? false:
            // Every member refused the request itself (a field its provider cannot honour): the
            // client's mistake, not an outage.
            self.init(400, message, code: error.attempts.last?.kind.rawValue)
        case .allAttemptsFailed:
            let last = error.attempts.last
            let status = last?.status ?? error.status ?? 503
            self.init(
                GatewayError.clampedStatus(status), message, type: GatewayError.type(for: last?.kind ?? .serverError, status: status),
                code: error.providerCode ?? last.map { $0.kind.rawValue }, retryAfter: retry)
        case .cancelled:
            self.init(499, message, type: "cancelled", code: "cancelled")
        default:
            let status = error.status ?? GatewayError.status(for: error.kind)
            self.init(
                GatewayError.clampedStatus(status), message, type: error.providerType ?? GatewayError.type(for: error.kind, status: status),
                code: error.providerCode ?? (error.status == nil ? error.kind.rawValue : nil), param: error.param,
                retryAfter: retry ?? (status == 429 ? 1 : nil))
        }
    }

    /// Failures caused by the request itself rather than by the member.
    static let requestKinds: Set<ModelError.Kind> = [.unsupported, .badRequest, .contextLengthExceeded, .contentFiltered]

    /// A status an HTTP response can carry (an upstream's odd status becomes 502).
    static func clampedStatus(_ status: Int) -> Int { (400...599).contains(status) ? status : 502 }

    /// The status for an error that carries none from upstream.
    static func status(for kind: ModelError.Kind) -> Int {
        switch kind {
        case .rateLimited: 429
        case .timeout: 504
        case .connectionFailed, .decoding, .truncated: 502
        case .badRequest, .contextLengthExceeded, .contentFiltered, .refusal: 400
        case .authentication: 401
        case .permissionDenied: 403
        case .notFound: 404
        case .conflict: 409
        default: 500
        }
    }

    /// OpenAI's `type` for a kind.
    static func type(for kind: ModelError.Kind, status: Int) -> String {
        switch kind {
        case .rateLimited: "rate_limit_exceeded"
        case .authentication: "authentication_error"
        case .permissionDenied: "permission_error"
        case .notFound: "not_found_error"
        case .timeout: "timeout"
        case .badRequest, .contextLengthExceeded, .contentFiltered, .unsupported: "invalid_request_error"
        default: status < 500 ? "invalid_request_error" : "server_error"
        }
    }
}
