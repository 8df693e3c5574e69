import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("Token usage tracker")
struct TokenUsageTrackerTests {
    @Test func countsTotalsAndEveryBreakdown() {
        let tracker = TokenUsageTracker()
        tracker.record(usageRecord(model: "gpt-4o", config: "a", provider: "openai", prompt: 10, completion: 5))
        tracker.record(usageRecord(model: "gpt-4o", config: "b", provider: "azure", prompt: 1, completion: 2))
        tracker.record(usageRecord(model: "emb", config: "e", provider: "openai", kind: .embedding, prompt: 7))
        tracker.record(usageRecord(model: "gpt-4o", config: "a", provider: "openai", error: .rateLimited))
        tracker.record(usageRecord(model: "gpt-4o", config: "a", provider: "openai", error: .serverError))
        tracker.record(usageRecord(model: "gpt-4o", config: "a", provider: "openai", error: .rateLimited))

        let s = tracker.stats()
        #expect(s.totalPromptTokens == 18)
        #expect(s.totalCompletionTokens == 7)
        #expect(s.totalTokens == 25)
        #expect(s.requestCount == 3)
        #expect(s.errorCount == 3)
        #expect(s.errorsByKind == ["rate_limited": 2, "server_error": 1])
        #expect(s.modelUsage["gpt-4o"]?.totalTokens == 18)
        #expect(s.modelUsage["gpt-4o"]?.requestCount == 2)
        #expect(s.modelUsage["gpt-4o"]?.errorCount == 3)
        #expect(s.configUsage["a"]?.totalTokens == 15)
        #expect(s.configUsage["b"]?.totalTokens == 3)
        #expect(s.configUsage["a"]?.errorsByKind == ["rate_limited": 2, "server_error": 1])
        #expect(s.providerUsage["openai"]?.totalTokens == 22)
        #expect(s.providerUsage["azure"]?.totalTokens == 3)
        #expect(s.kindUsage["embedding"]?.promptTokens == 7)
        #expect(s.kindUsage["chat"]?.requestCount == 2)
        #expect(s.rows.map(\.key.configName) == ["e", "a", "b"])  // sorted by model, then config
        #expect(s.sources.count == 1)
        #expect(s.sources[0].id == tracker.sourceID)
        #expect(s.sources[0].sequence == 6)
    }

    @Test func latencyCoversSuccessfulCallsOnly() {
        let tracker = TokenUsageTracker()
        tracker.record(usageRecord(prompt: 1, latency: .milliseconds(100)))
        tracker.record(usageRecord(prompt: 1, latency: .milliseconds(300)))
        tracker.record(usageRecord(latency: .seconds(30), error: .timeout))
        let s = tracker.stats()
        #expect(abs(s.meanLatencySeconds - 0.2) < 1e-9)
        #expect(abs(s.maxLatencySeconds - 0.3) < 1e-9)
        #expect(abs((s.modelUsage["m"]?.latencySeconds ?? 0) - 0.4) < 1e-9)
    }

    @Test func failedAttemptsThatReportTokensStillCountTheirTokens() {
        let tracker = TokenUsageTracker()
        tracker.record(usageRecord(prompt: 50, completion: 20, error: .truncated))
        let s = tracker.stats()
        #expect(s.totalTokens == 70)
        #expect(s.requestCount == 0)
        #expect(s.errorCount == 1)
    }

