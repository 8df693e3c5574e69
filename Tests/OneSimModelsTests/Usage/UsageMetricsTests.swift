import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("Token usage metrics")
struct UsageMetricsTests {
    let dims = [("model", "gpt-4o"), ("config", "a"), ("provider", "openai")]

    @Test func emitsRequestsTokensErrorsAndLatencyWithModelConfigAndProvider() {
        let probe = UsageMetricsProbe()
        let tracker = TokenUsageTracker(metricsFactory: probe)
        tracker.record(usageRecord(model: "gpt-4o", config: "a", provider: "openai", prompt: 3, completion: 5, latency: .milliseconds(2)))
        tracker.record(usageRecord(model: "gpt-4o", config: "a", provider: "openai", prompt: 4, completion: 6, latency: .milliseconds(3)))
        tracker.record(usageRecord(model: "gpt-4o", config: "a", provider: "openai", latency: .seconds(9), error: .rateLimited))
        tracker.record(usageRecord(model: "other", config: "b", provider: "vllm", prompt: 1))

        #expect(probe.total(UsageMetricLabels.requests, dims) == 3)
        #expect(probe.total(UsageMetricLabels.tokens, dims + [("type", "prompt")]) == 7)
        #expect(probe.total(UsageMetricLabels.tokens, dims + [("type", "completion")]) == 11)
        #expect(probe.total(UsageMetricLabels.errors, dims + [("kind", "rate_limited")]) == 1)
        #expect(probe.values(UsageMetricLabels.latency, dims) == [2_000_000, 3_000_000])
        let other = [("model", "other"), ("config", "b"), ("provider", "vllm")]
        #expect(probe.total(UsageMetricLabels.requests, other) == 1)
        #expect(probe.values(UsageMetricLabels.tokens, other + [("type", "completion")]).isEmpty)
    }

    @Test func instrumentsAreMadeOncePerKeyAndSurviveReset() {
        let probe = UsageMetricsProbe()
        let tracker = TokenUsageTracker(metricsFactory: probe)
        for _ in 0..<50 {
            tracker.record(usageRecord(model: "gpt-4o", config: "a", provider: "openai", prompt: 1))
            tracker.record(usageRecord(model: "gpt-4o", config: "a", provider: "openai", error: .timeout))
        }
        tracker.reset()
        tracker.record(usageRecord(model: "gpt-4o", config: "a", provider: "openai", prompt: 1))
        #expect(probe.handlersMade(UsageMetricLabels.requests, dims) == 1)
        #expect(probe.handlersMade(UsageMetricLabels.tokens, dims + [("type", "prompt")]) == 1)
        #expect(probe.handlersMade(UsageMetricLabels.errors, dims + [("kind", "timeout")]) == 1)
        #expect(probe.handlersMade(UsageMetricLabels.latency, dims) == 1)
        #expect(probe.total(UsageMetricLabels.requests, dims) == 101)  // counters are cumulative
        #expect(tracker.stats().requestCount == 1)  // the tracker was reset
    }

    @Test func concurrentRecordsAreAllCounted() async {
        let probe = UsageMetricsProbe()
        let tracker = TokenUsageTracker(metricsFactory: probe)
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<20 {
                group.addTask {
                    for _ in 0..<100 { tracker.record(usageRecord(model: "gpt-4o", config: "a", provider: "openai", prompt: 2)) }
                }
            }
        }
        #expect(probe.total(UsageMetricLabels.requests, dims) == 2000)
        #expect(probe.total(UsageMetricLabels.tokens, dims + [("type", "prompt")]) == 4000)
        #expect(probe.handlersMade(UsageMetricLabels.requests, dims) == 1)
    }
}
