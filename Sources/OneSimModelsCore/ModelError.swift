/// Everything that can go wrong in a model call, typed.
///
/// A `ModelError` keeps what the provider said (HTTP status, error type, code, message, param,
/// request id, `Retry-After`) so callers and the balancer can decide what to do. It never
/// contains an API key, a secret header value or URL credentials: every error a provider call
/// ends with passes `CallExecutor.redact(_:)`, which scrubs every secret the call used from
/// every string field (message, type, code, param, request id, attempts) and removes URL
/// user-info (`ModelError.redacting(_:)`). `partialText` is the model's own output, as the
/// caller received it.
public struct ModelError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of failure: an open set of values, compared with `==` or matched in a `switch`
    /// (which needs a `default:`, since later versions may add kinds without breaking callers,
    /// as AsyncHTTPClient's `HTTPClientError` and Hummingbird's `HTTPError` do). `rawValue` is
    /// the stable snake_case name used in logs, metrics labels, usage exports and `description`.
    public struct Kind: RawRepresentable, Sendable, Hashable, CaseIterable, CustomStringConvertible {
        /// The snake_case name (`rate_limited`, `timeout`, ...).
        public let rawValue: String

        /// A kind by name. The built-in kinds are the static members; a custom adapter may
        /// name its own.
        public init(rawValue: String) { self.rawValue = rawValue }

        /// The snake_case name.
        public var description: String { rawValue }

        /// The connection could not be made or broke before a response.
        public static let connectionFailed = Kind(rawValue: "connection_failed")
        /// A connect, read or total deadline passed.
        public static let timeout = Kind(rawValue: "timeout")
        /// HTTP 429.
        public static let rateLimited = Kind(rawValue: "rate_limited")
        /// HTTP 401: the key is wrong or missing.
        public static let authentication = Kind(rawValue: "authentication")
        /// HTTP 403.
        public static let permissionDenied = Kind(rawValue: "permission_denied")
        /// HTTP 404: wrong model or URL.
        public static let notFound = Kind(rawValue: "not_found")
        /// HTTP 409.
        public static let conflict = Kind(rawValue: "conflict")
        /// HTTP 400 / 422 and other request errors.
        public static let badRequest = Kind(rawValue: "bad_request")
        /// The prompt does not fit the model's context window.
        public static let contextLengthExceeded = Kind(rawValue: "context_length_exceeded")
        /// The provider refused the content (`content_filter`, content policy).
        public static let contentFiltered = Kind(rawValue: "content_filtered")
        /// HTTP 5xx.
        public static let serverError = Kind(rawValue: "server_error")
        /// The response could not be decoded.
        public static let decoding = Kind(rawValue: "decoding")
        /// A config, a lookup or an argument is wrong.
        public static let configuration = Kind(rawValue: "configuration")
        /// The adapter does not do this (e.g. embeddings on a chat model).
        public static let unsupported = Kind(rawValue: "unsupported")
        /// Waiting for capacity (concurrency, rpm, tpm or a cooled balancer) ran past its deadline.
        public static let queueTimeout = Kind(rawValue: "queue_timeout")
        /// A budget (`max_cost_usd`, `max_tokens`) would be exceeded.
        public static let budgetExceeded = Kind(rawValue: "budget_exceeded")
        /// Every attempt of a balancer failed; `attempts` lists them.
        public static let allAttemptsFailed = Kind(rawValue: "all_attempts_failed")
        /// The calling task was cancelled.
        public static let cancelled = Kind(rawValue: "cancelled")
        /// The reply was cut off (`finish_reason: length`) where a complete one was needed.
        public static let truncated = Kind(rawValue: "truncated")
        /// The model refused to answer (structured outputs' `refusal`).
        public static let refusal = Kind(rawValue: "refusal")

        /// Every kind this version of the library produces.
        public static let allCases: [Kind] = [
            .connectionFailed, .timeout, .rateLimited, .authentication, .permissionDenied, .notFound, .conflict, .badRequest, .contextLengthExceeded, .contentFiltered, .serverError, .decoding, .configuration, .unsupported, .queueTimeout, .budgetExceeded, .allAttemptsFailed, .cancelled, .truncated, .refusal
        ]
    }

    /// One failed attempt inside a balancer call.
    public struct Attempt: Sendable, Hashable, CustomStringConvertible {
        /// The member config that was tried.
        public var member: String
        /// The kind of the attempt's error.
        public var kind: Kind
        /// The HTTP status of the attempt's response; `nil` when none arrived (connection errors,
        /// timeouts).
        public var status: Int?
        /// The attempt's error message, already scrubbed of secrets.
        public var message: String

        /// An attempt with the given member, kind, status and (secret-free) message.
        public init(member: String, kind: Kind, status: Int?, message: String) {
            self.member = member
            self.kind = kind
            self.status = status
            self.message = message
        }

        /// `"member: kind (status): message"`.
        public var description: String {
            "\(member): \(kind.rawValue)\(status.map { " (\($0))" } ?? ""): \(message)"
        }
    }

    /// What went wrong; decides `isRetryable` and how a balancer treats the failure.
    public var kind: Kind
    /// A message a person can act on.
    public var message: String
    /// The HTTP status, when there was a response.
    public var status: Int?
    /// The provider's error `type` (`invalid_request_error`, ...).
    public var providerType: String?
    /// The provider's error `code` (`context_length_exceeded`, `rate_limit_exceeded`, ...).
    public var providerCode: String?
    /// The request parameter the provider blamed.
    public var param: String?
    /// The provider's request id (`x-request-id`).
    public var requestID: String?
    /// How long the provider asked us to wait (`retry-after-ms` / `Retry-After`).
    public var retryAfter: Duration?
    /// The provider's `x-should-retry` header, which overrides the status rule when present.
    public var shouldRetryHeader: Bool?
    /// The config that failed, when known.
    public var configName: String?
    /// For `allAttemptsFailed`: every attempt in order.
    public var attempts: [Attempt]
    /// For a stream that broke after it started: the text received before the error.
    public var partialText: String?

    /// An error of `kind` with `message` and optional details.
    public init(
        _ kind: Kind, _ message: String, status: Int? = nil, providerType: String? = nil, providerCode: String? = nil,
        param: String? = nil, requestID: String? = nil, retryAfter: Duration? = nil, shouldRetryHeader: Bool? = nil,
        configName: String? = nil, attempts: [Attempt] = [], partialText: String? = nil
    ) {
        self.partialText = partialText
        self.kind = kind
        self.message = message
        self.status = status
        self.providerType = providerType
        self.providerCode = providerCode
        self.param = param
        self.requestID = requestID
        self.retryAfter = retryAfter
        self.shouldRetryHeader = shouldRetryHeader
        self.configName = configName
        self.attempts = attempts
    }

    /// Whether another attempt may succeed: connection errors, timeouts, 408, 409, 429 and
    /// 5xx, unless the provider's `x-should-retry` header says otherwise (openai-python's rule).
    public var isRetryable: Bool {
        if let shouldRetryHeader { return shouldRetryHeader }
        switch kind {
        case .connectionFailed, .timeout, .rateLimited, .serverError, .conflict: return true
        case .badRequest: return status == 408
        default: return false
        }
    }

    /// One line: kind, status, config, provider code, message, request id.
    public var description: String {
        var s = "ModelError.\(kind.rawValue)"
        if let status { s += " (HTTP \(status))" }
        if let configName { s += " [\(configName)]" }
        if let providerCode { s += " {\(providerCode)}" }
        s += ": \(message)"
        if let requestID { s += " (request id \(requestID))" }
        if !attempts.isEmpty { s += "; attempts: " + attempts.map(\.description).joined(separator: "; ") }
        return s
    }

    /// Maps an HTTP status to a kind (before provider-specific refinements).
    package static func kind(forStatus status: Int) -> Kind {
        switch status {
        case 401: return .authentication
        case 403: return .permissionDenied
        case 404: return .notFound
        case 408: return .timeout
        case 409: return .conflict
        case 429: return .rateLimited
        case 500...: return .serverError
        default: return .badRequest
        }
    }
}
