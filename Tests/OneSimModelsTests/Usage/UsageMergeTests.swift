import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("Merging token usage across processes")
struct UsageMergeTests {
    func tracker(_ label: String, calls: Int, model: String = "m", tokens: Int = 10) -> TokenUsageTracker {
        let t = TokenUsageTracker(label: label)
        for _ in 0..<calls { t.record(usageRecord(model: model, config: label, prompt: tokens)) }
        return t
    }

    @Test func differentSourcesAddUp() {
        let a = tracker("a", calls: 2).stats()
        let b = tracker("b", calls: 3, model: "n").stats()
        let merged = a.merging(b)
        #expect(merged.totalTokens == 50)
        #expect(merged.requestCount == 5)
        #expect(merged.modelUsage["m"]?.totalTokens == 20)
        #expect(merged.modelUsage["n"]?.totalTokens == 30)
        #expect(merged.configUsage.keys.sorted() == ["a", "b"])
        #expect(merged.sources.count == 2)
    }

    @Test func mergingTheSameSnapshotAgainCountsNothingTwice() {
        let a = tracker("a", calls: 2).stats()
        let b = tracker("b", calls: 3).stats()
        #expect(a.merging(a) == a)
        let ab = a.merging(b)
        #expect(ab.merging(a) == ab)
        #expect(ab.merging(ab) == ab)
        #expect(TokenUsageStats.merged([b, a, b, a, ab]) == ab)
        #expect(b.merging(a) == ab)
        #expect(ab.totalTokens == 50)
    }

    @Test func aNewerSnapshotOfASourceReplacesTheOlderOne() {
        let workerA = tracker("a", calls: 2)
        let b = tracker("b", calls: 1).stats()
        let old = workerA.stats()
        workerA.record(usageRecord(config: "a", prompt: 100))
        let new = workerA.stats()
        #expect(TokenUsageStats.merged([old, b, new]).totalTokens == 130)
        #expect(TokenUsageStats.merged([new, b, old]).totalTokens == 130)
        #expect(TokenUsageStats.merged([old, b]).merging(new).sources.first { $0.id == workerA.sourceID }?.sequence == 3)
    }

    @Test func aResetStartsASourceThatAddsToTheOldOne() {
        let worker = tracker("w", calls: 2)
        let beforeReset = worker.stats()
        worker.reset()
        worker.record(usageRecord(config: "w", prompt: 5))
        let afterReset = worker.stats()
        // Different periods are different calls: both count, once each.
        #expect(beforeReset.merging(afterReset).totalTokens == 25)
        #expect(beforeReset.merging(afterReset).merging(beforeReset).totalTokens == 25)
    }

    @Test func aTrackerFoldsInWorkerSnapshotsOncePerSource() {
        let master = tracker("master", calls: 1)
        let worker1 = tracker("w1", calls: 2)
        let worker2 = tracker("w2", calls: 3)

        // Workers send their cumulative snapshot every step; the master merges each time.
        for _ in 0..<3 {
            master.merge(worker1.stats())
            master.merge(worker2.stats())
        }
        #expect(master.stats().totalTokens == 60)
        #expect(master.stats().sources.count == 3)

        worker1.record(usageRecord(config: "w1", prompt: 1000))
        master.merge(worker1.stats())
        master.merge(worker1.stats())
        #expect(master.stats().totalTokens == 1060)

        // An older snapshot arriving late changes nothing.
        let stale = TokenUsageStats(sources: worker1.stats().sources.map { var s = $0; s.sequence = 1; s.rows = []; return s })
        master.merge(stale)
        #expect(master.stats().totalTokens == 1060)

        // The master's own snapshot (which already holds the workers) merged back in is a no-op.
        master.merge(master.stats())
        #expect(master.stats().totalTokens == 1060)

        // Another process merging the master's and a worker's snapshots still counts each call once.
        #expect(master.stats().merging(worker2.stats()).totalTokens == 1060)

        // Reset forgets the merged workers and ignores the master's own earlier snapshot.
        let old = master.stats()
        master.reset()
        master.merge(TokenUsageStats(sources: old.sources.filter { $0.label == "master" }))
        #expect(master.stats().totalTokens == 0)
    }

    @Test func snapshotsTravelAsJSON() throws {
        let a = tracker("a", calls: 2).stats()
        let b = tracker("b", calls: 1).stats()
        let received = try [a, b, a].map { try TokenUsageStats(json: JSONCodec.parse(String(decoding: JSONCodec.encode($0.dictionary), as: UTF8.self))) }
        #expect(TokenUsageStats.merged(received) == a.merging(b))
    }

    @Test func originalShapeDictionariesLoadAsAnonymousSources() throws {
        let legacy: JSONValue = [
            "total_prompt_tokens": 30, "total_completion_tokens": 12, "total_tokens": 42, "request_count": 3,
            "model_usage": [
                "gpt-4o": ["prompt_tokens": 20, "completion_tokens": 10, "total_tokens": 30, "request_count": 2],
                "qwen": ["prompt_tokens": 10, "completion_tokens": 2, "total_tokens": 12, "request_count": 1],
            ],
            "elapsed_time_seconds": 12.5, "tokens_per_second": 3.36,
        ]
        let stats = try TokenUsageStats(json: legacy)
        #expect(stats.totalTokens == 42)
        #expect(stats.requestCount == 3)
        #expect(stats.modelUsage["gpt-4o"]?.totalTokens == 30)
        #expect(stats.elapsedTimeSeconds == 12.5)
        #expect(stats.sources.count == 1)
        #expect(stats.sources[0].id.hasPrefix("anonymous-"))
        // Without source ids nothing can be deduplicated: the documented cost of the old shape.
        #expect(try TokenUsageStats(json: legacy).merging(TokenUsageStats(json: legacy)).totalTokens == 84)
    }

    @Test func malformedSnapshotsAreDecodingErrors() {
        for bad: JSONValue in [
            [1, 2], ["sources": "x"], ["sources": [["id": "a"]]],
            ["sources": [["id": "a", "sequence": 1, "usage": [["model_name": "m"]]]]],
            ["sources": [["id": "a", "sequence": 1, "usage": [["model_name": "m", "config_name": "c", "provider": "p", "kind": "image"]]]]],
            ["model_usage": ["m": ["prompt_tokens": "many"]]],
        ] {
            let error = #expect(throws: ModelError.self, "\(bad)") { _ = try TokenUsageStats(json: bad) }
            #expect(error?.kind == .decoding)
        }
    }

    @Test func mergedElapsedTimeSpansTheSources() {
        func source(_ id: String, start: Double, capture: Double, elapsed: Double) -> UsageSource {
            UsageSource(id: id, sequence: 1, startedAt: start, capturedAt: capture, elapsedTimeSeconds: elapsed, rows: [
                UsageRow(key: UsageKey(modelName: "m", configName: id, provider: "p", kind: .chat), usage: UsageBucket(promptTokens: 60, requestCount: 1))
            ])
        }
        let one = TokenUsageStats(sources: [source("a", start: 100, capture: 110, elapsed: 9.5)])
        #expect(one.elapsedTimeSeconds == 9.5)
        let two = TokenUsageStats(sources: [source("a", start: 100, capture: 110, elapsed: 10), source("b", start: 105, capture: 130, elapsed: 25)])
        #expect(two.elapsedTimeSeconds == 30)
        #expect(two.tokensPerSecond == 4)
    }
}
