import Synchronization
import Testing

@testable import OneSimModels

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
        func core() -> BalancerCore {
            BalancerCore(
                names: ["d"], deployments: [DeploymentSettings(maxConcurrency: 1)], settings: BalancerSettings(), now: .zero,
                seed: 1, limiters: [limiter])
        }
        var a = core()
        var b = core()
        let deadline = Duration.seconds(600)
        var names: [UInt64: String] = [:]
        var order: [String] = []
        var held: (core: String, grant: Grant)?

        func acquire(_ name: String, on owner: String, at t: Int) {
            let now = Duration.seconds(t)
            let decision: AdmissionDecision
            if owner == "A" {
                decision = a.acquire(excluding: [], tokens: 1, deadline: deadline, now: now).0
                _ = a.refreshClaims(now: now)
            } else {
                decision = b.acquire(excluding: [], tokens: 1, deadline: deadline, now: now).0
                _ = b.refreshClaims(now: now)
            }
            switch decision {
            case .done(.granted(let grant)):
                order.append(name)
                held = (owner, grant)
            case .wait(let id):
                names[id &* 2 &+ (owner == "A" ? 0 : 1)] = name
            default:
                Issue.record("\(name): unexpected \(decision)")
            }
        }

        /// Releases the held slot at `t`, then lets the other balancer look (as `notify` does),
        /// and the first again if the second withdrew a claim.
        func releaseHeld(at t: Int) throws {
            let now = Duration.seconds(t)
            let (owner, grant) = try #require(held)
            held = nil
            func granted(_ resolutions: [Resolution], _ owner: String) {
                for resolution in resolutions {
                    guard case .granted(let grant) = resolution.outcome else { continue }
                    order.append(names[resolution.id &* 2 &+ (owner == "A" ? 0 : 1), default: "?"])
                    held = (owner, grant)
                }
            }
            if owner == "A" {
                granted(a.release(grant, .success(latency: .seconds(1), usage: .zero), now: now).resolutions, "A")
                let withdrawnA = a.refreshClaims(now: now)
                granted(b.capacityFreed(now: now), "B")
                let withdrawnB = b.refreshClaims(now: now)
                if !withdrawnA.isEmpty || !withdrawnB.isEmpty, held == nil { granted(a.capacityFreed(now: now), "A") }
                _ = a.refreshClaims(now: now)
            } else {
                granted(b.release(grant, .success(latency: .seconds(1), usage: .zero), now: now).resolutions, "B")
                let withdrawnB = b.refreshClaims(now: now)
                granted(a.capacityFreed(now: now), "A")
                let withdrawnA = a.refreshClaims(now: now)
                if !withdrawnA.isEmpty || !withdrawnB.isEmpty, held == nil { granted(b.capacityFreed(now: now), "B") }
                _ = b.refreshClaims(now: now)
            }
        }

        acquire("a0", on: "A", at: 0)  // takes the slot
        acquire("a1", on: "A", at: 1)
        acquire("a2", on: "A", at: 2)
        acquire("b1", on: "B", at: 3)
        acquire("a3", on: "A", at: 4)
        acquire("a4", on: "A", at: 5)
        for t in 6...10 { try releaseHeld(at: t) }
        // Before, A refilled its own slot every time and b1 came last: a0 a1 a2 a3 a4 b1.
        #expect(order == ["a0", "a1", "a2", "b1", "a3", "a4"])
        try releaseHeld(at: 11)
        #expect(held == nil && a.queuedCount == 0 && b.queuedCount == 0)
    }

    /// Over the shells: balancer A keeps its queue full, B's one call still gets in before A's
    /// later calls (it used to wait until A's queue drained).
    @Test func aBusyBalancerDoesNotStarveAnother() async throws {
        let clock = RoutingTestClock()
        let limiter = DeploymentLimiter(name: "a", settings: DeploymentSettings(maxConcurrency: 1), now: .zero)
        let model = ScriptedMember("a", always: .hang)
        func balancer(_ name: String) -> LoadBalancer {
            LoadBalancer(
                configName: name, kind: .chat,
                members: [BalancerMember(adapter: model, deployment: DeploymentSettings(maxConcurrency: 1))],
                settings: BalancerSettings(), fallbacks: [], modelName: nil, balancerClock: BalancerClock(clock),
                metricsFactory: nil, randomSeed: 1, budget: nil, limiters: [limiter])
        }
        let busy = balancer("busy")
        let other = balancer("other")
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
