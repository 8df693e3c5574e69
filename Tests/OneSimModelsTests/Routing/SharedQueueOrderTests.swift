import Synchronization
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

/// Balancers that share a deployment serve it in one FIFO order by arrival: a balancer with a
/// long queue cannot starve another balancer's waiters by refilling every slot it frees.
@Suite("One FIFO order across balancers sharing a deployment")
struct SharedQueueOrderTests {
    /// Stands for a balancer registered on the limiter (two of them make it shared).
    final class Listener: CapacityListener {
        func capacityFreed() {}
    }

    /// Two cores (balancers A and B) over one deployment with one slot, driven event by event
    /// the way their shells drive them: after every event each refreshes its claims, and a
    /// release (or a withdrawn claim) lets the other serve its queue.
    @Test func waitersOfTwoBalancersAreServedInArrivalOrder() throws {
        let limiter = DeploymentLimiter(name: "d", settings: DeploymentSettings(maxConcurrency: 1), now: .zero)
        let listeners = [Listener(), Listener()]
        for listener in listeners { limiter.addListener(listener) }
        // Balancer 0 is A, balancer 1 is B.
        var cores = (0..<2).map { _ in
            BalancerCore(
                names: ["d"], deployments: [DeploymentSettings(maxConcurrency: 1)], settings: BalancerSettings(), now: .zero,
                seed: 1, limiters: [limiter])
        }
        let deadline = Duration.seconds(600)
        var names: [String: String] = [:]  // "balancer/waiter id" -> call name
        var order: [String] = []
        var held: (balancer: Int, grant: Grant)?

        func granted(_ resolutions: [Resolution], by balancer: Int) {
            for resolution in resolutions {
                guard case .granted(let grant) = resolution.outcome else { continue }
                order.append(names["\(balancer)/\(resolution.id)", default: "?"])
                held = (balancer, grant)
            }
        }

        func acquire(_ name: String, on balancer: Int, at t: Int) {
            let now = Duration.seconds(t)
            let decision = cores[balancer].acquire(excluding: [], tokens: 1, deadline: deadline, now: now).0
            _ = cores[balancer].refreshClaims(now: now)
            switch decision {
            case .done(.granted(let grant)):
                order.append(name)
                held = (balancer, grant)
            case .wait(let id):
                names["\(balancer)/\(id)"] = name
            default:
                Issue.record("\(name): unexpected \(decision)")
            }
        }

        /// Releases the held slot at `t` as the shells do: the releasing balancer serves its
        /// queue, then the other one looks (`notify`), and the first looks again if a claim
        /// was withdrawn while the slot is still free.
        func releaseHeld(at t: Int) throws {
            let now = Duration.seconds(t)
            let (releaser, grant) = try #require(held)
            let other = 1 - releaser
            held = nil
            granted(cores[releaser].release(grant, .success(latency: .seconds(1), usage: .zero), now: now).resolutions, by: releaser)
            let withdrawnByReleaser = cores[releaser].refreshClaims(now: now)
            granted(cores[other].capacityFreed(now: now), by: other)
            let withdrawnByOther = cores[other].refreshClaims(now: now)
            if held == nil, !withdrawnByReleaser.isEmpty || !withdrawnByOther.isEmpty {
                granted(cores[releaser].capacityFreed(now: now), by: releaser)
            }
            _ = cores[releaser].refreshClaims(now: now)
        }

        acquire("a0", on: 0, at: 0)  // takes the slot
        acquire("a1", on: 0, at: 1)
        acquire("a2", on: 0, at: 2)
        acquire("b1", on: 1, at: 3)
        acquire("a3", on: 0, at: 4)
        acquire("a4", on: 0, at: 5)
        for t in 6...10 { try releaseHeld(at: t) }
        // Before, A refilled its own slot every time and b1 came last: a0 a1 a2 a3 a4 b1.
        #expect(order == ["a0", "a1", "a2", "b1", "a3", "a4"])
        try releaseHeld(at: 11)
        #expect(held == nil && cores[0].queuedCount == 0 && cores[1].queuedCount == 0)
    }

    /// Over the shells: balancer A keeps its queue full, B's one call still gets in before A's
    /// later calls (it used to wait until A's queue drained).
    @Test func aBusyBalancerDoesNotStarveAnother() async throws {
        let clock = RoutingTestClock()
        let limiter = DeploymentLimiter(name: "a", settings: DeploymentSettings(maxConcurrency: 1), now: .zero)
        let model = ScriptedMember("a", always: .hang)
        let busy = sharedBalancer("busy", over: model, limiter: limiter, clock: clock)
        let other = sharedBalancer("other", over: model, limiter: limiter, clock: clock)
        let first = Task { try await busy.acall("busy 0") }
        #expect(await settles { model.hungCount == 1 })
        var early: [Task<ModelResponse, any Error>] = []
        for i in 1...3 {
            early.append(Task { try await busy.acall(Prompt(stringLiteral: "busy \(i)")) })
            #expect(await settles { busy.stats().queued == i })
            clock.advance(by: .milliseconds(1))
        }
        let theirs = Task { try await other.acall("other") }
        #expect(await settles { other.stats().queued == 1 })
        clock.advance(by: .milliseconds(1))
        var late: [Task<ModelResponse, any Error>] = []
        for i in 4...6 {
            late.append(Task { try await busy.acall(Prompt(stringLiteral: "busy \(i)")) })
            #expect(await settles { busy.stats().queued == i })
            clock.advance(by: .milliseconds(1))
        }
        // Serve the calls one at a time, in the order the deployment takes them.
        for _ in 0..<8 {
            #expect(await settles { model.hungCount == 1 })
            model.releaseHung()
        }
        _ = try await first.value
        for task in early + late { _ = try await task.value }
        _ = try await theirs.value
        // Before, "other" came last: busy refilled the slot it freed from its own queue.
        #expect(model.prompts == ["busy 0", "busy 1", "busy 2", "busy 3", "other", "busy 4", "busy 5", "busy 6"])
    }
}
