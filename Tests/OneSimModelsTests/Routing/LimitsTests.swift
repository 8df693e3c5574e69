import Foundation
import Synchronization
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("Per-member limits, queueing and cancellation")
struct BalancerLimitsTests {
    @Test("max_concurrency is never exceeded with 1,000 concurrent calls")
    func maxConcurrency() async throws {
        let limits = [2, 3, 5]
        let models = limits.indices.map { ScriptedMember("m\($0)", always: .delay(.microseconds(200))) }
        let lb = LoadBalancer(
            configName: "lb", kind: .chat,
            members: zip(models, limits).map { BalancerMember(adapter: $0, deployment: DeploymentSettings(maxConcurrency: $1)) },
            settings: BalancerSettings(strategy: .leastBusy))
        let served = try await withThrowingTaskGroup(of: String.self) { group in
            for i in 0..<1_000 { group.addTask { servedBy(try await lb.acall(Prompt(stringLiteral: "call \(i)"))) } }
            var served: [String] = []
            for try await name in group { served.append(name) }
            return served
        }
        #expect(served.count == 1_000)
        for (model, limit) in zip(models, limits) {
            #expect(model.peak <= limit, "\(model.configName) peaked at \(model.peak) > \(limit)")
            #expect(lb.stats()[member: model.configName]!.peakInFlight <= limit)
        }
        #expect(models.reduce(0) { $0 + $1.calls } == 1_000)
        let stats = lb.stats()
        #expect(stats.queued == 0)
        #expect(stats.members.allSatisfy { $0.inFlight == 0 })
        #expect(stats.successes == 1_000)
    }

    @Test("waiters are served in FIFO order")
    func fifo() async throws {
        let a = ScriptedMember("a", always: .hang)
        let lb = LoadBalancer(
            configName: "lb", kind: .chat,
            members: [BalancerMember(adapter: a, deployment: DeploymentSettings(maxConcurrency: 1))], clock: RoutingTestClock())
        var tasks: [Task<ModelResponse, any Error>] = []
        tasks.append(Task { try await lb.acall("0") })
        #expect(await settles { a.hungCount == 1 })
        for i in 1...5 {
            tasks.append(Task { try await lb.acall(Prompt(stringLiteral: "\(i)")) })
            #expect(await settles { lb.stats().queued == i })
        }
        for i in 1...5 {
            a.releaseHung()
            #expect(await settles { a.hungCount == 1 && a.calls == i + 1 })
        }
        a.setAlways(.reply())
        a.releaseHung()
        for task in tasks { _ = try await task.value }
        #expect(a.prompts == ["0", "1", "2", "3", "4", "5"])
        #expect(a.peak == 1)
    }

    @Test("rpm is respected: a full minute's budget at once, then rpm/60 per second")
    func rpmRespected() async throws {
        let clock = RoutingTestClock()
        let a = ScriptedMember("a")
        let lb = LoadBalancer(
            configName: "lb", kind: .chat,
            members: [BalancerMember(adapter: a, deployment: DeploymentSettings(rpm: 60))], clock: clock)
        let tasks = (0..<65).map { _ in Task { try await lb.acall("hi") } }
        #expect(await settles { a.calls == 60 && lb.stats().queued == 5 })
        clock.advance(by: .milliseconds(999))
        await Task.yield()
        #expect(a.calls == 60)
        clock.advance(by: .milliseconds(1))
        #expect(await settles { a.calls == 61 && lb.stats().queued == 4 })
        clock.advance(by: .seconds(4))
        #expect(await settles { a.calls == 65 && lb.stats().queued == 0 })
        for task in tasks { _ = try await task.value }
        #expect(a.calls == 65, "no request went beyond the budget")
    }

    @Test("rpm-limited members spill over to others instead of waiting")
    func rpmSpillover() async throws {
        let a = ScriptedMember("a"), b = ScriptedMember("b")
        let lb = LoadBalancer(
            configName: "lb", kind: .chat,
            members: [BalancerMember(adapter: a, deployment: DeploymentSettings(rpm: 3)), BalancerMember(adapter: b)],
            clock: RoutingTestClock())
        for _ in 0..<10 { _ = try await lb.acall("hi") }
        #expect(a.calls == 3)
        #expect(b.calls == 7)
    }

