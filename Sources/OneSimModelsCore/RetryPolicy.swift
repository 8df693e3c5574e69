/// When and how long to wait before retrying a failed call (openai-python's rules).
///
/// Retryable errors are those with `ModelError.isRetryable` (connection errors, timeouts, 408,
/// 409, 429, 5xx, or `x-should-retry: true`). The delay is the provider's `retry-after-ms` /
/// `Retry-After` when it is positive and at most `maxRetryAfter` (a longer one makes the error
/// final), otherwise `initialDelay × 2ⁿ` capped at `maxDelay`, times a random factor in
/// `[0.75, 1]`.
public struct RetryPolicy: Sendable, Hashable {
    /// Retries after the first attempt (default 2, so three attempts in all).
    public var maxRetries: Int
    /// The first backoff delay (default 0.5 s).
    public var initialDelay: Duration
    /// The longest backoff delay (default 8 s).
    public var maxDelay: Duration
    /// The longest server-requested wait honoured (default 120 s); longer makes the error final.
    public var maxRetryAfter: Duration

    /// A policy with the given limits (defaults: 2 retries, 0.5 s doubling to 8 s, `Retry-After`
    /// up to 120 s).
    public init(
        maxRetries: Int = 2, initialDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(8),
        maxRetryAfter: Duration = .seconds(120)
    ) {
        self.maxRetries = maxRetries
        self.initialDelay = initialDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// The default policy: 2 retries, 0.5 s doubling to 8 s, Retry-After up to 120 s.
    public static let `default` = RetryPolicy()

    /// No retries: one attempt, any error is final.
    public static let none = RetryPolicy(maxRetries: 0)

    /// The exponential backoff before retry number `retry` (0-based), scaled by `jitter`
    /// (a factor the caller draws from `0.75...1`, or 1 for none).
    package func backoff(retry: Int, jitter: Double) -> Duration {
        let base = initialDelay * Int(1 << min(max(retry, 0), 20))
        let capped = min(base, maxDelay)
        return capped * min(max(jitter, 0), 1)
    }

    /// How long to wait before retry number `retry` (0-based) after `error`, or `nil` when the
    /// error is final: not retryable, retries used up, or a server wait beyond `maxRetryAfter`.
    package func delay(after error: ModelError, retry: Int, jitter: Double) -> Duration? {
        guard retry < maxRetries, error.isRetryable else { return nil }
        if let wait = error.retryAfter, wait > .zero {
            return wait <= maxRetryAfter ? wait : nil
        }
        return backoff(retry: retry, jitter: jitter)
    }

    /// A random jitter factor in `0.75...1`.
    package static func randomJitter() -> Double { Double.random(in: 0.75...1) }
}
