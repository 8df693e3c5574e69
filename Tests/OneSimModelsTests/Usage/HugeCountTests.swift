import Testing

@testable import OneSimModels
@testable import OneSimModelsCore
@testable import OneSimModelsParsers
@testable import OneSimModelsProviders
@testable import OneSimModelsRouting
@testable import OneSimModelsUsage

/// Counts that come from callers or from outside (`maxTokens` of a call, a gateway request's
/// `max_tokens`, token counts in worker snapshots) may be any `Int`: sums saturate, nothing traps.
@Suite("Huge counts never trap")
struct HugeCountTests {
    static let reply = #"{"choices":[{"message":{"content":"ok"},"finish_reason":"stop"}],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}"#

    @Test func aBudgetRefusesAnIntMaxCallInsteadOfTrapping() throws {
        let budget = UsageBudget(name: "b", limits: BudgetLimits(maxTokens: 1_000))
        #expect(throws: ModelError.self) {
            _ = try budget.reserve(model: "m", config: "c", estimatedPromptTokens: 10, maxTokens: .max)
        }
        // Without a token limit it is held (saturated) and released again.
        let costOnly = UsageBudget(name: "c", limits: BudgetLimits(maxCostUSD: 1_000))
        let hold = try costOnly.reserve(model: "unpriced-model", config: "c", estimatedPromptTokens: .max, maxTokens: .max)
        #expect(costOnly.status().reservedTokens == .max)
        costOnly.release(hold)
        #expect(costOnly.status().reservedTokens == 0)
        costOnly.consume(Usage(promptTokens: .max, completionTokens: 1), model: "m", config: "c")
        costOnly.consume(Usage(promptTokens: .max, completionTokens: 1), model: "m", config: "c")
        #expect(costOnly.status().spentTokens == .max)
    }

    @Test func balancersAndLimitedAdaptersTakeAnIntMaxMaxTokens() async throws {
        let manager = ModelManager(responder: FixedResponder(body: Self.reply))
        try manager.loadModelConfigs(json: """
            [{"config_name": "a", "model_type": "openai_chat", "model_name": "m", "api_key": "k",
              "client_args": {"base_url": "http://a.invalid/v1", "max_retries": 0}, "max_concurrency": 1, "tpm": 1000},
             {"config_name": "lb", "model_type": "load_balancer", "models": ["a"], "max_tokens": 100000}]
            """)
        let options = CallOptions(maxTokens: .max)
        // The deployment used directly: charged against tpm (capped at the bucket), served.
        let bare = try manager.getModel(configName: "a")
        #expect(try await bare.acall("hi", options: options).text == "ok")
        // A stream is charged the same way (the fixed JSON reply is no SSE stream, so it then
        // fails to decode) and gives its only slot back: the next call is served.
        let streamed = await captureModelError { _ = try await bare.stream("hi", options: options).collect() }
        #expect(streamed?.kind == .connectionFailed || streamed?.kind == .decoding, "\(String(describing: streamed))")
        #expect(try await bare.acall("again", options: options).text == "ok")
        // Through a balancer with a token budget: refused as over budget, not a trap.
        let error = await captureModelError { _ = try await manager.getModel(configName: "lb").acall("hi", options: options) }
        #expect(error?.kind == .budgetExceeded)
        await manager.shutdown()
    }

    @Test func mergedUsageBucketsSaturate() throws {
        let huge = try UsageBucket(json: ["prompt_tokens": .int(.max), "request_count": .int(.max), "error_count": .int(.max),
            "errors_by_kind": ["timeout": .int(.max)]])
        let sum = huge + huge
        #expect(sum.promptTokens == .max && sum.requestCount == .max && sum.errorCount == .max)
        #expect(sum.errorsByKind["timeout"] == .max)
    }
}
