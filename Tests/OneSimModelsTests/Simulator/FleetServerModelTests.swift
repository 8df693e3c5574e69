import Foundation
import Testing

@testable import OneSimModelsRouting
@testable import OneSimModelsSimulator

/// The pure fleet server model: exact decisions at injected times, no sleeps.
@Suite("Fleet server model")
struct FleetServerModelTests {
    /// A server where one output token takes exactly 1 s at batch 1 and prefill is free.
    static func server(
        seqs: Int = 2, slowdown: Double = 0, cacheBlocks: Int = 0, blockTokens: Int = 4, prefill: Double = 0,
        changes: [FleetServerConfig.SpeedChange] = []
    ) throws -> FleetServerModel {
        try FleetServerModel(
            config: FleetServerConfig(
                name: "s", maxNumSeqs: seqs, speed: 1, prefillSecondsPerToken: prefill, decodeSecondsPerToken: 1,
                batchSlowdown: slowdown, cacheBlocks: cacheBlocks, blockTokens: blockTokens, speedChanges: changes))
    }

    static func request(_ id: UInt64, out: Int, blocks: [UInt64] = [], prompt: Int = 0) -> FleetRequest {
        FleetRequest(id: id, promptBlocks: blocks, promptTokens: prompt, outputTokens: out)
    }

    @Test func queuesWhenFullAndAdmitsInArrivalOrder() throws {
        var m = try Self.server(seqs: 2)
        m.submit(Self.request(1, out: 1), at: .zero)
        m.submit(Self.request(2, out: 2), at: .zero)
        m.submit(Self.request(3, out: 1), at: .zero)
        m.submit(Self.request(4, out: 1), at: .zero)
        #expect(m.running == 2)
        #expect(m.waiting == 2)
        #expect(m.nextEventTime() == .seconds(1))
        let first = m.advance(to: .seconds(1))
        #expect(first.map(\.id) == [1])
        #expect(m.running == 2 && m.waiting == 1)  // 3 took 1's slot; 4 still waits
        let second = m.advance(to: .seconds(2))
        #expect(second.map(\.id) == [2, 3])
        #expect(second[1].queuedFor == .seconds(1))
        #expect(m.running == 1 && m.waiting == 0)
        let third = m.advance(to: .seconds(10))
        #expect(third.map(\.id) == [4])
        #expect(third[0].finishedAt == .seconds(3))
        #expect(third[0].queuedFor == .seconds(2))
        #expect(m.nextEventTime() == nil)
        #expect(m.completed == 4)
    }

    @Test func batchSlowsEveryRunningRequest() throws {
        var m = try Self.server(seqs: 2, slowdown: 0.5)
        m.submit(Self.request(1, out: 3), at: .zero)
        m.submit(Self.request(2, out: 3), at: .zero)
        // Two running: each advances at 1 / (1 + 0.5) = 2/3 token per second: 3 tokens take 4.5 s.
        #expect(m.nextEventTime() == .milliseconds(4500))
        let done = m.advance(to: .seconds(5))
        #expect(done.map(\.id) == [1, 2])
        #expect(done.allSatisfy { $0.finishedAt == .milliseconds(4500) })
        // Alone, the same request takes 3 s.
        m.submit(Self.request(3, out: 3), at: .seconds(5))
        #expect(m.nextEventTime() == .seconds(8))
    }

    @Test func speedChangeMidRequest() throws {
        var m = try Self.server(seqs: 1, changes: [.init(at: .seconds(2), speed: 0.5)])
        m.submit(Self.request(1, out: 4), at: .zero)
        #expect(m.nextEventTime() == .seconds(2))  // the speed change is an event while requests run
        #expect(m.advance(to: .seconds(2)).isEmpty)
        // 2 tokens left at half speed: 4 s more.
        #expect(m.nextEventTime() == .seconds(6))
        let done = m.advance(to: .seconds(7))
        #expect(done.map(\.finishedAt) == [.seconds(6)])
    }

