import OneSimModelsSimulator
import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("Budgets over HTTP", .timeLimit(.minutes(3)))
struct BudgetOverHTTPTests {
    /// Calls until one is refused; returns (successes, the refusal).
    func spend(_ model: any ModelAdapter) async -> (Int, ModelError?) {
        var successes = 0
        for _ in 0..<500 {
            do {
                _ = try await model.acall("a b c", options: CallOptions(maxTokens: 5))
                successes += 1
            } catch let error as ModelError {
                return (successes, error)
            } catch {
                return (successes, nil)
            }
        }
        return (successes, nil)
    }

    @Test func aManagerBudgetRefusesCallsBeforeTheyAreSent() async throws {
        let sim = Simulator()
        try await sim.start()
        let m = ModelManager(environment: [:], budget: BudgetLimits(maxTokens: 200))
        try m.loadModelConfigs(json: chatConfig("c", sim))
        let (successes, refusal) = await spend(try m.getModel(configName: "c"))
        #expect(successes > 5)
        #expect(refusal?.kind == .budgetExceeded)
        #expect(sim.requestCount == successes)  // the refused call never reached the server
        #expect(m.budget?.status().spentTokens == successes * 6)
        await m.shutdown()
        await sim.stop()
    }

    @Test func aManagerBudgetCoversEveryProvider() async throws {
        let sim = Simulator()
        try await sim.start()
        let m = ModelManager(environment: [:], budget: BudgetLimits(maxTokens: 200))
        try m.loadModelConfigs(json: """
            {"config_name": "claude", "model_type": "anthropic_chat", "model_name": "claude-sonnet-4-5", "api_key": "k",
             "client_args": {"base_url": "\(sim.rootURL)"}}
            """)
        let (successes, refusal) = await spend(try m.getModel(configName: "claude"))
        #expect(successes > 1)
        #expect(refusal?.kind == .budgetExceeded)
        #expect(sim.requestCount == successes)
        await m.shutdown()
        await sim.stop()
    }

    @Test("a direct stream is in the manager's budget when its collect() returns")
    func aCollectedDirectStreamIsCharged() async throws {
        try await withSimulator(budget: BudgetLimits(maxTokens: 1_000_000)) { sim, m in
            try m.loadModelConfigs(json: chatConfig("c", sim))
            let model = try m.getModel(configName: "c")
            var spent = 0
            for i in 0..<100 {
                let response = try await model.stream("word \(i)", options: CallOptions(maxTokens: 5)).collect()
                spent += response.usage.totalTokens
                let status = m.budget?.status()
                // The charge used to run after the stream's end reached the consumer.
                #expect(status?.inFlight == 0 && status?.spentTokens == spent, "after stream \(i)")
                if status?.spentTokens != spent { break }
            }
            #expect(spent > 0)
        }
    }

    @Test func aBalancerBudgetFromTheConfigFile() async throws {
        try await withSimulator { sim, m in
            try m.loadModelConfigs(json: """
                [\(chatConfig("a", sim)),
                 {"config_name": "lb", "model_type": "load_balancer", "models": ["a"], "max_tokens": 300}]
                """)
            let lb = try m.getModel(configName: "lb") as! LoadBalancer
            let (successes, refusal) = await spend(lb)
            #expect(successes > 5)
            #expect(refusal?.kind == .budgetExceeded)
            #expect(sim.requestCount == successes)
            #expect(lb.budget?.status().spentTokens == successes * 6)
        }
    }
}

/// The README's manager-budget sample, verbatim.
private func readmeManagerBudgetSample() {
    let capped = ModelManager(budget: BudgetLimits(maxCostUSD: 5.0))
    print(capped.budget?.status().remainingCostUSD ?? 0)
}
