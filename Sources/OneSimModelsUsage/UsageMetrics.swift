import Metrics
import OneSimModelsCore
import Synchronization

/// The swift-metrics labels the token tracker emits, each with the dimensions `model`,
/// `config` and `provider` (so a Prometheus or OpenTelemetry backend can group by them).
package enum UsageMetricLabels {
    /// Counter of recorded attempts, successful or not.
    package static let requests = "onesim_model_requests_total"
    /// Counter of tokens, with the extra dimension `type` = `prompt` | `completion`.
    package static let tokens = "onesim_model_tokens_total"
    /// Counter of failed attempts, with the extra dimension `kind` (a `ModelError.Kind` raw value).
    package static let errors = "onesim_model_errors_total"
    /// Timer of successful attempts' latency, in nanoseconds.
    package static let latency = "onesim_model_latency"
}

/// The instruments of one (model, config, provider) key, made once and cached by the tracker,
/// so recording a call only increments existing handlers.
final class UsageMetrics: Sendable {
    private let factory: any MetricsFactory
    private let dimensions: [(String, String)]
    private let requests: Counter
    private let promptTokens: Counter
    private let completionTokens: Counter
    private let latency: CoreMetrics.Timer
    /// Error counters by kind, made on first use (errors are the rare path).
    private let errors = Mutex<[ModelError.Kind: Counter]>([:])
    /// The OpenTelemetry GenAI histograms of the same key.
    private let genAI: GenAIMetrics

    /// Instruments for `key` from `factory`.
    init(key: UsageKey, factory: any MetricsFactory) {
        let dimensions = [("model", key.modelName), ("config", key.configName), ("provider", key.provider)]
        self.factory = factory
        self.dimensions = dimensions
        requests = Counter(label: UsageMetricLabels.requests, dimensions: dimensions, factory: factory)
        promptTokens = Counter(
            label: UsageMetricLabels.tokens, dimensions: dimensions + [("type", "prompt")], factory: factory)
        completionTokens = Counter(
            label: UsageMetricLabels.tokens, dimensions: dimensions + [("type", "completion")], factory: factory)
        latency = CoreMetrics.Timer(label: UsageMetricLabels.latency, dimensions: dimensions, factory: factory)
        genAI = GenAIMetrics(key: key, factory: factory)
    }

    /// Updates the instruments for one record.
    func record(_ record: CallRecord) {
        requests.increment()
        if record.usage.promptTokens > 0 { promptTokens.increment(by: record.usage.promptTokens) }
        if record.usage.completionTokens > 0 { completionTokens.increment(by: record.usage.completionTokens) }
        if let kind = record.error {
            errorCounter(kind).increment()
        } else {
            latency.recordNanoseconds(UsageMath.nanoseconds(record.latency))
        }
        genAI.record(record)
    }

    private func errorCounter(_ kind: ModelError.Kind) -> Counter {
        errors.withLock { counters in
            if let counter = counters[kind] { return counter }
            let counter = Counter(
                label: UsageMetricLabels.errors, dimensions: dimensions + [("kind", kind.rawValue)], factory: factory)
            counters[kind] = counter
            return counter
        }
    }
}
