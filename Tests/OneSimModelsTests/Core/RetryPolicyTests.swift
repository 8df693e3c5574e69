import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("RetryPolicy")
struct RetryPolicyTests {
    @Test func backoffDoublesAndCaps() {
        let policy = RetryPolicy()
        #expect(policy.backoff(retry: 0, jitter: 1) == .milliseconds(500))
        #expect(policy.backoff(retry: 1, jitter: 1) == .seconds(1))
        #expect(policy.backoff(retry: 3, jitter: 1) == .seconds(4))
        #expect(policy.backoff(retry: 10, jitter: 1) == .seconds(8))
        #expect(policy.backoff(retry: 1, jitter: 0.75) == .milliseconds(750))
    }

    @Test func retryableKinds() {
        #expect(ModelError(.connectionFailed, "x").isRetryable)
        #expect(ModelError(.timeout, "x").isRetryable)
        #expect(ModelError(.rateLimited, "x", status: 429).isRetryable)
        #expect(ModelError(.serverError, "x", status: 503).isRetryable)
        #expect(ModelError(.conflict, "x", status: 409).isRetryable)
        #expect(!ModelError(.badRequest, "x", status: 400).isRetryable)
        #expect(!ModelError(.authentication, "x", status: 401).isRetryable)
        #expect(!ModelError(.contextLengthExceeded, "x", status: 400).isRetryable)
        #expect(ModelError(.badRequest, "x", status: 400, shouldRetryHeader: true).isRetryable)
        #expect(!ModelError(.serverError, "x", status: 500, shouldRetryHeader: false).isRetryable)
        #expect(ModelError.kind(forStatus: 408) == .timeout)
    }

    @Test func delayHonoursRetryAfterUpTo120Seconds() {
        let policy = RetryPolicy()
        let short = ModelError(.rateLimited, "x", status: 429, retryAfter: .seconds(3))
        #expect(policy.delay(after: short, retry: 0, jitter: 1) == .seconds(3))
        let long = ModelError(.rateLimited, "x", status: 429, retryAfter: .seconds(121))
        #expect(policy.delay(after: long, retry: 0, jitter: 1) == nil)
        let plain = ModelError(.serverError, "x", status: 500)
        #expect(policy.delay(after: plain, retry: 1, jitter: 1) == .seconds(1))
        #expect(policy.delay(after: plain, retry: 2, jitter: 1) == nil)
        #expect(policy.delay(after: ModelError(.badRequest, "x", status: 400), retry: 0, jitter: 1) == nil)
    }
}
