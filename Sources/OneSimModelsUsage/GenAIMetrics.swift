import Metrics
import OneSimModelsCore
import Synchronization

/// The OpenTelemetry GenAI client metrics of one usage key (model, config, provider, kind),
/// made once and cached with the key's other instruments:
///
/// - `gen_ai.client.token.usage`: a histogram of tokens per successful attempt, one recorder
///   per `gen_ai.token.type` (`input`, `output`); attempts without reported usage add nothing.
/// - `gen_ai.client.operation.duration`: a histogram of each attempt's duration in seconds;
///   failed attempts carry `error.type` (the `ModelError.Kind` name).
///
/// Dimensions: `gen_ai.operation.name`, `gen_ai.provider.name`, `gen_ai.request.model` (and
/// `gen_ai.token.type` / `error.type`): bounded by the configs, never per request.
final class GenAIMetrics: Sendable {
    private let factory: any MetricsFactory
    private let dimensions: [(String, String)]
    private let inputTokens: Recorder
    private let outputTokens: Recorder
    private let duration: Recorder
    /// Failure durations by kind, made on first use (errors are the rare path).
    private let failures = Mutex<[ModelError.Kind: Recorder]>([:])

    /// Instruments for `key` from `factory`.
    init(key: UsageKey, factory: any MetricsFactory) {
        let dimensions = [
            (GenAINames.operationName, GenAINames.operation(key.kind)),
            (GenAINames.providerName, GenAINames.provider(key.provider)),
            (GenAINames.requestModel, key.modelName),
        ]
        self.factory = factory
        self.dimensions = dimensions
        inputTokens = Recorder(
            label: GenAINames.tokenUsageMetric, dimensions: dimensions + [(GenAINames.tokenType, "input")], aggregate: true,
            factory: factory)
        outputTokens = Recorder(
            label: GenAINames.tokenUsageMetric, dimensions: dimensions + [(GenAINames.tokenType, "output")], aggregate: true,
            factory: factory)
        duration = Recorder(label: GenAINames.operationDurationMetric, dimensions: dimensions, aggregate: true, factory: factory)
    }

    /// Records one attempt.
    func record(_ record: CallRecord) {
        let seconds = record.latency.seconds
        if let kind = record.error {
            failureDuration(kind).record(seconds)
            return
        }
        duration.record(seconds)
        guard !record.usage.isEmpty else { return }
        inputTokens.record(record.usage.promptTokens)
        if record.kind == .chat { outputTokens.record(record.usage.completionTokens) }
    }

    private func failureDuration(_ kind: ModelError.Kind) -> Recorder {
        failures.withLock { recorders in
            if let recorder = recorders[kind] { return recorder }
            let recorder = Recorder(
                label: GenAINames.operationDurationMetric, dimensions: dimensions + [(GenAINames.errorType, kind.rawValue)],
                aggregate: true, factory: factory)
            recorders[kind] = recorder
            return recorder
        }
    }
}