    @Test("waiting for capacity ends with a typed queue timeout")
    func queueTimeout() async throws {
        let clock = RoutingTestClock()
        let a = ScriptedMember("a", always: .hang)
        let lb = LoadBalancer(
            configName: "lb", kind: .chat,
            members: [BalancerMember(adapter: a, deployment: DeploymentSettings(maxConcurrency: 1))],
            settings: BalancerSettings(queueTimeout: .seconds(2)), clock: clock)
        let holder = Task { try await lb.acall("holder") }
        #expect(await settles { a.hungCount == 1 })
        let waiter = Task { try await lb.acall("waiter") }
        #expect(await settles { lb.stats().queued == 1 })
        clock.advance(by: .seconds(2))
        do {
            _ = try await waiter.value
            Issue.record("expected a queue timeout")
        } catch let error as ModelError {
            #expect(error.kind == .queueTimeout)
        }
        #expect(a.calls == 1)
        holder.cancel()
        _ = try? await holder.value
    }

    @Test("cancelling a caller releases its slot and its place in the queue")
    func cancellationReleasesSlots() async throws {
        let a = ScriptedMember("a", always: .hang)
        let lb = LoadBalancer(
            configName: "lb", kind: .chat,
            members: [BalancerMember(adapter: a, deployment: DeploymentSettings(maxConcurrency: 1))], clock: RoutingTestClock())
        let holder = Task { try await lb.acall("holder") }
        #expect(await settles { a.hungCount == 1 })
        let waiter = Task { try await lb.acall("waiter") }
        #expect(await settles { lb.stats().queued == 1 })

        waiter.cancel()
        do {
            _ = try await waiter.value
            Issue.record("expected cancellation")
        } catch let error as ModelError {
            #expect(error.kind == .cancelled)
        }
        #expect(lb.stats().queued == 0)
        #expect(a.calls == 1, "the cancelled waiter never reached the member")

        holder.cancel()
        await #expect(throws: ModelError.self) { try await holder.value }
        let stats = lb.stats()[member: "a"]!
        #expect(stats.inFlight == 0)
        #expect(stats.cancellations == 1)
        #expect(stats.failures == 0, "a cancelled call is not the member's failure")
        #expect(stats.isCoolingDown == false)

        a.setAlways(.reply())
        let next = Task { try await lb.acall("next") }
        let served = await settles { a.calls == 2 }
        #expect(served, "the freed slot is available")
        if !served { next.cancel() }
        #expect(servedBy(try await next.value) == "a")
    }

    @Test("members are called with maxRetries 0; fallbacks with the caller's options")
    func memberRetriesOff() async throws {
        let a = ScriptedMember("a", always: .fail(MemberFailure.status(500))), f = ScriptedMember("f")
        let lb = LoadBalancer(
            configName: "lb", kind: .chat, members: fakeMembers(a), settings: BalancerSettings(retryPolicy: .none), fallbacks: [f],
            clock: RoutingTestClock())
        _ = try await lb.acall("hi", options: CallOptions(temperature: 0.5))
        #expect(a.maxRetriesSeen == [0])
        #expect(f.maxRetriesSeen == [nil])
    }

    @Test("embedding calls route the same way")
    func embeddings() async throws {
        let a = ScriptedMember("a", kind: .embedding, always: .fail(MemberFailure.status(500)))
        let b = ScriptedMember("b", kind: .embedding)
        let lb = LoadBalancer(configName: "emb", kind: .embedding, members: fakeMembers(a, b), clock: RoutingTestClock())
        let response = try await lb.acall(texts: ["one", "three"])
        #expect(response.embeddings == [[3], [5]])
        #expect(response.modelInfo.member == "b")
        #expect(response.modelInfo.balancer == "emb")
        #expect(a.calls == 1)
        await #expect(throws: ModelError.self) { try await lb.acall("chat prompt") }
    }

    @Test("sync calls work through the balancer")
    func syncCall() async throws {
        let lb = LoadBalancer(configName: "lb", kind: .chat, members: fakeMembers(ScriptedMember("a")))
        // The sync API blocks its thread: call it from a plain thread, as synchronous code would.
        let response: ModelResponse = try await withCheckedThrowingContinuation { continuation in
            Thread { continuation.resume(with: Result { try lb("hi") }) }.start()
        }
        #expect(servedBy(response) == "a")
    }
}
