import OneSimModelsCore
import Tracing

/// The spans of one balancer call: an INTERNAL span for the call (`load_balancer {name}`) and,
/// under it, one INTERNAL span per attempt (`attempt {member}`), whose context is current while
/// the attempt runs, so the member's own client span (`chat {model}`) is its child.
///
/// Attempt attributes: `onesim.balancer.member` (the member's or fallback's config name),
/// `onesim.attempt.number` (1-based), `onesim.attempt.retry` (a later retry round),
/// `onesim.attempt.failover` (an earlier attempt of this call failed),
/// `onesim.attempt.fallback` (one of the balancer's `fallbacks`) and `onesim.attempt.outcome`
/// (`success`, or the `ModelError.Kind` name). Time spent waiting for capacity is an event
/// `onesim.balancer.queue_wait` on the call span with `onesim.balancer.queue_wait_seconds`.
///
/// Without a bootstrapped instrument `start` returns `nil` after one lock read and the call
/// pays nothing else.
struct BalancerTrace: Sendable {
    static let member = "onesim.balancer.member"
    static let attemptNumber = "onesim.attempt.number"
    static let retry = "onesim.attempt.retry"
    static let failover = "onesim.attempt.failover"
    static let fallback = "onesim.attempt.fallback"
    static let outcome = "onesim.attempt.outcome"
    static let queueWait = "onesim.balancer.queue_wait"
    static let queueWaitSeconds = "onesim.balancer.queue_wait_seconds"
    static let balancerName = "onesim.balancer.name"
    static let strategy = "onesim.balancer.strategy"
    static let attemptCount = "onesim.balancer.attempts"

    /// The call's span.
    let call: any Span
    /// The running attempt's span, if one is running.
    var attempt: (any Span)?
    /// Attempts started so far.
    var attempts = 0

    /// Starts the span of a call to `balancer`, a child of the task's current context; `nil`
    /// when no tracer is bootstrapped or the span does not record.
    @inline(__always)
    static func start(_ balancer: LoadBalancer) -> BalancerTrace? {
        if InstrumentationSystem.instrument is NoOpInstrument { return nil }
        return begin(balancer)
    }

    @inline(never)
    private static func begin(_ balancer: LoadBalancer) -> BalancerTrace? {
        let tracer = InstrumentationSystem.tracer
        if tracer is NoOpTracer { return nil }
        let span = tracer.startSpan("load_balancer \(balancer.configName)", context: ServiceContext.current ?? .topLevel)
        guard span.isRecording else {
            span.end()
            return nil
        }
        span.updateAttributes { a in
            a[GenAINames.operationName] = GenAINames.operation(balancer.kind)
            a[GenAINames.requestModel] = balancer.modelName
            a[Self.balancerName] = balancer.configName
            a[Self.strategy] = balancer.strategyName
        }
        return BalancerTrace(call: span)
    }

    /// The call waited for capacity from `before` to `after` (its total queue time so far):
    /// adds the event when it waited at all.
    func queued(from before: Duration, to after: Duration) {
        guard after > before else { return }
        call.addEvent(SpanEvent(name: Self.queueWait, attributes: [Self.queueWaitSeconds: .double((after - before).seconds)]))
    }

    /// Starts the span of an attempt on `member`.
    mutating func startAttempt(member: String, plan: CallPlan, fallback: Bool) {
        attempts += 1
        let span = InstrumentationSystem.tracer.startSpan("attempt \(member)", context: call.context)
        span.updateAttributes { a in
            a[Self.member] = member
            a[Self.attemptNumber] = attempts
            a[Self.retry] = plan.round > 0
            a[Self.failover] = !plan.attempts.isEmpty
            a[Self.fallback] = fallback
        }
        attempt = span
    }

    /// Runs `body` with the running attempt's context current (so the member's spans are its
    /// children), or as is without one.
    static func running<R>(
        _ trace: BalancerTrace?, isolation: isolated (any Actor)? = #isolation, _ body: () async throws -> R
    ) async throws -> R {
        guard let context = trace?.attempt?.context else { return try await body() }
        return try await ServiceContext.withValue(context, operation: body)
    }

    /// The running attempt failed with `error`.
    mutating func attemptFailed(_ error: any Error) {
        guard let span = attempt else { return }
        let kind = Self.errorType(error)
        span.attributes[Self.outcome] = kind
        span.attributes[GenAINames.errorType] = kind
        span.setStatus(SpanStatus(code: .error, message: kind))
        span.end()
        attempt = nil
    }

    /// The call succeeded (for a stream: it ended at its end marker): both spans end.
    mutating func succeeded(member: String) {
        if let span = attempt {
            span.attributes[Self.outcome] = "success"
            span.end()
            attempt = nil
        }
        call.attributes[Self.member] = member
        call.attributes[Self.attemptCount] = attempts
        call.end()
    }

    /// The call ended with `error`: the running attempt (if any) and the call end with it.
    mutating func failed(_ error: any Error) {
        attemptFailed(error)
        let kind = Self.errorType(error)
        call.attributes[GenAINames.errorType] = kind
        call.attributes[Self.attemptCount] = attempts
        call.recordError(error)
        call.setStatus(SpanStatus(code: .error, message: kind))
        call.end()
    }

    /// `error.type` of an error: a `ModelError`'s kind name, `cancelled`, or the error's type name.
    static func errorType(_ error: any Error) -> String {
        if let error = error as? ModelError { return error.kind.rawValue }
        if error is CancellationError { return ModelError.Kind.cancelled.rawValue }
        return String(describing: type(of: error))
    }
}