    @Test func prefixHitsAreTheLeadingCachedBlocks() throws {
        var m = try Self.server(seqs: 4, cacheBlocks: 100, blockTokens: 4, prefill: 1)
        m.submit(Self.request(1, out: 0, blocks: [10, 11, 12], prompt: 12), at: .zero)
        // Shares the first two blocks; the third differs, and a later match (12) does not count.
        m.submit(Self.request(2, out: 0, blocks: [10, 11, 13, 12], prompt: 18), at: .zero)
        #expect(m.prefixQueries == 30)
        #expect(m.prefixHits == 8)
        let done = m.advance(to: .seconds(100))
        #expect(done.first { $0.id == 1 }?.cachedTokens == 0)
        #expect(done.first { $0.id == 2 }?.cachedTokens == 8)
        // Request 2 prefilled 18 − 8 = 10 tokens at 1 s each.
        #expect(done.first { $0.id == 2 }?.finishedAt == .seconds(10))
        let text = m.metricsText(modelName: "sim")
        #expect(ServerMetricsParser.parse(text).prefixCacheQueries == 30)
        #expect(ServerMetricsParser.parse(text).prefixCacheHits == 8)
    }

    @Test func cacheEvictsTheLeastRecentlyUsedBlock() {
        var cache = FleetPrefixCache(capacity: 2)
        cache.insert([1])
        cache.insert([2])
        cache.insert([1])  // touch 1: 2 is now the least recently used
        cache.insert([3])
        #expect(cache.contains(1) && cache.contains(3) && !cache.contains(2))
        #expect(cache.count == 2)
        // A chain keeps its first block longest: inserting [4, 5] evicts 1 and 3, and the next
        // insertion evicts 5 before 4.
        cache.insert([4, 5])
        #expect(cache.leadingHits([4, 5]) == 2)
        cache.insert([6])
        #expect(cache.contains(4) && !cache.contains(5))
        var none = FleetPrefixCache(capacity: 0)
        none.insert([1, 2])
        #expect(none.count == 0)
    }

    @Test func evictionThroughTheModelCostsTheHit() throws {
        var m = try Self.server(seqs: 4, cacheBlocks: 2, blockTokens: 4)
        m.submit(Self.request(1, out: 0, blocks: [1], prompt: 4), at: .zero)
        m.submit(Self.request(2, out: 0, blocks: [2], prompt: 4), at: .zero)
        m.submit(Self.request(3, out: 0, blocks: [3], prompt: 4), at: .zero)  // evicts 1
        m.submit(Self.request(4, out: 0, blocks: [1], prompt: 4), at: .zero)
        m.submit(Self.request(5, out: 0, blocks: [3], prompt: 4), at: .zero)
        #expect(m.prefixHits == 4)  // only request 5 hit
        #expect(m.cachedBlocks == 2)
        let done = m.advance(to: .zero)
        #expect(done.count == 5)  // no work: all done at once
    }

    @Test func cancellingFreesTheSlot() throws {
        var m = try Self.server(seqs: 1)
        m.submit(Self.request(1, out: 10), at: .zero)
        m.submit(Self.request(2, out: 1), at: .zero)
        let cancelled = m.cancel(id: 1, at: .seconds(1))
        #expect(cancelled)
        #expect(m.running == 1 && m.waiting == 0)
        let done = m.advance(to: .seconds(5))
        #expect(done.map(\.id) == [2] && done.map(\.finishedAt) == [.seconds(2)])
        let unknown = m.cancel(id: 9, at: .seconds(5))
        #expect(!unknown)
    }

    @Test func submittingLateCatchesUpFirst() throws {
        var m = try Self.server(seqs: 1)
        m.submit(Self.request(1, out: 1), at: .zero)
        m.submit(Self.request(2, out: 1), at: .seconds(5))  // 1 finished at 1 s meanwhile
        #expect(m.running == 1 && m.waiting == 0)
        let done = m.advance(to: .seconds(6))
        #expect(done.map(\.id) == [1, 2])
        #expect(done.map(\.finishedAt) == [.seconds(1), .seconds(6)])
    }

