import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

/// The `latency` strategy forgets old samples and probes members it has not measured lately.
@Suite("Latency strategy: aging samples and probes")
struct LatencyProbeTests {
    @Test("one slow first sample (a cold start) does not bar a member for good")
    func coldStartIsForgotten() throws {
        var core = BalancerCore(
            names: ["cold", "steady"], deployments: [.default, .default], settings: BalancerSettings(strategy: .latency),
            now: .zero, seed: 1)
        let usage = Usage(promptTokens: 10, completionTokens: 10)
        func call(at now: Duration, latency: (Int) -> Duration) -> Int? {
            guard case .done(.granted(let g)) = core.acquire(excluding: [], tokens: 1, deadline: now + .seconds(60), now: now).0 else {
                return nil
            }
            _ = core.release(g, .success(latency: latency(g.member), usage: usage), now: now)
            return g.member
        }
        // Both are probed once: "cold" takes 20 s (0.2 s/token after its cold start it is
        // 0.01 s/token), "steady" always 1 s (0.1 s/token).
        var now = Duration.zero
        var coldFirst = true
        let latency = { (member: Int) -> Duration in
            if member == 1 { return .seconds(1) }
            defer { coldFirst = false }
            return coldFirst ? .seconds(20) : .milliseconds(100)
        }
        _ = call(at: now, latency: latency)
        _ = call(at: now, latency: latency)
        // One call every 100 ms for two simulated minutes.
        var coldCalls: [Duration] = []
        for _ in 0..<1_200 {
            now += .milliseconds(100)
            if call(at: now, latency: latency) == 0 { coldCalls.append(now) }
        }
        #expect(!coldCalls.isEmpty, "the cold-started member was never picked again")
        #expect(coldCalls.first! <= .seconds(11), "it is probed once its sample is 10 s old")
        // Probes now and then, not a flood: until the average caught up, one per 10 s.
        let lastMinute = coldCalls.filter { $0 > .seconds(60) }.count
        #expect(lastMinute > 500, "once re-measured, the faster member takes the traffic (\(lastMinute) of 600)")
    }

    @Test("an idle member measured long ago gets the next call; a busy one does not")
    func staleIdleMemberIsProbed() {
        let strategy = LowestLatencyStrategy(probeAfter: .seconds(10))
        var g = SplitMix64(seed: 3)
        var c = [
            RoutingCandidate(index: 0, configName: "a", latencyPerToken: .seconds(2), latencySamples: 1, latencySampleAge: .seconds(11)),
            RoutingCandidate(index: 1, configName: "b", latencyPerToken: .seconds(1), latencySamples: 9, latencySampleAge: .seconds(1)),
        ]
        #expect(strategy.pick(from: c, using: &g) == 0)
        c[0].inFlight = 1
        #expect(strategy.pick(from: c, using: &g) == 1)
        c[0].inFlight = 0
        c[0].latencySampleAge = .seconds(9)
        #expect(strategy.pick(from: c, using: &g) == 1)
    }

    @Test("an old average weighs less against a new sample the older it is")
    func samplesAge() {
        let fresh = MemberRuntime.blend(old: 10, sample: 1, age: .zero)
        let old = MemberRuntime.blend(old: 10, sample: 1, age: .seconds(60))
        #expect(abs(fresh - (0.7 * 10 + 0.3 * 1)) < 1e-9)
        #expect(old < fresh)
        #expect(old < 2.5)
    }
}
