import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

@Suite("Usage budgets")
struct UsageBudgetTests {
    let gpt4o = PriceTable.bundled.price(modelName: "gpt-4o")!

    @Test func readsLimitsFromConfigKeys() throws {
        let limits = try #require(try BudgetLimits.configured(in: ["max_cost_usd": 5, "max_tokens": 100_000], configName: "lb"))
        #expect(limits == BudgetLimits(maxCostUSD: 5, maxTokens: 100_000))
        #expect(try BudgetLimits.configured(in: ["max_cost_usd": 0.25], configName: "lb") == BudgetLimits(maxCostUSD: 0.25))
        #expect(try BudgetLimits.configured(in: ["strategy": "round_robin"], configName: "lb") == nil)
        for (key, bad): (String, JSONValue) in [("max_cost_usd", -1), ("max_cost_usd", "5"), ("max_tokens", 1.5), ("max_tokens", -3)] {
            let error = #expect(throws: ModelError.self, "\(key): \(bad)") {
                _ = try BudgetLimits.configured(in: [key: bad], configName: "lb")
            }
            #expect(error?.kind == .configuration)
            #expect(error?.message.contains(key) == true)
        }
        #expect(BudgetLimits.configKeys == ["max_cost_usd", "max_tokens"])
    }

    @Test func tokenLimitRefusesACallThatWouldPassIt() throws {
        let budget = UsageBudget(name: "lb", limits: BudgetLimits(maxTokens: 1000))
        try budget.admit(model: "gpt-4o", config: "a", estimatedPromptTokens: 400, maxTokens: 500)
        budget.record(usageRecord(model: "gpt-4o", config: "a", prompt: 600, completion: 300))
        try budget.admit(model: "gpt-4o", config: "a", estimatedPromptTokens: 50, maxTokens: 50)
        let error = #expect(throws: ModelError.self) {
            try budget.admit(model: "gpt-4o", config: "a", estimatedPromptTokens: 50, maxTokens: 51)
        }
        #expect(error?.kind == .budgetExceeded)
        #expect(error?.configName == "a")
        #expect(error?.message.contains("budget 'lb' exceeded: max_tokens is 1000") == true)
        #expect(error?.message.contains("900 tokens used") == true)
        #expect(error?.message.contains("up to 101 (50 prompt + 51 completion tokens)") == true)
        #expect(budget.status().rejectedCount == 1)
        #expect(budget.status().spentTokens == 900)
        #expect(budget.status().remainingTokens == 100)
    }

    @Test func costLimitUsesTheModelsPrice() throws {
        // 1000 prompt + 1000 completion tokens of gpt-4o cost $0.0125.
        let budget = UsageBudget(name: "manager", limits: BudgetLimits(maxCostUSD: 0.03))
        try budget.admit(model: "gpt-4o-2024-08-06", config: "a", estimatedPromptTokens: 1000, maxTokens: 1000)
        budget.consume(Usage(promptTokens: 1000, completionTokens: 1000), model: "gpt-4o-2024-08-06", config: "a")
        budget.consume(Usage(promptTokens: 1000, completionTokens: 1000), model: "gpt-4o", config: "a")
        #expect(abs(budget.status().spentCostUSD - 0.025) < 1e-12)
        // $0.005 left: 400 completion tokens ($0.004) fit, 1000 ($0.01) do not.
        try budget.admit(model: "gpt-4o", config: "a", estimatedPromptTokens: 0, maxTokens: 400)
        let error = #expect(throws: ModelError.self) {
            try budget.admit(model: "gpt-4o", config: "a", estimatedPromptTokens: 0, maxTokens: 1000)
        }
        #expect(error?.kind == .budgetExceeded)
        #expect(error?.message.contains("max_cost_usd is $0.0300") == true)
        #expect(error?.message.contains("$0.0250 spent") == true)
        #expect(error?.message.contains("this call to 'gpt-4o' (config 'a') may cost up to $0.0100") == true)
        // Cheaper models still fit.
        try budget.admit(model: "gpt-4o-mini", config: "m", estimatedPromptTokens: 1000, maxTokens: 1000)
    }

    @Test func aUsedUpBudgetRefusesEvenAnEmptyEstimate() throws {
        let budget = UsageBudget(name: "b", limits: BudgetLimits(maxCostUSD: 0.01, maxTokens: 10_000))
        budget.consume(Usage(promptTokens: 4000), model: "gpt-4o", config: "a")  // $0.01
        #expect(throws: ModelError.self) {
            try budget.admit(model: "gpt-4o", config: "a", estimatedPromptTokens: 0, maxTokens: nil)
        }
        let tokens = UsageBudget(name: "t", limits: BudgetLimits(maxTokens: 100))
        tokens.consume(Usage(promptTokens: 100), model: "x", config: "x")
        #expect(throws: ModelError.self) {
            try tokens.admit(model: "x", config: "x", estimatedPromptTokens: 0, maxTokens: nil)
        }
    }

    @Test func reservationsMakeConcurrentCallsExact() async throws {
        let budget = UsageBudget(name: "lb", limits: BudgetLimits(maxTokens: 500))
        let outcomes = await withTaskGroup(of: BudgetReservation?.self) { group in
            for _ in 0..<100 {
                group.addTask { try? budget.reserve(model: "m", config: "c", estimatedPromptTokens: 4, maxTokens: 6) }
            }
            var all: [BudgetReservation?] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        let held = outcomes.compactMap { $0 }
        #expect(held.count == 50)
        #expect(budget.status().reservedTokens == 500)
        #expect(budget.status().inFlight == 50)
        #expect(budget.status().rejectedCount == 50)
        #expect(budget.status().remainingTokens == 0)

        for reservation in held { budget.release(reservation) }
        budget.release(held[0])  // a second release changes nothing
        #expect(budget.status().reservedTokens == 0)
        #expect(budget.status().inFlight == 0)
        #expect(budget.status().remainingTokens == 500)
        _ = try budget.reserve(model: "m", config: "c", estimatedPromptTokens: 500, maxTokens: 0)
    }

    @Test func reservationsHoldCostToo() throws {
        let budget = UsageBudget(name: "lb", limits: BudgetLimits(maxCostUSD: 0.02))
        let first = try budget.reserve(model: "gpt-4o", config: "a", estimatedPromptTokens: 1000, maxTokens: 1000)
        #expect(abs(first.costUSD - 0.0125) < 1e-12)
        #expect(first.tokens == 2000)
        let error = #expect(throws: ModelError.self) {
            _ = try budget.reserve(model: "gpt-4o", config: "a", estimatedPromptTokens: 1000, maxTokens: 1000)
        }
        #expect(error?.message.contains("$0.0125 held by calls in flight") == true)
        budget.release(first)
        _ = try budget.reserve(model: "gpt-4o", config: "a", estimatedPromptTokens: 1000, maxTokens: 1000)
    }

    @Test func unpricedModelsAreFreeOrRefusedByPolicy() throws {
        let free = UsageBudget(name: "lb", limits: BudgetLimits(maxCostUSD: 1, maxTokens: 1000))
        try free.admit(model: "qwen-local", config: "v", estimatedPromptTokens: 100, maxTokens: 100)
        free.consume(Usage(promptTokens: 100, completionTokens: 100), model: "qwen-local", config: "v")
        #expect(free.status().spentCostUSD == 0)
        #expect(free.status().spentTokens == 200)
        #expect(free.status().unpricedModels == ["qwen-local"])

        let strict = UsageBudget(name: "lb", limits: BudgetLimits(maxCostUSD: 1), unpricedPolicy: .reject)
        let error = #expect(throws: ModelError.self) {
            try strict.admit(model: "qwen-local", config: "v", estimatedPromptTokens: 1, maxTokens: 1)
        }
        #expect(error?.kind == .budgetExceeded)
        #expect(error?.message.contains("has no price") == true)
        #expect(error?.message.contains("input_cost_per_token") == true)
        try strict.admit(model: "gpt-4o", config: "a", estimatedPromptTokens: 1, maxTokens: 1)

        // A config price makes a local model priced.
        var prices = PriceTable.bundled
        prices.setPrice(.perMillionTokens(input: 1000, output: 1000), forConfig: "v")
        let priced = UsageBudget(name: "lb", limits: BudgetLimits(maxCostUSD: 0.1), prices: prices, unpricedPolicy: .reject)
        #expect(throws: ModelError.self) {
            try priced.admit(model: "qwen-local", config: "v", estimatedPromptTokens: 60, maxTokens: 50)  // $0.11
        }
        try priced.admit(model: "qwen-local", config: "v", estimatedPromptTokens: 50, maxTokens: 40)  // $0.09
    }

    @Test func failedRecordsConsumeNothingAndResetStartsOver() throws {
        let budget = UsageBudget(name: "lb", limits: BudgetLimits(maxTokens: 10))
        budget.record(usageRecord(error: .serverError))
        #expect(budget.status().spentTokens == 0)
        budget.record(usageRecord(prompt: 10))
        #expect(throws: ModelError.self) { try budget.admit(model: "m", config: "c", estimatedPromptTokens: 1, maxTokens: nil) }
        budget.reset()
        #expect(budget.status() == BudgetStatus(
            limits: BudgetLimits(maxTokens: 10), spentTokens: 0, spentCostUSD: 0, reservedTokens: 0, reservedCostUSD: 0,
            inFlight: 0, rejectedCount: 0, unpricedModels: []))
        try budget.admit(model: "m", config: "c", estimatedPromptTokens: 1, maxTokens: 9)
    }

    @Test func releasingAReservationFromBeforeAResetDoesNothing() throws {
        let budget = UsageBudget(name: "lb", limits: BudgetLimits(maxTokens: 10))
        let old = try budget.reserve(model: "m", config: "c", estimatedPromptTokens: 5, maxTokens: 0)
        budget.reset()
        _ = try budget.reserve(model: "m", config: "c", estimatedPromptTokens: 8, maxTokens: 0)
        budget.release(old)
        #expect(budget.status().reservedTokens == 8)
        #expect(throws: ModelError.self) { try budget.admit(model: "m", config: "c", estimatedPromptTokens: 3, maxTokens: 0) }
    }

    @Test func pricesCanBeReplaced() throws {
        let budget = UsageBudget(name: "lb", limits: BudgetLimits(maxCostUSD: 0.001), prices: .empty, unpricedPolicy: .reject)
        #expect(throws: ModelError.self) { try budget.admit(model: "local", config: "v", estimatedPromptTokens: 10, maxTokens: 10) }
        budget.setPrices(["local": .perMillionTokens(input: 10, output: 10)])
        try budget.admit(model: "local", config: "v", estimatedPromptTokens: 10, maxTokens: 10)
        #expect(budget.prices.price(modelName: "local") != nil)
    }

    @Test func unlimitedBudgetsAdmitEverything() throws {
        let budget = UsageBudget(name: "lb", limits: BudgetLimits())
        budget.consume(Usage(promptTokens: 1_000_000_000), model: "gpt-4o", config: "a")
        try budget.admit(model: "gpt-4o", config: "a", estimatedPromptTokens: 1_000_000, maxTokens: 1_000_000)
        #expect(budget.status().remainingTokens == nil)
        #expect(budget.status().remainingCostUSD == nil)
    }

    @Test func aFanOutRecorderFeedsTheTrackerAndTheBudget() {
        let tracker = TokenUsageTracker()
        let budget = UsageBudget(name: "manager", limits: BudgetLimits(maxTokens: 100))
        let recorder = FanOutRecorder([tracker, budget])
        recorder.record(usageRecord(prompt: 30, completion: 12))
        #expect(tracker.stats().totalTokens == 42)
        #expect(budget.status().spentTokens == 42)
    }
}
