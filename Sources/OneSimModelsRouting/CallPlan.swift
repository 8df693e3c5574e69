import OneSimModelsCore

/// One balancer call's retry and failover bookkeeping, as a plain value.
///
/// The call tries untried healthy members one after another; a round ends when none is left.
/// A round whose failures include a retryable one is followed by a wait (`RetryPolicy`: the
/// server's `Retry-After`, else backoff) and a new round, up to `maxRetries` times. Errors
/// that are the request's own fault end the call at once.
struct CallPlan: Sendable {
    /// Retry rounds allowed after the first.
    let maxRetries: Int
    /// Backoff and `Retry-After` rules.
    let policy: RetryPolicy
    /// The longest the call may wait for capacity in total.
    let queueTimeout: Duration
    /// The call's prompt blocks and affinity key, for the fleet and affinity dispatch.
    var fingerprint: PromptFingerprint = .none

    /// The current round (0 = first pass over the members).
    private(set) var round = 0
    /// Members tried in this round.
    private(set) var tried: Set<Int> = []
    /// Every failed attempt, in order (members, then fallbacks).
    private(set) var attempts: [ModelError.Attempt] = []
    /// The newest error.
    private(set) var lastError: ModelError?
    /// The newest retryable error of this round; it decides the wait before the next round.
    private var roundRetryable: ModelError?
    /// Time spent waiting for capacity so far.
    private(set) var waited: Duration = .zero
    /// Whether waiting for capacity ran out of `queueTimeout`.
    private(set) var timedOut = false
    /// Whether the last thing that failed was the wait for capacity (not a later fallback).
    private var endedByTimeout = false

    /// A plan with the given limits.
    init(maxRetries: Int, policy: RetryPolicy, queueTimeout: Duration) {
        self.maxRetries = max(maxRetries, 0)
        self.policy = policy
        self.queueTimeout = queueTimeout
    }

    /// The deadline of a wait that starts at `now`: what is left of `queueTimeout`.
    func deadline(from now: Duration) -> Duration {
        now + max(queueTimeout - waited, .zero)
    }

    /// Adds `duration` spent waiting for capacity.
    mutating func addWaited(_ duration: Duration) {
        waited += max(duration, .zero)
    }

    /// What a call does after a failed attempt.
    enum AfterFailure: Sendable, Hashable {
        /// Try another member (or end the round if none is left).
        case tryAnother
        /// Return this error to the caller now.
        case fail(ModelError)
    }

    /// Records that member `index` (`name`) failed with `error`.
    mutating func memberFailed(_ index: Int, name: String, error: ModelError, disposition: FailureDisposition) -> AfterFailure {
        tried.insert(index)
        record(name, error)
        switch disposition {
        case .returnNow, .cancelled:
            return .fail(error)
        case .retryable:
            roundRetryable = error
            return .tryAnother
        case .coolAndMove, .failover:
            return .tryAnother
        }
    }

    /// What a call does when a round is over.
    enum AfterRound: Sendable, Hashable {
        /// Wait this long, then start a new round over every member.
        case retry(after: Duration)
        /// Stop: go to the fallbacks, then fail.
        case giveUp
    }

    /// The round is over; `jitter` (0.75...1) scales the backoff.
    mutating func roundEnded(jitter: Double) -> AfterRound {
        var rules = policy
        rules.maxRetries = maxRetries
        guard let error = roundRetryable, let delay = rules.delay(after: error, retry: round, jitter: jitter) else {
            return .giveUp
        }
        round += 1
        tried.removeAll()
        roundRetryable = nil
        return .retry(after: delay)
    }

    /// Waiting for capacity ran out of time on balancer `balancer`.
    mutating func queueTimedOut(balancer: String) {
        timedOut = true
        let error = queueTimeoutError(balancer: balancer)
        record(balancer, error)
        endedByTimeout = true
    }

    /// A fallback model `name` failed with `error`; a nested balancer's attempts are listed
    /// one by one. Returns `.fail` when the error is the request's own fault.
    mutating func fallbackFailed(name: String, error: ModelError) -> AfterFailure {
        endedByTimeout = false
        if error.kind == .allAttemptsFailed && !error.attempts.isEmpty {
            attempts.append(contentsOf: error.attempts)
            lastError = error
        } else {
            record(name, error)
        }
        if case .returnNow = FailureDisposition(error) { return .fail(error) }
        return .tryAnother
    }

    /// The error a call that found no way to succeed throws.
    ///
    /// - `.queueTimeout` when it ended waiting for capacity;
    /// - `.configuration` when the balancer has no members and no fallbacks;
    /// - otherwise `.allAttemptsFailed`, keeping the last error's status, provider type and
    ///   code, param, request id and `Retry-After`, and listing every attempt. Its
    ///   `x-should-retry` is not copied, so an outer balancer does not retry what this one
    ///   already retried.
    func finalError(balancer: String, memberCount: Int) -> ModelError {
        if endedByTimeout {
            var error = queueTimeoutError(balancer: balancer)
            error.attempts = attempts
            return error
        }
        guard let last = lastError else {
            return ModelError(
                .configuration, "load balancer '\(balancer)' has no members\(memberCount == 0 ? "" : " that could be tried")",
                configName: balancer)
        }
        let rounds = round + 1
        let source = attempts.last?.member ?? balancer
        return ModelError(
            .allAttemptsFailed,
            "all \(attempts.count) attempt\(attempts.count == 1 ? "" : "s") of '\(balancer)' failed "
                + "(\(rounds) round\(rounds == 1 ? "" : "s")); last from '\(source)': \(last.kind.rawValue): \(last.message)",
            status: last.status, providerType: last.providerType, providerCode: last.providerCode, param: last.param,
            requestID: last.requestID, retryAfter: last.retryAfter, configName: balancer, attempts: attempts)
    }

    private func queueTimeoutError(balancer: String) -> ModelError {
        ModelError(
            .queueTimeout,
            "no member of '\(balancer)' could take the request within queue_timeout \(queueTimeout) "
                + "(all busy, over their rpm/tpm, or cooling down)",
            configName: balancer)
    }

    private mutating func record(_ member: String, _ error: ModelError) {
        attempts.append(ModelError.Attempt(member: member, kind: error.kind, status: error.status, message: error.message))
        lastError = error
    }
}
