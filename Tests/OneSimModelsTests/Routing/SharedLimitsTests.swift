import OneSimModelsSimulator
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

/// `max_concurrency`, `rpm` and `tpm` belong to the deployment: every balancer over it shares
/// one limiter.
@Suite("Limits per deployment, shared by every balancer")
struct SharedLimitsTests {
    @Test(.timeLimit(.minutes(10)))
    func twoBalancersOverOneDeploymentNeverExceedItsMaxConcurrency() async throws {
        try await withSimulators(1, .init(latency: .milliseconds(2), recordRequests: false)) { sims, m in
            try m.loadModelConfigs(json: "[\(memberConfig("a", sims[0], extra: #", "max_concurrency": 4"#))]")
            // Both balancers wait as long as it takes: this test is about the limit, and 1,000
            // calls queued at once behind 4 slots may take minutes on a busy machine.
            try m.configureLoadBalancer(modelConfigs: ["a"], configName: "declared", options: ["queue_timeout": 3_600])
            try m.configureLoadBalancer(configName: "chat_load_balancer", options: ["queue_timeout": 3_600])
            let declared = try m.getModel(configName: "declared")
            let automatic = try m.getModel()  // chat_load_balancer over every chat config (automatic members)
            #expect(declared.configName != automatic.configName)
            try await withThrowingTaskGroup(of: Void.self) { group in
                for i in 0..<500 {
                    group.addTask { _ = try await declared.acall("d\(i)") }
                    group.addTask { _ = try await automatic.acall("a\(i)") }
                }
                try await group.waitForAll()
            }
            #expect(sims[0].requestCount == 1_000)
            #expect(sims[0].peakInFlight <= 4, "the server saw \(sims[0].peakInFlight) requests at once")
            #expect(sims[0].peakInFlight >= 2)
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func aReloadDoesNotDoubleTheLimit() async throws {
        try await withSimulators(1, .init(recordRequests: false)) { sims, m in
            let config = "[\(memberConfig("a", sims[0], extra: #", "max_concurrency": 3"#))]"
            try m.loadModelConfigs(json: config)
            // The calls waiting behind them wait as long as it takes (the test is about the
            // limit, not the queue timer), before and after the reload.
            try m.configureLoadBalancer(configName: "chat_load_balancer", options: ["queue_timeout": 3_600])
            // The first three requests stay 30 s at the server: long enough that all three are
            // there together however late a loaded machine starts the third.
            sims[0].enqueue(Array(repeating: SimulatorAction.delay(.seconds(30)), count: 3))
            let before = try m.getModel()
            let early = (0..<6).map { i in Task { try await before.acall("before \(i)") } }
            // Once the old balancer's three calls are at the server, reload: the automatic
            // balancer is rebuilt while they are in flight, and the new one gets calls too.
            try await waitUntil("three calls in flight on the server") { sims[0].inFlight >= 3 }
            try m.loadModelConfigs(json: config)
            let after = try m.getModel()
            let rebuilt = (after as? LoadBalancer).map { new in (before as? LoadBalancer).map { $0 !== new } ?? false } ?? false
            #expect(rebuilt, "the reload rebuilds the automatic balancer")
            let late = (0..<6).map { i in Task { try await after.acall("after \(i)") } }
            for task in early + late { _ = try await task.value }
            #expect(sims[0].requestCount == 12)
            #expect(sims[0].peakInFlight <= 3, "the server saw \(sims[0].peakInFlight) requests at once")
        }
    }

    @Test(.timeLimit(.minutes(5)))
    func aBareAdapterAndABalancerShareTheLimit() async throws {
        try await withSimulators(1, .init(latency: .milliseconds(2), recordRequests: false)) { sims, m in
            try m.loadModelConfigs(json: "[\(memberConfig("a", sims[0], extra: #", "max_concurrency": 4"#))]")
            // Both paths wait as long as it takes: in a full parallel run on 2 busy cores one
            // slot turnover took seconds, and a call queued behind 19 of them ran out of the
            // default 60 s (the test is about the limit, not that timer).
            m.state.withLock { $0.directQueueTimeout = .seconds(3_600) }
            try m.configureLoadBalancer(configName: "chat_load_balancer", options: ["queue_timeout": 3_600])
            let bare = try m.getModel(configName: "a")
            let balancer = try m.getModel()
            #expect(bare.configName == "a" && bare.modelName == "sim-chat")
            #expect(String(describing: bare) == "LimitedAdapter(a)")
            // 40 callers on each path, 5 calls each.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<40 {
                    group.addTask {
                        for i in 0..<5 {
                            let text = try await bare.acall("b\(worker).\(i)").text
                            #expect(text == "b\(worker).\(i)")
                        }
                    }
                    group.addTask { for i in 0..<5 { _ = try await balancer.acall("l\(worker).\(i)") } }
                }
                try await group.waitForAll()
            }
            #expect(sims[0].requestCount == 400)
            #expect(sims[0].peakInFlight <= 4, "the server saw \(sims[0].peakInFlight) requests at once")
            let again = try m.getModel(configName: "a")
            #expect(again.configName == "a")
        }
    }