    @Test func metricsTextReadsBackWithTheRoutingParser() throws {
        var m = try FleetServerModel(
            config: FleetServerConfig(name: "gpu0", maxNumSeqs: 2, cacheBlocks: 100, blockTokens: 16))
        for id in 1...5 { m.submit(Self.request(UInt64(id), out: 100, blocks: [], prompt: 160), at: .zero) }
        let text = m.metricsText(modelName: "Qwen \"7B\"")
        let load = ServerMetricsParser.parse(text)
        #expect(load.running == 2)
        #expect(load.waiting == 3)
        // Two running requests hold (160 + 100) / 16 → 17 blocks each, of 100.
        #expect(load.kvCacheUsage == 0.34)
        #expect(text.contains("vllm:prefix_cache_queries_total{model_name=\"Qwen \\\"7B\\\"\"} 320.0"))
        #expect(text.contains("vllm:prefix_cache_hits_total"))
    }

    @Test func rejectsInvalidConfigsAndBoundsTheQueue() throws {
        #expect(throws: FleetConfigError.self) { try FleetServerModel(config: .init(name: "x", maxNumSeqs: 0)) }
        #expect(throws: FleetConfigError.self) { try FleetServerModel(config: .init(name: "x", speed: .nan)) }
        #expect(throws: FleetConfigError.self) { try FleetServerModel(config: .init(name: "x", speed: .infinity)) }
        #expect(throws: FleetConfigError.self) {
            try FleetServerModel(config: .init(name: "x", speedChanges: [.init(at: .seconds(2), speed: 1), .init(at: .seconds(1), speed: 1)]))
        }
        var m = try Self.server(seqs: 1)
        for id in 0...FleetServerModel.maximumWaiting { m.submit(Self.request(UInt64(id), out: 1), at: .zero) }
        #expect(m.waiting == FleetServerModel.maximumWaiting)
        let accepted = m.submit(Self.request(999_999_999, out: 1), at: .zero)
        #expect(!accepted)
        #expect(m.rejected == 1)
    }

    @Test func fleetFileIsCheckedKeyByKey() throws {
        let good = """
            {"servers": [{"name": "gpu0", "max_num_seqs": 16, "speed": 1.0},
                         {"name": "gpu1", "speed": 0.5, "speed_changes": [{"at": 5, "speed": 0.125}]}],
             "defaults": {"cache_blocks": 2048, "block_tokens": 32}}
            """
        let servers = try FleetDescription.parse(Data(good.utf8))
        #expect(servers.map(\.name) == ["gpu0", "gpu1"])
        #expect(servers[1].speed == 0.5 && servers[1].maxNumSeqs == 16 && servers[1].cacheBlocks == 2048)
        #expect(servers[1].speedChanges == [.init(at: .seconds(5), speed: 0.125)])
        #expect(servers[0].blockTokens == 32)
        let bad: [(String, String)] = [
            (#"{"servers": [{"name": "a", "max_num_seqs": 1.5}]}"#, "servers[0] ('a').max_num_seqs must be an integer"),
            (#"{"servers": [{"name": "a", "max_num_seqs": 1e300}]}"#, "max_num_seqs must be an integer from 1 to 4096"),
            (#"{"servers": [{"name": "a", "speed": -1}]}"#, "speed must be a number from"),
            (#"{"servers": [{"name": "a", "speed": 0}]}"#, "speed must be a number from"),
            (#"{"servers": [{"name": "a", "speed": "fast"}]}"#, "speed must be a number, got a string"),
            (#"{"servers": [{"name": "a", "sped": 1}]}"#, "unknown key 'sped'"),
            (#"{"servers": [{"name": "a"}, {"name": "a"}]}"#, "duplicate name 'a'"),
            (#"{"servers": []}"#, "'servers' must hold 1 to 64"),
            (#"{"servers": [{"name": "a", "speed_changes": [{"at": -1, "speed": 1}]}]}"#, "speed_changes[0].at must be a number"),
            (#"{"servers": [{"name": "a", "speed_changes": [{"at": 1}]}]}"#, "needs 'at' (seconds) and 'speed'"),
            (#"{"servers": [{"name": "a", "batch_slowdown": true}]}"#, "got a boolean"),
            (#"{"servers": [{"name": "a"}], "extra": 1}"#, "unknown top-level key 'extra'"),
            (#"{"defaults": {"name": "x"}, "servers": [{"name": "a"}]}"#, "'defaults' cannot set 'name'"),
            (#"[1, 2"#, "not valid JSON"),
            (#"{"servers": [{"name": 7}]}"#, "servers[0].name must be a non-empty string"),
        ]
        for (text, message) in bad {
            do {
                _ = try FleetDescription.parse(Data(text.utf8))
                Issue.record("accepted \(text)")
            } catch {
                #expect(error.message.contains(message), "\(text): \(error.message)")
            }
        }
    }

    @Test func promptBlocksChainAndShareLeadingBytes() {
        let persona = String(repeating: "abcd", count: 40)
        let a = FleetPromptBlocks.make([("system", persona), ("user", "hello there")], blockTokens: 4)
        let b = FleetPromptBlocks.make([("system", persona), ("user", "something else entirely")], blockTokens: 4)
        #expect(a.tokens == (6 + 1 + 160 + 1 + 4 + 1 + 11 + 1 + 3) / 4)
        // The persona's full blocks are shared; the first block holding the user text differs.
        let shared = zip(a.blocks, b.blocks).prefix { $0 == $1 }.count
        #expect(shared == (6 + 1 + 160 + 1) / 16)
        #expect(a.blocks.count == (6 + 1 + 160 + 1 + 4 + 1 + 11 + 1) / 16)
    }

    /// A discrete-event run of random workloads: every request finishes exactly once, never
    /// before it was submitted, admissions are first come first served, at most `maxNumSeqs` run,
    /// and the counters agree with the completions.
    @Test(arguments: [1, 2, 3, 4, 5] as [UInt64])
    func randomWorkloadsKeepTheInvariants(seed: UInt64) throws {
        var rng = OneSimModelsSimulator.SplitMix64(seed: seed)
        func draw(_ n: Int) -> Int { Int(rng.next() % UInt64(n)) }
        let seqs = 1 + draw(8)
        var m = try FleetServerModel(
            config: FleetServerConfig(
                name: "r", maxNumSeqs: seqs, speed: 0.5 + Double(draw(4)), batchSlowdown: Double(draw(3)) / 10,
                cacheBlocks: draw(40), blockTokens: 4,
                speedChanges: [.init(at: .milliseconds(200 + draw(500)), speed: 0.25 + Double(draw(3)))]))
        var submitted: [UInt64: Duration] = [:]
        var finished: [UInt64: FleetCompletion] = [:]
        var startOrder: [UInt64] = []
        var now = Duration.zero
        var next: UInt64 = 0
        var hits = 0
        var queries = 0
        func record(_ done: [FleetCompletion]) {
            for c in done {
                #expect(finished[c.id] == nil, "finished twice: \(c.id)")
                #expect(c.finishedAt >= (submitted[c.id] ?? .zero) + c.queuedFor)
                finished[c.id] = c
                hits += c.cachedTokens
                queries += c.promptTokens
            }
        }
        for _ in 0..<400 {
            if draw(3) == 0, let t = m.nextEventTime() {
                now = max(now, t)
                record(m.advance(to: now))
            } else {
                now += .milliseconds(draw(20))
                record(m.advance(to: now))
                let persona = UInt64(draw(4))
                let blocks = [persona, persona &* 31 &+ 7] + (0..<draw(4)).map { _ in rng.next() }
                m.submit(FleetRequest(id: next, promptBlocks: blocks, promptTokens: blocks.count * 4 + draw(4), outputTokens: draw(30)), at: now)
                submitted[next] = now
                startOrder.append(next)
                next += 1
            }
            #expect(m.running <= seqs)
            #expect(m.waiting == 0 || m.running == seqs)
            #expect(m.prefixHits <= m.prefixQueries)
        }
        while let t = m.nextEventTime() { record(m.advance(to: t)) }
        #expect(finished.count == Int(next))
        #expect(m.running == 0 && m.waiting == 0)
        #expect(m.prefixHits == hits && m.prefixQueries == queries)
        // First come, first served: admission times (finish − work is not known here, but
        // submission + queueing is) never go backwards in submission order.
        let admitted = startOrder.map { (submitted[$0] ?? .zero) + (finished[$0]?.queuedFor ?? .zero) }
        #expect(zip(admitted, admitted.dropFirst()).allSatisfy { $0 <= $1 })
    }
}
