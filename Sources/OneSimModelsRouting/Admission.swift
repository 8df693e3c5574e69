import OneSimModelsCore

/// A concurrency slot (and rpm/tpm charge) on one member, held by one request attempt.
package struct Grant: Sendable, Hashable {
    /// The member's index in config order.
    package let member: Int
    /// Tokens charged against the member's `tpm` budget.
    let tokens: Double
    /// When the slot was taken.
    let startedAt: Duration
    /// Requests in flight on the deployment when it was taken, this one included (the
    /// learned limit grows only from requests that used most of it).
    var inFlightAtStart: Int = 0
    /// The share (0...1) of the prompt's blocks the member's prefix index held when the slot
    /// was taken (fleet dispatch; 0 otherwise): the likely prefix-cache hit, which the learned
    /// limit discounts from a request's work when the server reports no cached tokens.
    var cachedShare: Double = 0
}

/// How a request's wait for a member ended.
package enum AdmissionOutcome: Sendable, Hashable {
    /// The request holds a slot on a member and must release it.
    case granted(Grant)
    /// Every member is tried this round, or the untried ones are all cooling down: the round
    /// is over (back off, then try again, or give up).
    case exhausted
    /// The call's `queueTimeout` ran out while waiting for capacity.
    case timedOut
    /// The calling task was cancelled while waiting.
    case cancelled
}

/// What `acquire` decided.
package enum AdmissionDecision: Sendable, Hashable {
    /// Decided at once.
    case done(AdmissionOutcome)
    /// Queued as waiter `id`; its outcome arrives later as a resolution.
    case wait(id: UInt64)
}

/// A waiter's outcome, to be delivered to its suspended caller.
package struct Resolution: Sendable, Hashable {
    /// The waiter.
    package let id: UInt64
    /// Its outcome.
    package let outcome: AdmissionOutcome
}

/// How one attempt on a member ended.
package enum AttemptResult: Sendable {
    /// It succeeded after `latency` with `usage`.
    case success(latency: Duration, usage: Usage)
    /// It failed with `error`.
    case failure(ModelError, FailureDisposition)
    /// The caller was cancelled while it ran.
    case cancelled
    /// The request was never sent (the call's budget refused it after the grant).
    case notSent
}

/// A request waiting for capacity.
struct Waiter: Sendable, Hashable {
    /// Its id.
    let id: UInt64
    /// Members it must not use (tried this round).
    let excluded: Set<Int>
    /// Its estimated tokens.
    let tokens: Double
    /// When it gives up (`.timedOut`).
    let deadline: Duration
    /// When something it waits for may change by itself (a budget refill, a cooldown end, or
    /// its deadline).
    var wake: Duration
    /// Whether it waits in the retrying queue (it tried members, or is in a retry round).
    var retry: Bool = false
    /// When it started waiting (its place in the FIFO order shared with other balancers).
    var arrival: Duration = .zero
    /// Its prompt's blocks and affinity key, for the fleet and affinity dispatch.
    var fingerprint: PromptFingerprint = .none
    /// Times a younger waiter took a slot ahead of it (the look-ahead's starvation bound).
    var skipped = 0
}
