import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

/// A balancer's budget (`max_cost_usd`, `max_tokens`) holds a call's worst case only while a
/// member is working on it, not while it waits in the queue.
@Suite("Balancer budget")
struct BalancerBudgetTests {
    /// 200 calls behind max_concurrency 2, a budget that fits the worst case (about 260
    /// tokens) of 20 of them; each really uses 15 tokens (3,000 in all). Before, every call
    /// reserved before it queued, and most failed with `.budgetExceeded`.
    @Test("queued calls and streams hold no budget: a long queue does not exhaust it", arguments: [false, true])
    func queuedCallsHoldNothing(streaming: Bool) async throws {
        let model = ScriptedMember("a", always: .delay(.milliseconds(1)))
        let budget = UsageBudget(name: "lb", limits: BudgetLimits(maxTokens: 5_200))
        let lb = LoadBalancer(
            configName: "lb", kind: .chat,
            members: [BalancerMember(adapter: model, deployment: DeploymentSettings(maxConcurrency: 2))],
            budget: budget)
        let outcomes = await withTaskGroup(of: ModelError.Kind?.self) { group in
            for i in 0..<200 {
                group.addTask {
                    let prompt = Prompt(stringLiteral: "call \(i)")
                    do {
                        let response = streaming ? try await lb.stream(prompt).collect() : try await lb.acall(prompt)
                        return response.usage.totalTokens == 15 ? nil : .decoding
                    } catch let e as ModelError { return e.kind } catch { return .decoding }
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

    @Test("when a stream's collect() returns, the budget already counts it")
    func aCollectedStreamIsCharged() async throws {
        let model = ScriptedMember("a", always: .reply())
        let budget = UsageBudget(name: "lb", limits: BudgetLimits(maxTokens: 1_000_000))
        let lb = LoadBalancer(configName: "lb", kind: .chat, members: [BalancerMember(adapter: model)], budget: budget)
        var spent = 0
        for i in 0..<300 {
            let response = try await lb.stream(Prompt(stringLiteral: "call \(i)")).collect()
            spent += response.usage.totalTokens
            let status = budget.status()
            // The charge used to run after the stream's end reached the consumer.
            #expect(status.inFlight == 0 && status.spentTokens == spent, "after stream \(i)")
            if status.spentTokens != spent { break }
        }
        #expect(spent > 0)
    }

    @Test("a stream holds its budget from the grant until the member's stream ends")
    func aStreamHoldsItsBudgetUntilItEnds() async throws {
        let member = GatedStreamMember()
        let budget = UsageBudget(name: "lb", limits: BudgetLimits(maxTokens: 1_000))
        let lb = LoadBalancer(configName: "lb", kind: .chat, members: [BalancerMember(adapter: member)], budget: budget)
        let stream = try await lb.stream("hello")
        // The first delta has arrived; the member's stream is still open (the gate is shut).
        #expect(budget.status().inFlight == 1)
        member.gate.finish()
        let response = try await stream.collect()
        #expect(response.text == "first last")
        #expect(budget.status().inFlight == 0 && budget.status().reservedTokens == 0)
        #expect(budget.status().spentTokens == 7)
    }

    @Test("a stream that fails after its first delta is charged its estimate and frees its hold before the error arrives")
    func aFailedStreamIsChargedBeforeItsErrorArrives() async throws {
        let member = GatedStreamMember(failing: ModelError(.connectionFailed, "reset"))
        let budget = UsageBudget(name: "lb", limits: BudgetLimits(maxTokens: 1_000))
        let lb = LoadBalancer(configName: "lb", kind: .chat, members: [BalancerMember(adapter: member)], budget: budget)
        let stream = try await lb.stream("hello")
        #expect(budget.status().inFlight == 1)
        member.gate.finish()
        await #expect(throws: ModelError.self) { try await stream.collect() }
        let status = budget.status()
        #expect(status.inFlight == 0 && status.reservedTokens == 0)
        #expect(status.spentTokens > 0, "what was sent and received is estimated, not forgotten")
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

/// A member whose stream sends its first delta at once and the rest only after `gate` ends (or,
/// with `failing`, fails then).
final class GatedStreamMember: ModelAdapter {
    let configName = "gated"
    let (gateStream, gate) = AsyncStream<Void>.makeStream()
    let failing: ModelError?

    init(failing: ModelError? = nil) {
        self.failing = failing
    }

    func acall(_ prompt: Prompt, options: CallOptions) async throws -> ModelResponse {
        throw ModelError(.unsupported, "stream only")
    }

    func acall(texts: [String], options: CallOptions) async throws -> ModelResponse {
        throw ModelError(.unsupported, "stream only")
    }

    func stream(_ prompt: Prompt, options: CallOptions) async throws -> ModelStream {
        let gateStream = gateStream
        let failing = failing
        return ModelStream { continuation in
            continuation.yield(ModelDelta(text: "first "))
            Task {
                for await _ in gateStream {}
                if let failing {
                    continuation.finish(throwing: failing)
                    return
                }
                continuation.yield(ModelDelta(text: "last", usage: Usage(promptTokens: 5, completionTokens: 2)))
                continuation.finish()
            }
        }
    }
}
