import Testing

@testable import OneSimModels

/// A balancer's budget (`max_cost_usd`, `max_tokens`) holds a call's worst case only while a
/// member is working on it, not while it waits in the queue.
@Suite("Balancer budget")
struct BalancerBudgetTests {
    @Test("queued calls hold no budget: a long queue does not exhaust it")
    func queuedCallsHoldNothing() async throws {
        // Each call's worst case is about 260 tokens; the budget fits 20 of them, and 200
        // calls queue behind max_concurrency 2. Each really uses 15 tokens (3,000 in all).
        let model = ScriptedMember("a", always: .delay(.milliseconds(1)))
        let budget = UsageBudget(name: "lb", limits: BudgetLimits(maxTokens: 5_200))
        let lb = LoadBalancer(
            configName: "lb", kind: .chat,
            members: [BalancerMember(adapter: model, deployment: DeploymentSettings(maxConcurrency: 2))],
            budget: budget)
        let outcomes = await withTaskGroup(of: ModelError.Kind?.self) { group in
            for i in 0..<200 {
                group.addTask {
                    do { _ = try await lb.acall(Prompt(stringLiteral: "call \(i)")); return nil } catch let e as ModelError { return e.kind } catch { return .decoding }
                }
            }
            var kinds: [ModelError.Kind?] = []
            for await kind in group { kinds.append(kind) }
            return kinds
        }
        #expect(outcomes.compactMap { $0 }.isEmpty, "failed: \(Set(outcomes.compactMap { $0 }))")
        #expect(model.calls == 200)
        let status = budget.status()
        #expect(status.inFlight == 0 && status.reservedTokens == 0)
        #expect(status.spentTokens == 3_000)
    }

    @Test("a call the budget refuses frees its slot and is not sent")
    func refusedAtGrant() async throws {
        let model = ScriptedMember("a")
        let budget = UsageBudget(name: "lb", limits: BudgetLimits(maxTokens: 10))
        let lb = LoadBalancer(
            configName: "lb", kind: .chat,
            members: [BalancerMember(adapter: model, deployment: DeploymentSettings(maxConcurrency: 1))], budget: budget)
        await #expect(throws: ModelError.self) { try await lb.acall("hello") }
        #expect(model.calls == 0)
        let stats = lb.stats()
        #expect(stats.members[0].inFlight == 0 && stats.members[0].requests == 0)
        #expect(stats.members[0].deploymentInFlight == 0)
    }
}
