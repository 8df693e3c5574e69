import Testing

@testable import OneSimModelsCore
@testable import OneSimModelsUsage

/// The GenAI client histograms beside the existing counters, through a test metrics factory.
@Suite("Tracing: GenAI metrics")
struct GenAIMetricsTests {
    static let dims = [
        ("gen_ai.operation.name", "chat"), ("gen_ai.provider.name", "gcp.gemini"), ("gen_ai.request.model", "gem"),
    ]

    @Test func tokenUsageIsAHistogramByTokenType() {
        let probe = UsageMetricsProbe()
        let tracker = TokenUsageTracker(metricsFactory: probe)
        tracker.record(usageRecord(model: "gem", provider: "gemini", prompt: 12, completion: 5))
        tracker.record(usageRecord(model: "gem", provider: "gemini", prompt: 3, completion: 9))
        #expect(probe.values("gen_ai.client.token.usage", Self.dims + [("gen_ai.token.type", "input")]) == [12, 3])
        #expect(probe.values("gen_ai.client.token.usage", Self.dims + [("gen_ai.token.type", "output")]) == [5, 9])
        #expect(probe.values("gen_ai.client.operation.duration", Self.dims).count == 2)
        #expect(probe.total("onesim_model_requests_total", [("model", "gem"), ("config", "c"), ("provider", "gemini")]) == 2)
    }

    @Test func aFailureIsADurationWithErrorTypeAndNoTokens() {
        let probe = UsageMetricsProbe()
        let tracker = TokenUsageTracker(metricsFactory: probe)
        tracker.record(usageRecord(model: "gem", provider: "gemini", latency: .seconds(3), error: .rateLimited))
        #expect(probe.values("gen_ai.client.operation.duration", Self.dims + [("error.type", "rate_limited")]) == [3])
        #expect(probe.values("gen_ai.client.operation.duration", Self.dims).isEmpty)
        #expect(probe.values("gen_ai.client.token.usage", Self.dims + [("gen_ai.token.type", "input")]).isEmpty)
    }

    @Test func embeddingsRecordInputTokensOnly() {
        let probe = UsageMetricsProbe()
        let tracker = TokenUsageTracker(metricsFactory: probe)
        tracker.record(usageRecord(model: "e", provider: "openai", kind: .embedding, prompt: 40))
        let dims = [("gen_ai.operation.name", "embeddings"), ("gen_ai.provider.name", "openai"), ("gen_ai.request.model", "e")]
        #expect(probe.values("gen_ai.client.token.usage", dims + [("gen_ai.token.type", "input")]) == [40])
        #expect(probe.values("gen_ai.client.token.usage", dims + [("gen_ai.token.type", "output")]).isEmpty)
    }
}
