import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("Routing strategies")
struct RoutingStrategyTests {
    private func candidates(_ n: Int, weights: [Double]? = nil, inFlight: [Int]? = nil) -> [RoutingCandidate] {
        (0..<n).map { i in
            RoutingCandidate(index: i, configName: "m\(i)", weight: weights?[i] ?? 1, inFlight: inFlight?[i] ?? 0)
        }
    }

    @Test("unknown strategy names are a configuration error listing the valid ones")
    func unknownStrategy() {
        do {
            _ = try BalancerStrategy(parsing: "fastest")
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .configuration)
            #expect(error.message.contains("'fastest'"))
            for name in StrategyName.allCases { #expect(error.message.contains(name.rawValue)) }
        }
    }

    @Test("every built-in name parses, case-insensitively and with dashes")
    func parsesNames() throws {
        for name in StrategyName.allCases {
            #expect(try StrategyName(parsing: name.rawValue) == name)
            #expect(try StrategyName(parsing: name.rawValue.uppercased().replacingOccurrences(of: "_", with: "-")) == name)
        }
    }

    @Test("round robin: exact config order through the balancer")
    func roundRobinOrder() async throws {
        let a = ScriptedMember("a"), b = ScriptedMember("b"), c = ScriptedMember("c")
        let lb = LoadBalancer(
            configName: "lb", kind: .chat, members: fakeMembers(a, b, c), settings: BalancerSettings(strategy: .roundRobin),
            clock: RoutingTestClock())
        var served: [String] = []
        for _ in 0..<9 { served.append(servedBy(try await lb.acall("hi"))) }
        #expect(served == ["a", "b", "c", "a", "b", "c", "a", "b", "c"])
    }

    @Test("round robin skips members that cannot serve and keeps its place")
    func roundRobinSkips() {
        var rr = RoundRobinStrategy()
        var g = SplitMix64(seed: 1)
        let all = candidates(3)
        #expect(all[rr.pick(from: all, using: &g)].index == 0)
        let withoutB = [all[0], all[2]]
        #expect(withoutB[rr.pick(from: withoutB, using: &g)].index == 2)
        #expect(all[rr.pick(from: all, using: &g)].index == 0)
        #expect(all[rr.pick(from: all, using: &g)].index == 1)
    }

    @Test("smooth weighted round robin spreads picks evenly (nginx sequence)")
    func smoothWeightedSequence() {
        var strategy = WeightedRoundRobinStrategy()
        var g = SplitMix64(seed: 1)
        let c = candidates(3, weights: [5, 1, 1])
        let picks = (0..<7).map { _ in c[strategy.pick(from: c, using: &g)].configName }
        #expect(picks == ["m0", "m0", "m1", "m0", "m2", "m0", "m0"])
    }

    @Test("weighted: shares within tolerance over 10,000 calls")
    func weightedShares() async throws {
        let models = [ScriptedMember("a"), ScriptedMember("b"), ScriptedMember("c")]
        let weights: [Double] = [1, 3, 6]
        let lb = LoadBalancer(
            configName: "lb", kind: .chat,
            members: zip(models, weights).map { BalancerMember(adapter: $0, deployment: DeploymentSettings(weight: $1)) },
            settings: BalancerSettings(strategy: .weighted), clock: RoutingTestClock())
        for _ in 0..<10_000 { _ = try await lb.acall("hi") }
        for (model, weight) in zip(models, weights) {
            let expected = 10_000 * weight / 10
            #expect(abs(Double(model.calls) - expected) <= 100, "\(model.configName): \(model.calls) calls, expected \(expected)")
        }
    }

