import CoreMetrics
import OneSimModelsCore

/// swift-metrics instruments of one balancer member, dimensioned by `balancer` and `member`.
///
/// Labels: `onesim_balancer_requests_total`, `onesim_balancer_successes_total`,
/// `onesim_balancer_failures_total` (plus a `kind` dimension), `onesim_balancer_cooldowns_total`,
/// `onesim_balancer_tokens_total` (plus `type` = `prompt` | `completion`),
/// `onesim_balancer_latency` (timer) and `onesim_balancer_in_flight` (meter).
/// A class, so the per-call `started()`/`ended()` cost one reference, not a copy of every instrument.
final class MemberMetrics: Sendable {
    private let factory: any MetricsFactory
    private let dimensions: [(String, String)]
    private let requests: Counter
    private let successes: Counter
    private let cooldowns: Counter
    private let promptTokens: Counter
    private let completionTokens: Counter
    private let latency: CoreMetrics.Timer
    private let inFlight: Meter

    /// Instruments for `member` of `balancer`, from `factory`.
    init(balancer: String, member: String, factory: any MetricsFactory) {
        let dimensions = [("balancer", balancer), ("member", member)]
        self.factory = factory
        self.dimensions = dimensions
        requests = Counter(label: "onesim_balancer_requests_total", dimensions: dimensions, factory: factory)
        successes = Counter(label: "onesim_balancer_successes_total", dimensions: dimensions, factory: factory)
        cooldowns = Counter(label: "onesim_balancer_cooldowns_total", dimensions: dimensions, factory: factory)
        promptTokens = Counter(
            label: "onesim_balancer_tokens_total", dimensions: dimensions + [("type", "prompt")], factory: factory)
        completionTokens = Counter(
            label: "onesim_balancer_tokens_total", dimensions: dimensions + [("type", "completion")], factory: factory)
        latency = CoreMetrics.Timer(label: "onesim_balancer_latency", dimensions: dimensions, factory: factory)
        inFlight = Meter(label: "onesim_balancer_in_flight", dimensions: dimensions, factory: factory)
    }

    /// An attempt started.
    func started() {
        requests.increment()
        inFlight.increment()
    }

    /// An attempt ended with `result`; `cooled` says whether it started a cooldown.
    func ended(_ result: AttemptResult, cooled: Bool) {
        inFlight.decrement()
        switch result {
        case .success(let duration, let usage):
            successes.increment()
            latency.recordNanoseconds(max(duration.components.seconds, 0) * 1_000_000_000 + duration.components.attoseconds / 1_000_000_000)
            if usage.promptTokens > 0 { promptTokens.increment(by: usage.promptTokens) }
            if usage.completionTokens > 0 { completionTokens.increment(by: usage.completionTokens) }
        case .failure(let error, _):
            Counter(
                label: "onesim_balancer_failures_total", dimensions: dimensions + [("kind", error.kind.rawValue)],
                factory: factory
            ).increment()
        case .cancelled, .notSent:
            break
        }
        if cooled { cooldowns.increment() }
    }
}
