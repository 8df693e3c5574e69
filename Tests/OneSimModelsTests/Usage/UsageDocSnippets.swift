import OneSimModels

// The code samples of the README's token usage section, verbatim inside functions so they compile with the suite.
// `UsageDocTests` runs the ones that can run without a model server or writing to the
// current directory.

enum UsageDocSnippets {
    static func readingTheCounts() {
        let stats = getTokenUsageStats()
        print(stats.totalTokens, stats.totalPromptTokens, stats.totalCompletionTokens, stats.requestCount)
        print(stats.elapsedTimeSeconds, stats.tokensPerSecond)

        // Per provider model name (the original's model_usage), per config, per provider, per kind.
        for (model, usage) in stats.modelUsage.sorted(by: { $0.key < $1.key }) {
            print(model, usage.promptTokens, usage.completionTokens, usage.totalTokens, usage.requestCount)
        }
        print(stats.configUsage["gpt-4o-east"]?.meanLatencySeconds ?? 0)
        print(stats.providerUsage["openai"]?.totalTokens ?? 0, stats.kindUsage["embedding"]?.promptTokens ?? 0)

        // Failures by kind ("rate_limited", "server_error", ...).
        print(stats.errorCount, stats.errorsByKind)

        // The original's dictionary, for code that reads keys.
        let dict = stats.dictionary
        print(dict["total_tokens"] ?? 0, dict["model_usage"]?["gpt-4o"]?["total_tokens"] ?? 0)
    }

    static func exporting() throws {
        // JSON: the stats dictionary plus "cost_estimate"; returns the path written.
        let jsonPath = try exportTokenUsageStats(to: "run-42/usage.json")
        // CSV by extension (or format: .csv): one line per model, config, provider and kind.
        let csvPath = try exportTokenUsageStats(to: "run-42/usage.csv")
        // No path: token_usage_<YYYYmmdd_HHMMSS>.json in the current directory, as the original.
        let defaultPath = try exportTokenUsageStats()

        // A JSON export reads back as a snapshot.
        let saved = try TokenUsageStats.load(from: jsonPath)
        print(saved.totalTokens, csvPath, defaultPath)
    }

    static func cost() {
        let estimate = estimateTokenCost()
        print(estimate.totalCostUSD)
        for (model, cost) in estimate.modelCosts {
            print(model, cost.promptCost, cost.completionCost, cost.totalCost)
        }
        print(estimate.configCosts["gpt-4o-east"]?.totalCost ?? 0)
        print("unpriced:", estimate.unpricedModels)

        // Per call: these prices win (a model entry also covers its dated versions).
        let custom = estimateTokenCost(prices: [
            "gpt-4o": .perMillionTokens(input: 2.0, output: 8.0),
            "qwen2.5-7b-instruct": ModelPrice(inputCostPerToken: 0.0000001, outputCostPerToken: 0.0000002),
        ])
        print(custom.totalCostUSD)
    }

    static func responseCost() async throws {
        let model = try getModel("gpt-4o-east")
        let response = try await model.acall(model.format(UserMessage("Hello")))
        if let usd = response.cost() {
            print("this call cost $\(usd)")
        }
    }

    static func severalProcesses() throws -> (TokenUsageStats, TokenUsageStats) {
        // Worker: send the snapshot as JSON.
        let message = getTokenUsageStats().dictionary

        // Master: merge what workers sent into its own tracker (idempotent per worker).
        let received = try TokenUsageStats(json: message)
        let total = mergeTokenUsageStats([received])
        print(total.totalTokens)

        // Or merge values without touching any tracker.
        let combined = TokenUsageStats.merged([received, getTokenUsageStats()])
        print(combined.requestCount)
        return (received, combined)
    }

    static func budgets() throws -> BudgetStatus {
        let budget = UsageBudget(name: "experiment", limits: BudgetLimits(maxCostUSD: 5.0, maxTokens: 2_000_000))

        // Before a call: hold its worst case (or `admit` to only check).
        let hold = try budget.reserve(model: "gpt-4o", config: "gpt-4o-east", estimatedPromptTokens: 1200, maxTokens: 800)
        // After it: count what it really used, then let go of the hold.
        budget.consume(Usage(promptTokens: 1180, completionTokens: 420), model: "gpt-4o", config: "gpt-4o-east")
        budget.release(hold)

        let status = budget.status()
        print(status.spentCostUSD, status.remainingCostUSD ?? 0, status.remainingTokens ?? 0)
        return status
    }
}