    @Test("streams from a bare adapter and a balancer hold the deployment's slots until they end")
    func streamsShareTheLimit() async throws {
        try await withSimulators(1, .init(latency: .milliseconds(2), recordRequests: false)) { sims, m in
            try m.loadModelConfigs(json: "[\(memberConfig("a", sims[0], extra: #", "max_concurrency": 3"#))]")
            // Waits as long as it takes (see `aBareAdapterAndABalancerShareTheLimit`).
            m.state.withLock { $0.directQueueTimeout = .seconds(3_600) }
            try m.configureLoadBalancer(configName: "chat_load_balancer", options: ["queue_timeout": 3_600])
            let bare = try m.getModel(configName: "a")
            let balancer = try m.getModel()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<30 {
                    group.addTask {
                        for i in 0..<3 {
                            let text = try await bare.stream(Prompt(stringLiteral: "b\(worker).\(i)")).collect().text
                            #expect(text == "b\(worker).\(i)")
                        }
                    }
                    group.addTask { for i in 0..<3 { _ = try await balancer.stream(Prompt(stringLiteral: "l\(worker).\(i)")).collect() } }
                }
                try await group.waitForAll()
            }
            #expect(sims[0].requestCount == 180)
            #expect(sims[0].peakInFlight <= 3, "the server saw \(sims[0].peakInFlight) streams at once")
        }
    }

    /// Opens a stream through `model` that `sim` stalls after its first event, and returns once
    /// the stream is open on the server (an event, not a delay): it holds one slot until the
    /// returned task is cancelled.
    func holdASlot(_ model: any ModelAdapter, _ sim: Simulator) async throws -> Task<Void, any Error> {
        sim.enqueue(.fail(.stallBody(afterEvents: 1)))
        let before = sim.stalls
        let holder = Task {
            let stream = try await model.stream("holds a slot")
            for try await _ in stream {}
        }
        try await waitUntil("the stalled stream is open on the server") { sim.stalls > before }
        return holder
    }

    @Test("a bare adapter's cancelled stream frees its slot")
    func aCancelledBareStreamFreesItsSlot() async throws {
        try await withSimulators(1, .init(latency: .milliseconds(2), recordRequests: false)) { sims, m in
            try m.loadModelConfigs(json: "[\(memberConfig("a", sims[0], extra: #", "max_concurrency": 1"#))]")
            let bare = try m.getModel(configName: "a")
            let stalled = try await holdASlot(bare, sims[0])
            stalled.cancel()
            _ = await stalled.result
            // The one slot is free again: this call is served.
            let text = try await bare.acall("after").text
            #expect(text == "after")
        }
    }

    @Test("a deployment used directly waits for its limits as long as the manager says, then fails with queue_timeout")
    func directQueueTimeoutIsHonoured() async throws {
        try await withSimulators(1, .init(recordRequests: false)) { sims, m in
            m.state.withLock { $0.directQueueTimeout = .milliseconds(200) }
            // Set before a load that clears everything: it is the manager's, not a config's.
            try m.loadModelConfigs(json: "[\(memberConfig("a", sims[0], extra: #", "max_concurrency": 1"#))]", clearExisting: true)
            let bare = try m.getModel(configName: "a")
            let holder = try await holdASlot(bare, sims[0])
            // The event waited for is the timeout itself: the one slot stays held until after it.
            let error = await #expect(throws: ModelError.self) { _ = try await bare.acall("waits") }
            #expect(error?.kind == .queueTimeout)
            #expect(error?.message.contains("queue_timeout \(Duration.milliseconds(200))") == true, "the manager's timeout, not the default")
            holder.cancel()
            _ = await holder.result
        }
    }

    @Test("a slot freed by one balancer reaches the other balancer's waiter")
    func freedCapacityWakesTheOtherBalancer() async throws {
        let clock = RoutingTestClock()
        let limiter = DeploymentLimiter(name: "a", settings: DeploymentSettings(maxConcurrency: 1), now: .zero)
        let model = ScriptedMember("a", always: .hang)
        let first = sharedBalancer("first", over: model, limiter: limiter, clock: clock)
        let second = sharedBalancer("second", over: model, limiter: limiter, clock: clock)
        let holding = Task { try await first.acall("one") }
        #expect(await settles { model.hungCount == 1 })
        let waiting = Task { try await second.acall("two") }
        #expect(await settles { second.stats().queued == 1 })
        #expect(model.calls == 1, "the second balancer must not pass the shared limit")
        model.setAlways(.reply())
        model.releaseHung()
        _ = try await holding.value
        #expect(servedBy(try await waiting.value) == "a")
        #expect(model.peak == 1)
        #expect(limiter.snapshot.inFlight == 0)
    }
}