    @Test("weight 0 members are used only when every candidate weighs 0")
    func zeroWeights() {
        var strategy = WeightedRoundRobinStrategy()
        var g = SplitMix64(seed: 1)
        let c = candidates(2, weights: [0, 2])
        for _ in 0..<10 { #expect(strategy.pick(from: c, using: &g) == 1) }
        let zeros = candidates(2, weights: [0, 0])
        #expect(Set((0..<4).map { _ in strategy.pick(from: zeros, using: &g) }) == [0, 1])
    }

    @Test("random covers every candidate")
    func randomCovers() {
        let strategy = RandomStrategy()
        var g = SplitMix64(seed: 42)
        let c = candidates(4)
        var counts = [0, 0, 0, 0]
        for _ in 0..<4_000 { counts[strategy.pick(from: c, using: &g)] += 1 }
        for count in counts { #expect(count > 800 && count < 1_200) }
    }

    @Test("least busy: the less busy of two, always, with two candidates")
    func leastBusyPair() {
        let strategy = LeastBusyStrategy()
        var g = SplitMix64(seed: 7)
        let c = candidates(2, inFlight: [5, 2])
        for _ in 0..<100 { #expect(strategy.pick(from: c, using: &g) == 1) }
    }

    @Test("least busy never picks the busiest of three (power of two choices)")
    func leastBusyNeverBusiest() {
        let strategy = LeastBusyStrategy()
        var g = SplitMix64(seed: 7)
        let c = candidates(3, inFlight: [1, 9, 2])
        var seen = Set<Int>()
        for _ in 0..<300 { seen.insert(strategy.pick(from: c, using: &g)) }
        #expect(seen == [0, 2])
    }

    @Test("least busy steers away from a slow member")
    func leastBusySteersAway() async throws {
        let slow = ScriptedMember("slow", always: .hang)
        let fast1 = ScriptedMember("fast1"), fast2 = ScriptedMember("fast2")
        let lb = LoadBalancer(
            configName: "lb", kind: .chat, members: fakeMembers(slow, fast1, fast2),
            settings: BalancerSettings(strategy: .leastBusy), clock: RoutingTestClock())
        var tasks: [Task<ModelResponse, any Error>] = []
        for i in 0..<60 {
            tasks.append(Task { try await lb.acall("hi") })
            // Each call has either finished on a fast member or is stuck on the slow one.
            let settled = await settles { fast1.calls + fast2.calls + slow.inFlight == i + 1 && lb.stats()[member: "fast1"]!.inFlight + lb.stats()[member: "fast2"]!.inFlight == 0 }
            #expect(settled)
        }
        #expect(slow.calls <= 1, "the slow member got \(slow.calls) of 60 calls")
        #expect(fast1.calls + fast2.calls >= 59)
        #expect(fast1.calls > 10 && fast2.calls > 10)
        slow.releaseHung()
        for task in tasks { _ = try await task.value }
    }

    @Test("latency: new members are tried, then the fastest per output token wins")
    func latencyStrategy() {
        let strategy = LowestLatencyStrategy()
        var g = SplitMix64(seed: 3)
        var c = candidates(3)
        c[0].latencyPerToken = .milliseconds(20); c[0].latencySamples = 5
        c[1].latencyPerToken = .milliseconds(5); c[1].latencySamples = 5
        #expect(strategy.pick(from: c, using: &g) == 2, "the unmeasured idle member gets a probe")
        c[2].inFlight = 1
        #expect(strategy.pick(from: c, using: &g) == 1, "while its probe runs, the fastest measured member wins")
        c[2].latencyPerToken = .milliseconds(1); c[2].latencySamples = 1; c[2].inFlight = 0
        #expect(strategy.pick(from: c, using: &g) == 2)
    }

    @Test("latency through the balancer: the member with the lower latency per token takes the traffic")
    func latencyThroughBalancer() async throws {
        let clock = RoutingTestClock()
        // "slow" takes 1 s per reply of 5 tokens; "fast" replies instantly (0 s).
        let slow = ScriptedMember("slow", always: .hang)
        let fast = ScriptedMember("fast")
        let lb = LoadBalancer(
            configName: "lb", kind: .chat, members: fakeMembers(slow, fast), settings: BalancerSettings(strategy: .latency),
            clock: clock)
        let probe = Task { try await lb.acall("probe") }
        #expect(await settles { slow.hungCount == 1 })
        _ = try await lb.acall("x")  // slow is busy with its probe: fast is tried
        clock.advance(by: .seconds(1))
        slow.releaseHung()
        _ = try await probe.value
        slow.setAlways(.reply())
        for _ in 0..<20 { #expect(servedBy(try await lb.acall("y")) == "fast") }
        let stats = lb.stats()
        let perToken = try #require(stats[member: "slow"]!.latencyPerOutputToken)
        #expect(abs((perToken - .milliseconds(200)).seconds) < 1e-9)
        #expect(stats[member: "fast"]!.latencyPerOutputToken == .zero)
    }

    @Test("usage: the member with the lowest used share of its rpm wins")
    func usageStrategy() async throws {
        let a = ScriptedMember("a"), b = ScriptedMember("b")
        let lb = LoadBalancer(
            configName: "lb", kind: .chat,
            members: [
                BalancerMember(adapter: a, deployment: DeploymentSettings(rpm: 10)),
                BalancerMember(adapter: b, deployment: DeploymentSettings(rpm: 30)),
            ],
            settings: BalancerSettings(strategy: .usage), clock: RoutingTestClock())
        for _ in 0..<20 { _ = try await lb.acall("hi") }
        // Shares stay level: b (30 rpm) takes three requests for each of a's (10 rpm).
        #expect(a.calls == 5)
        #expect(b.calls == 15)
    }

    @Test("a custom strategy plugs in through the protocol")
    func customStrategy() async throws {
        struct LastCandidate: RoutingStrategy {
            var name: String { "last" }
            func pick(from candidates: [RoutingCandidate], using generator: inout some RandomNumberGenerator) -> Int {
                candidates.count - 1
            }
        }
        let a = ScriptedMember("a"), b = ScriptedMember("b", always: .fail(MemberFailure.status(503)))
        let lb = LoadBalancer(
            configName: "lb", kind: .chat, members: fakeMembers(a, b), settings: BalancerSettings(strategy: .custom(LastCandidate())),
            clock: RoutingTestClock())
        #expect(lb.strategyName == "last")
        #expect(servedBy(try await lb.acall("hi")) == "a")
        #expect(b.calls == 1 && a.calls == 1)
    }
}
