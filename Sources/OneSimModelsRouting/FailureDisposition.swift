import OneSimModelsCore

/// What the balancer does with a member's error.
package enum FailureDisposition: Sendable, Hashable {
    /// The request itself is wrong (400, 422, context length, content filter, budget): return
    /// the error to the caller at once; the member's health is untouched.
    case returnNow
    /// The member is misconfigured for this request (401, 403, 404, a configuration error):
    /// cool it and move to another member.
    case coolAndMove
    /// Transient (connection, timeout, 408, 409, 429, 5xx, `x-should-retry: true`): move to
    /// another member now, and retry after a backoff once every member has been tried.
    case retryable
    /// Not the request's fault but not worth a backoff round (a decoding error, a nested
    /// balancer that already retried, `x-should-retry: false`): move to another member now.
    /// `countsAsFailure` says whether it counts toward `allowedFails`.
    case failover(countsAsFailure: Bool)
    /// The calling task was cancelled.
    case cancelled

    /// Classifies `error`.
    init(_ error: ModelError) {
        switch error.kind {
        case .cancelled:
            self = .cancelled
        case .contextLengthExceeded, .contentFiltered, .budgetExceeded:
            self = .returnNow
        case .unsupported, .queueTimeout:
            self = .failover(countsAsFailure: false)
        case .allAttemptsFailed:
            self = .failover(countsAsFailure: true)
        case _ where error.isRetryable:
            self = .retryable
        case .badRequest:
            self = .returnNow
        case .authentication, .permissionDenied, .notFound, .configuration:
            self = .coolAndMove
        default:
            self = .failover(countsAsFailure: true)
        }
    }
}

extension ModelError {
    /// `error` as a `ModelError`: a `ModelError` as is, a `CancellationError` as `.cancelled`,
    /// anything else (a custom adapter's own error) as a `.serverError` of `member`, so the
    /// balancer fails over to another member.
    static func from(_ error: any Error, member: String) -> ModelError {
        if let error = error as? ModelError { return error }
        if error is CancellationError { return ModelError(.cancelled, "the call was cancelled", configName: member) }
        return ModelError(.serverError, "unexpected error from '\(member)': \(String(describing: error))", configName: member)
    }
}