    /// Many tasks recording at once, with readers taking snapshots meanwhile: the totals are
    /// exact, and every snapshot is consistent (its record count equals its source's sequence)
    /// and no snapshot goes backwards.
    @Test func exactUnderConcurrentRecordingAndReading() async {
        let tracker = TokenUsageTracker()
        let writers = 32, perWriter = 400
        let models = ["gpt-4o", "gpt-4o-mini", "claude-3-5-sonnet", "local"]
        let snapshots = await withTaskGroup(of: [TokenUsageStats].self) { group in
            for w in 0..<writers {
                group.addTask {
                    for i in 0..<perWriter {
                        let model = models[(w + i) % models.count]
                        if i % 10 == 9 {
                            tracker.record(usageRecord(model: model, config: "cfg-\(w % 3)", error: .serverError))
                        } else {
                            tracker.record(
                                usageRecord(model: model, config: "cfg-\(w % 3)", prompt: i % 7 + 1, completion: w % 5))
                        }
                    }
                    return []
                }
            }
            for _ in 0..<2 {
                group.addTask {
                    var seen: [TokenUsageStats] = []
                    for _ in 0..<50 {
                        seen.append(tracker.stats())
                        await Task.yield()
                    }
                    return seen
                }
            }
            var all: [TokenUsageStats] = []
            for await batch in group { all += batch }
            return all
        }

        var expectedPrompt = 0, expectedCompletion = 0, expectedErrors = 0
        for w in 0..<writers {
            for i in 0..<perWriter {
                if i % 10 == 9 { expectedErrors += 1 } else { expectedPrompt += i % 7 + 1; expectedCompletion += w % 5 }
            }
        }
        let s = tracker.stats()
        #expect(s.totalPromptTokens == expectedPrompt)
        #expect(s.totalCompletionTokens == expectedCompletion)
        #expect(s.totalTokens == expectedPrompt + expectedCompletion)
        #expect(s.errorCount == expectedErrors)
        #expect(s.requestCount == writers * perWriter - expectedErrors)
        #expect(s.sources[0].sequence == writers * perWriter)
        #expect(s.modelUsage.values.reduce(0) { $0 + $1.attemptCount } == writers * perWriter)
        #expect(s.configUsage.values.reduce(0) { $0 + $1.totalTokens } == s.totalTokens)

        for snapshot in snapshots {
            #expect(snapshot.requestCount + snapshot.errorCount == snapshot.sources[0].sequence)
        }
        let ordered = snapshots.sorted { $0.sources[0].sequence < $1.sources[0].sequence }
        for (earlier, later) in zip(ordered, ordered.dropFirst()) {
            #expect(earlier.totalTokens <= later.totalTokens)
        }
    }

    @Test func snapshotsAreIndependentValues() {
        let tracker = TokenUsageTracker()
        tracker.record(usageRecord(prompt: 2, completion: 3))
        var snapshot = tracker.stats()
        snapshot.modelUsage["m"]?.totalTokens += 1000
        snapshot.totalTokens = 0
        snapshot.rows.removeAll()
        snapshot.sources[0].rows[0].usage.promptTokens = 99
        #expect(tracker.stats().modelUsage["m"]?.totalTokens == 5)
        #expect(tracker.stats().totalTokens == 5)
        #expect(tracker.stats().sources[0].rows[0].usage.promptTokens == 2)

        // A snapshot taken earlier does not move when the tracker does.
        let before = tracker.stats()
        tracker.record(usageRecord(prompt: 10))
        #expect(before.totalTokens == 5)
        #expect(tracker.stats().totalTokens == 15)
    }

    @Test func dictionaryHasTheOriginalKeysAndTheNewOnes() {
        let tracker = TokenUsageTracker()
        tracker.record(usageRecord(model: "m", prompt: 2, completion: 3))
        let dict = tracker.stats().dictionary
        for key in [
            "total_prompt_tokens", "total_completion_tokens", "total_tokens", "request_count", "model_usage",
            "elapsed_time_seconds", "tokens_per_second", "error_count", "errors_by_kind", "config_usage",
            "provider_usage", "kind_usage", "sources",
        ] {
            #expect(dict[key] != nil, "missing key \(key)")
        }
        #expect(dict["total_tokens"] == 5)
        #expect(dict["model_usage"]?["m"]?["total_tokens"] == 5)
        #expect(dict["model_usage"]?["m"]?["prompt_tokens"] == 2)
        #expect(dict["model_usage"]?["m"]?["completion_tokens"] == 3)
        #expect(dict["model_usage"]?["m"]?["request_count"] == 1)
        #expect(tracker.stats()["request_count"] == 1)
        #expect(dict["elapsed_time_seconds"]?.doubleValue != nil)
        #expect(dict["tokens_per_second"]?.doubleValue != nil)
    }

    @Test func resetClearsCountsAndStartsANewSource() {
        let tracker = TokenUsageTracker()
        tracker.record(usageRecord(prompt: 4))
        let oldID = tracker.sourceID
        tracker.reset()
        let s = tracker.stats()
        #expect(s.totalTokens == 0)
        #expect(s.requestCount == 0)
        #expect(s.modelUsage.isEmpty)
        #expect(s.rows.isEmpty)
        #expect(s.sources.count == 1)
        #expect(s.sources[0].sequence == 0)
        #expect(tracker.sourceID != oldID)
        tracker.record(usageRecord(prompt: 1))
        #expect(tracker.stats().totalTokens == 1)
    }

    @Test func elapsedTimeAndThroughputComeFromTheTrackersClock() {
        let tracker = TokenUsageTracker()
        tracker.record(usageRecord(prompt: 100))
        let s = tracker.stats()
        #expect(s.elapsedTimeSeconds > 0)
        #expect(abs(s.tokensPerSecond - 100 / s.elapsedTimeSeconds) < 1e-6)
        #expect(TokenUsageStats().tokensPerSecond == 0)
    }
}
